"""Small helpers shared by forms on every page."""

from __future__ import annotations

from django import forms

from core.actions import ActionError


def add_action_error(form: forms.BaseForm, error: ActionError) -> None:
    """Show an action's refusal beside the field it names (or above the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)

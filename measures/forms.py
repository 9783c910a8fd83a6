"""Forms: a questionnaire to fill in (built from its definition) and an assignment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from measures.actions import MAX_EVERY
from measures.definitions import Definition
from measures.models import Frequency, Instrument

PREFIX = "item_"


class QuestionnaireForm(forms.Form):
    """One radio group per item; every item may be left out (the engine's missing-item
    rules decide whether a score can be given)."""

    def __init__(
        self, *args: Any, definition: Definition, saved: Mapping[str, Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        for number, item in enumerate(definition.items, start=1):
            choices = [(str(o.value), o.label) for o in definition.options_of(item)]
            field = forms.TypedChoiceField(
                label=f"{number}. {item.text}",
                choices=choices,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
            )
            saved_value = saved.get(item.id)
            if saved_value is not None:
                field.initial = str(saved_value)
            self.fields[PREFIX + item.id] = field

    def answers(self) -> dict[str, int | None]:
        """The answers given in this form (item id → value; ``None`` for unanswered)."""
        return {
            name.removeprefix(PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(PREFIX)
        }


class AssignForm(forms.Form):
    instrument = forms.ChoiceField(label=_("Questionnaire"))
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Frequency.choices, initial=Frequency.ONCE
    )
    every = forms.IntegerField(
        label=_("Every (days or weeks)"),
        min_value=1,
        max_value=MAX_EVERY,
        initial=1,
        help_text=_("For “every N days” or “every N weeks”; not used for “once”."),
    )

    def __init__(self, *args: Any, choices: list[tuple[Instrument, bool]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instrument"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [
            (instrument.key, f"{instrument.short_title} — {instrument.title}")
            for instrument, usable in choices
            if usable
        ]

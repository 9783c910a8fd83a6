"""Forms: a questionnaire to fill in (built from its definition), an assignment and a
therapy session."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.actions import DEFAULT_HOURS_BEFORE, MAX_EVERY, MAX_HOURS_BEFORE, MAX_NOTE
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
    hours_before = forms.IntegerField(
        label=_("Opens this many hours before each session"),
        min_value=1,
        max_value=MAX_HOURS_BEFORE,
        initial=DEFAULT_HOURS_BEFORE,
        required=False,
        help_text=_("For “before each session”: it closes when the session starts."),
    )

    def clean_hours_before(self) -> int:
        found: int | None = self.cleaned_data.get("hours_before")
        return DEFAULT_HOURS_BEFORE if found is None else found

    def __init__(self, *args: Any, choices: list[tuple[Instrument, bool]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instrument"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [
            (instrument.key, f"{instrument.short_title} — {instrument.title}")
            for instrument, usable in choices
            if usable
        ]


class WallClockField(forms.DateTimeField):
    """A date and time as written (naive): the action places it in the patient's time zone,
    not the reader's."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

    def to_python(self, value: Any) -> datetime | None:  # type: ignore[override]
        with timezone.override(UTC):
            found = super().to_python(value)
        return None if found is None else timezone.make_naive(found, UTC)


class SessionForm(forms.Form):
    starts_at = WallClockField(label=_("Starts at"))
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=MAX_NOTE,
        help_text=_("Seen by the care team only."),
    )

    def __init__(self, *args: Any, time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].help_text = _("In the patient’s time zone (%(zone)s).") % {
            "zone": time_zone
        }

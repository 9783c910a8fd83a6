"""The period form of the patient analytics page: a preset or custom dates."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from analytics.patient import DEFAULT_DAYS, PRESETS, Period, PeriodError, choose_period


class DateInput(forms.DateInput):
    input_type = "date"


class PeriodForm(forms.Form):
    range = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[(str(n), _("Last %(n)d days") % {"n": n}) for n in PRESETS]
        + [("custom", _("Custom dates"))],
    )
    first = forms.DateField(label=_("From"), required=False, widget=DateInput)
    last = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["last"].widget.attrs["max"] = today.isoformat()
        if not self.is_bound or not self.data.get("range"):
            self.initial.setdefault("range", str(DEFAULT_DAYS))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            cleaned["period"] = choose_period(
                cleaned.get("range"), cleaned.get("first"), cleaned.get("last"), self.today
            )
        except PeriodError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return cleaned

    @property
    def period(self) -> Period:
        return self.cleaned_data["period"]  # type: ignore[no-any-return]

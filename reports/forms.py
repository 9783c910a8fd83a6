"""The form a clinician fills in to ask for a progress report."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    input_type = "date"


class ReportForm(forms.Form):
    first = forms.DateField(label=_("From"), widget=DateInput)
    last = forms.DateField(label=_("To"), widget=DateInput)
    include_notes = forms.BooleanField(
        label=_("Include the patient's diary notes"),
        required=False,
        help_text=_(
            "Off: the report holds numbers, counts and dates only, no free text. On: the "
            "diary notes of the period are added, in the patient's own words."
        ),
    )

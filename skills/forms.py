"""Forms of the skills pages: the library's filters, a practice, the coach, a clinic skill."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from skills import coach
from skills.catalogue import MAX_MINUTES
from skills.models import DISTRESS_MAX, NOTE_MAX
from skills.vocabulary import Module, Situation


def _distress(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=DISTRESS_MAX,
        help_text=_("0 is calm, 100 is the most distress you can imagine."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    module = forms.ChoiceField(
        label=_("Module"), required=False, choices=[("", _("All modules")), *Module.choices]
    )
    situation = forms.ChoiceField(
        label=_("What's going on?"),
        required=False,
        choices=[("", _("Any situation")), *Situation.choices],
    )
    favourites = forms.BooleanField(label=_("Only my favourites"), required=False)

    def __init__(self, *args: Any, show_favourites: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.input_type = "search"
        if not show_favourites:
            del self.fields["favourites"]


class PracticeForm(forms.Form):
    practised_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    distress_before = _distress(_("Distress before (0–100)"))
    distress_after = _distress(_("Distress after (0–100)"))
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CoachForm(forms.Form):
    distress = _distress(_("How strong is your distress right now? (0–100)"))
    emotion = forms.ChoiceField(
        label=_("The strongest feeling right now"),
        choices=coach.EMOTIONS,
        initial="none",
        widget=forms.RadioSelect,
    )
    urge = forms.ChoiceField(
        label=_("The strongest urge right now"),
        choices=coach.URGES,
        initial="none",
        widget=forms.RadioSelect,
    )
    situation = forms.ChoiceField(
        label=_("What's going on?"),
        choices=coach.SITUATIONS,
        initial="none",
        widget=forms.RadioSelect,
    )


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class ClinicSkillForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    acronym = forms.CharField(label=_("Acronym (optional)"), max_length=20, required=False)
    module = forms.ChoiceField(label=_("Module"), choices=Module.choices)
    summary = forms.CharField(
        label=_("What it is for"), max_length=600, widget=forms.Textarea(attrs={"rows": 3})
    )
    when = forms.CharField(
        label=_("When to reach for it"), max_length=600, widget=forms.Textarea(attrs={"rows": 2})
    )
    steps = forms.CharField(
        label=_("Steps"),
        help_text=_("One step per line, each a plain instruction."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    example = forms.CharField(
        label=_("A short example"),
        help_text=_("With a made-up person."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    minutes = forms.IntegerField(label=_("Typical minutes"), min_value=1, max_value=MAX_MINUTES)
    situations = forms.MultipleChoiceField(
        label=_("Situations it helps with"),
        choices=Situation.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    references = forms.CharField(
        label=_("Sources"),
        help_text=_("Where this skill comes from, one per line: a book, or your programme."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    caution = forms.CharField(
        label=_("Caution (optional)"),
        required=False,
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_steps(self) -> list[str]:
        return _lines(self.cleaned_data["steps"])

    def clean_references(self) -> list[str]:
        return _lines(self.cleaned_data["references"])

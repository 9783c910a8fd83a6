"""Forms of the coaching pages: asking, a message, the clinician's coaching hours."""

from __future__ import annotations

import re
import uuid
from datetime import time
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import time_zone_choices
from coaching.actions import WindowSpec
from coaching.models import (
    AWAY_MESSAGE_MAX,
    DISTRESS_MAX,
    INTENSITY_MAX,
    MESSAGE_MAX,
    OTHER_SKILLS_MAX,
    SITUATION_MAX,
    Weekday,
)
from skills.coach import EMOTIONS, URGES
from skills.models import Skill

INTENSITIES = [(n, str(n)) for n in range(INTENSITY_MAX + 1)]


def _intensity(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=INTENSITIES, coerce=int, initial=0, widget=forms.RadioSelect
    )


class AskForm(forms.Form):
    distress = forms.IntegerField(
        label=_("How strong is your distress right now? (0–100)"),
        min_value=0,
        max_value=DISTRESS_MAX,
        help_text=_("0 is calm, 100 is the most distress you can imagine."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    emotion = forms.ChoiceField(
        label=_("The strongest feeling right now"),
        choices=EMOTIONS,
        initial="none",
        widget=forms.RadioSelect,
    )
    emotion_intensity = _intensity(_("How strong is that feeling? (0–5)"))
    urge = forms.ChoiceField(
        label=_("The strongest urge right now"),
        choices=URGES,
        initial="none",
        widget=forms.RadioSelect,
    )
    urge_intensity = _intensity(_("How strong is that urge? (0–5)"))
    situation = forms.CharField(
        label=_("What is happening? (optional)"),
        required=False,
        max_length=SITUATION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    skills_tried = forms.ModelMultipleChoiceField(
        label=_("Skills you already tried"),
        queryset=Skill.objects.none(),
        to_field_name="public_id",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_skills = forms.CharField(
        label=_("Anything else you tried (optional)"),
        required=False,
        max_length=OTHER_SKILLS_MAX,
    )
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, skills: QuerySet[Skill], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("token", uuid.uuid4())
        super().__init__(*args, **kwargs)
        field = self.fields["skills_tried"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101
        field.queryset = skills


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


_SPAN = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*[-–—]\s*(\d{1,2})[:.](\d{2})\s*$")


def parse_spans(text: str) -> list[tuple[time, time]]:
    """ "09:00–12:00, 14:00–17:30" as (start, end) pairs; ValueError with a message."""
    spans = []
    for part in (p for p in re.split(r"[,;]", text) if p.strip()):
        match = _SPAN.match(part)
        if match is None:
            raise ValueError(_("Write times like 09:00–12:00, separated by commas."))
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise ValueError(_("Use times from 00:00 to 23:59."))
        start, end = time(h1, m1), time(h2, m2)
        if not start < end:
            raise ValueError(_("Each window starts before it ends, on the same day."))
        spans.append((start, end))
    return spans


class AvailabilityForm(forms.Form):
    time_zone = forms.ChoiceField(label=_("Your time zone"), choices=time_zone_choices)
    answer_within_minutes = forms.IntegerField(
        label=_("You aim to answer within (minutes of coaching hours)"),
        min_value=5,
        max_value=24 * 60,
        help_text=_("Patients see when to expect an answer, counting only your hours."),
    )
    away_until = forms.DateField(
        label=_("Away until, including this day (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    away_message = forms.CharField(
        label=_("Message while you are away (optional)"),
        required=False,
        max_length=AWAY_MESSAGE_MAX,
        help_text=_("For example who covers for you. Patients see it on their requests."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day in Weekday:
            self.fields[f"day_{day.value}"] = forms.CharField(
                label=day.label,
                required=False,
                max_length=200,
                help_text=_("For example 09:00–12:00, 14:00–17:00. Empty: no coaching that day."),
            )

    def day_fields(self) -> list[forms.BoundField]:
        return [self[f"day_{day.value}"] for day in Weekday]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        windows: list[WindowSpec] = []
        for day in Weekday:
            name = f"day_{day.value}"
            try:
                spans = parse_spans(data.get(name, "") or "")
            except ValueError as exc:
                self.add_error(name, str(exc))
                continue
            windows += [WindowSpec(day.value, start, end) for start, end in spans]
        data["windows"] = windows
        return data

    def action_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "time_zone": data["time_zone"],
            "windows": data["windows"],
            "answer_within_minutes": data["answer_within_minutes"],
            "away_until": data["away_until"],
            "away_message": data["away_message"],
        }


def spans_text(windows: list[Any], weekday: int) -> str:
    return ", ".join(f"{w.start:%H:%M}–{w.end:%H:%M}" for w in windows if w.weekday == weekday)

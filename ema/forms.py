"""Check-in forms: a questionnaire built from its data, the patient's settings, a schedule."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.actions import ActionError
from ema.models import EmaSettings, Questionnaire, Schedule, ScheduleKind

#: A scale with at most this many steps is a row of buttons; a longer one is a slider.
MAX_BUTTON_STEPS = 11
PLEASE_ANSWER = _("Please answer this question.")


class RangeInput(forms.NumberInput):
    """A slider sent only once moved (see ``ema/widgets/range.html`` and ``checkin.js``)."""

    input_type = "range"
    template_name = "ema/widgets/range.html"


@dataclass(frozen=True)
class QuestionField:
    """One question of the form, with what its template needs."""

    question: dict[str, Any]
    field: forms.BoundField
    #: "slider", "buttons", "choice", "multi" or "text"
    style: str

    @property
    def min_label(self) -> str:
        return str(self.question.get("min_label", ""))

    @property
    def max_label(self) -> str:
        return str(self.question.get("max_label", ""))

    @property
    def scale_hint(self) -> str:
        """What the ends of a scale mean: "0 = Not at all, 5 = Extremely"."""
        ends = [
            f"{self.question[end]} = {label}"
            for end, label in (("min", self.min_label), ("max", self.max_label))
            if label
        ]
        return ", ".join(ends)


def _field_name(question_id: str) -> str:
    return f"q_{question_id}"


class AnswerForm(forms.Form):
    """A check-in's questions as form fields named ``q_<question id>``."""

    def __init__(self, *args: Any, questions: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.styles: dict[str, str] = {}
        #: The option values of choice questions by their text in the form (values may be numbers).
        self.option_values: dict[str, dict[str, Any]] = {}
        for question in questions:
            name = _field_name(question["id"])
            field, style = self._field_for(name, question)
            field.label = question["text"]
            field.required = bool(question.get("required", True))
            field.error_messages["required"] = PLEASE_ANSWER
            self.fields[name] = field
            self.styles[name] = style
            if question["type"] in {"choice", "multi"}:
                self.option_values[name] = {
                    str(o["value"]): o["value"] for o in question["options"]
                }

    def _field_for(self, name: str, question: dict[str, Any]) -> tuple[forms.Field, str]:
        kind = question["type"]
        if kind == "scale":
            low, high = int(question["min"]), int(question["max"])
            if high - low + 1 <= MAX_BUTTON_STEPS:
                choices = [(str(n), str(n)) for n in range(low, high + 1)]
                return (
                    forms.TypedChoiceField(choices=choices, coerce=int, widget=forms.RadioSelect),
                    "buttons",
                )
            slider = forms.IntegerField(
                min_value=low,
                max_value=high,
                initial=(low + high) // 2,
                widget=RangeInput(
                    attrs={
                        "step": 1,
                        "aria-describedby": f"id_{name}_ends",
                        "data-output": f"id_{name}_value",
                    }
                ),
            )
            return slider, "slider"
        if kind in {"choice", "multi"}:
            choices = [(str(o["value"]), str(o["label"])) for o in question["options"]]
            if kind == "choice":
                return forms.ChoiceField(choices=choices, widget=forms.RadioSelect), "choice"
            return (
                forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple),
                "multi",
            )
        max_length = int(question.get("max_length", 500))
        return (
            forms.CharField(
                max_length=max_length, widget=forms.Textarea(attrs={"rows": 3}), strip=True
            ),
            "text",
        )

    def question_fields(self) -> list[QuestionField]:
        return [
            QuestionField(question, self[_field_name(question["id"])], self.styles[name])
            for question in self.questions
            for name in [_field_name(question["id"])]
        ]

    def answers(self) -> dict[str, Any]:
        """The cleaned answers keyed by question id, as ``actions.answer_prompt`` takes them."""
        answers: dict[str, Any] = {}
        for question in self.questions:
            name = _field_name(question["id"])
            value = self.cleaned_data.get(name)
            if value in (None, "", []):
                continue
            options = self.option_values.get(name)
            if options is not None:
                value = [options[v] for v in value] if isinstance(value, list) else options[value]
            answers[question["id"]] = value
        return answers

    def add_action_error(self, error: ActionError) -> None:
        """Show a refusal beside its question (``answers.<id>``), or above the form."""
        name = None
        if error.field and error.field.startswith("answers."):
            name = _field_name(error.field.removeprefix("answers."))
        self.add_error(name if name in self.fields else None, error.message)


class SettingsForm(forms.Form):
    sleep_start = forms.TimeField(
        label=_("I usually go to sleep at"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    sleep_end = forms.TimeField(
        label=_("I usually wake up at"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    push_enabled = forms.BooleanField(label=_("Notifications on my phone"), required=False)
    email_enabled = forms.BooleanField(label=_("E-mail reminders"), required=False)

    @classmethod
    def initial_from(cls, settings: EmaSettings | None) -> dict[str, Any]:
        if settings is None:
            return {"push_enabled": True, "email_enabled": False}
        return {
            "sleep_start": settings.sleep_start,
            "sleep_end": settings.sleep_end,
            "push_enabled": settings.push_enabled,
            "email_enabled": settings.email_enabled,
        }


_CLOCK = r"([01]?[0-9]|2[0-3])[:.h]([0-5][0-9])"
_CLOCK_RE = re.compile(rf"^{_CLOCK}$")
_WINDOW_RE = re.compile(rf"^{_CLOCK}\s*(?:-|–|—|to)\s*{_CLOCK}$")
_SEPARATORS = re.compile(r"[,;\n]+")


def _clock(hours: str, minutes: str) -> str:
    return time(int(hours), int(minutes)).strftime("%H:%M")


def _pieces(text: str) -> list[str]:
    return [piece.strip() for piece in _SEPARATORS.split(text) if piece.strip()]


def describe_times(times: list[str]) -> str:
    return ", ".join(times)


def describe_windows(windows: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in windows)


class ScheduleForm(forms.Form):
    """A schedule with its times and windows written as text: "09:00, 13:00", "09:00-12:00"."""

    questionnaire = forms.TypedChoiceField(
        label=_("Questionnaire"),
        required=False,
        help_text=_("The shared momentary check-in, or one your organisation loaded."),
    )

    kind = forms.ChoiceField(
        label=_("When to ask"),
        choices=ScheduleKind.choices,
        initial=ScheduleKind.FIXED,
        widget=forms.RadioSelect,
    )
    times = forms.CharField(
        label=_("Times (fixed)"),
        required=False,
        max_length=400,
        help_text=_("The patient's local times, separated by commas, e.g. 09:00, 13:00, 20:30."),
    )
    windows = forms.CharField(
        label=_("Windows (random, or every N minutes)"),
        required=False,
        max_length=400,
        help_text=_(
            "From-to, separated by commas, e.g. 09:00-12:00, 14:00-20:00. "
            "Every N minutes uses one window."
        ),
    )
    prompts_per_window = forms.IntegerField(
        label=_("Prompts per window (random)"), min_value=1, max_value=50, initial=1
    )
    min_gap_minutes = forms.IntegerField(
        label=_("Minimum minutes between random prompts"), min_value=0, max_value=1440, initial=30
    )
    every_minutes = forms.IntegerField(
        label=_("Every N minutes (interval)"), min_value=1, max_value=1440, initial=60
    )
    start_date = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end_date = forms.DateField(
        label=_("Last day"),
        required=False,
        help_text=_("Leave empty to keep asking until the schedule is stopped."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    expires_after_minutes = forms.IntegerField(
        label=_("Minutes to answer"),
        min_value=5,
        max_value=1440,
        initial=30,
        help_text=_("After this a prompt counts as missed; it can still be answered that day."),
    )

    def __init__(self, *args: Any, questionnaires: list[Questionnaire], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaires = {str(q.public_id): q for q in questionnaires}
        field = self.fields["questionnaire"]
        if not isinstance(field, forms.ChoiceField):  # pragma: no cover - declared above
            raise TypeError("questionnaire must be a choice field")
        field.choices = [
            (key, f"{q.name} (v{q.version})") for key, q in self.questionnaires.items()
        ]
        if questionnaires and not self.initial.get("questionnaire"):
            self.initial["questionnaire"] = str(questionnaires[0].public_id)

    def clean_questionnaire(self) -> Questionnaire | None:
        key = self.cleaned_data.get("questionnaire") or ""
        return self.questionnaires.get(str(key))

    @classmethod
    def initial_from(cls, schedule: Schedule) -> dict[str, Any]:
        return {
            "questionnaire": str(schedule.questionnaire.public_id),
            "kind": schedule.kind,
            "times": describe_times(schedule.times),
            "windows": describe_windows(schedule.windows),
            "prompts_per_window": schedule.prompts_per_window,
            "min_gap_minutes": schedule.min_gap_minutes,
            "every_minutes": schedule.every_minutes,
            "start_date": schedule.start_date,
            "end_date": schedule.end_date,
            "expires_after_minutes": schedule.expires_after_minutes,
        }

    def clean_times(self) -> list[str]:
        times = []
        for piece in _pieces(self.cleaned_data["times"]):
            match = _CLOCK_RE.match(piece)
            if match is None:
                raise forms.ValidationError(
                    _("“%(piece)s” is not a time: write times like 09:00, 13:00."),
                    params={"piece": piece},
                )
            times.append(_clock(*match.groups()))
        return times

    def clean_windows(self) -> list[list[str]]:
        windows = []
        for piece in _pieces(self.cleaned_data["windows"]):
            match = _WINDOW_RE.match(piece)
            if match is None:
                raise forms.ValidationError(
                    _("“%(piece)s” is not a window: write windows like 09:00-12:00."),
                    params={"piece": piece},
                )
            start_h, start_m, end_h, end_m = match.groups()
            windows.append([_clock(start_h, start_m), _clock(end_h, end_m)])
        return windows

    def schedule_fields(self) -> dict[str, Any]:
        """The fields for ``actions.create_schedule`` / ``update_schedule``."""
        data = dict(self.cleaned_data)
        fixed = data["kind"] == ScheduleKind.FIXED
        data["times"] = data["times"] if fixed else []
        data["windows"] = [] if fixed else data["windows"]
        return data

"""The safety-plan form: every section on one page, text sections one item per line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from diary.models import TargetKind
from safety.models import RuleKind
from safety.plans import (
    CONTACT_SECTIONS,
    HINTS,
    MAX_ITEMS,
    MAX_NAME,
    MAX_NOTE,
    MAX_PHONE,
    MAX_TEXT,
    STEPS,
    PlanContent,
    PlanError,
    Section,
    parse_plan,
)

#: The order the form asks in: what matters most first, then the six steps.
FORM_ORDER = (Section.REASONS, *STEPS)
EMPTY_ROWS = 1
MIN_ROWS = 2


@dataclass(frozen=True)
class ContactRow:
    name: forms.BoundField
    phone: forms.BoundField
    note: forms.BoundField


@dataclass(frozen=True)
class FormSection:
    value: str
    label: str
    hint: str
    step: int | None
    text: forms.BoundField | None
    rows: list[ContactRow]


class SafetyPlanForm(forms.Form):
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self,
        *args: Any,
        plan: PlanContent | None,
        shared: frozenset[str] | None = None,
        **kwargs: Any,
    ) -> None:
        """``shared`` is given when the patient edits (they choose what supporters see)."""
        super().__init__(*args, **kwargs)
        plan = plan or PlanContent()
        self.row_counts: dict[str, int] = {}
        for section in FORM_ORDER:
            if section in CONTACT_SECTIONS:
                people = plan.items(section)
                count = min(MAX_ITEMS, max(MIN_ROWS, len(people) + EMPTY_ROWS))
                if self.is_bound:
                    count = min(MAX_ITEMS, max(count, self._bound_rows(section)))
                self.row_counts[section] = count
                for index in range(count):
                    person = people[index] if index < len(people) else None
                    prefix = f"{section}-{index}"
                    self.fields[f"{prefix}-name"] = forms.CharField(
                        label=_("Name"),
                        required=False,
                        max_length=MAX_NAME,
                        initial=person.name if person else "",
                    )
                    self.fields[f"{prefix}-phone"] = forms.CharField(
                        label=_("Phone"),
                        required=False,
                        max_length=MAX_PHONE,
                        initial=person.phone if person else "",
                        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
                    )
                    self.fields[f"{prefix}-note"] = forms.CharField(
                        label=_("Note"),
                        required=False,
                        max_length=MAX_NOTE,
                        initial=person.note if person else "",
                    )
            else:
                self.fields[section] = forms.CharField(
                    label=Section(section).label,
                    help_text=_("One per line."),
                    required=False,
                    max_length=MAX_ITEMS * (MAX_TEXT + 2),
                    initial="\n".join(plan.items(section)),
                    widget=forms.Textarea(attrs={"rows": 4}),
                )
        self.asks_sharing = shared is not None
        if shared is not None:
            self.fields["shared_sections"] = forms.MultipleChoiceField(
                label=_("What the supporters you share your plan with may see"),
                choices=[(s, Section(s).label) for s in FORM_ORDER],
                required=False,
                initial=sorted(shared),
                widget=forms.CheckboxSelectMultiple,
            )
        self.content: PlanContent | None = None

    def _bound_rows(self, section: str) -> int:
        indexes = [
            int(key.split("-")[1])
            for key in self.data
            if key.startswith(f"{section}-") and key.split("-")[1].isdigit()
        ]
        return max(indexes, default=-1) + 1

    def sections(self) -> list[FormSection]:
        out = []
        for section in FORM_ORDER:
            step = STEPS.index(section) + 1 if section in STEPS else None
            if section in CONTACT_SECTIONS:
                rows = [
                    ContactRow(
                        self[f"{section}-{i}-name"],
                        self[f"{section}-{i}-phone"],
                        self[f"{section}-{i}-note"],
                    )
                    for i in range(self.row_counts[section])
                ]
                text = None
            else:
                rows, text = [], self[section]
            out.append(
                FormSection(
                    section, str(Section(section).label), str(HINTS[section]), step, text, rows
                )
            )
        return out

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        data: dict[str, list[Any]] = {}
        for section in FORM_ORDER:
            if section in CONTACT_SECTIONS:
                data[section] = [
                    {
                        key: cleaned.get(f"{section}-{i}-{key}", "")
                        for key in ("name", "phone", "note")
                    }
                    for i in range(self.row_counts[section])
                ]
            else:
                data[section] = str(cleaned.get(section, "")).splitlines()
        try:
            self.content = parse_plan(data)
        except PlanError as exc:
            self.add_error(_field_for(exc.field, self.fields), exc.message)
        return cleaned


def _field_for(location: str, fields: dict[str, Any]) -> str | None:
    """The form field a plan error points at: ``help.0.phone`` → ``help-0-phone``."""
    parts = location.split(".")
    candidates = ["-".join(parts), parts[0]]
    for name in candidates:
        if name in fields:
            return name
    return None


class RuleForm(forms.Form):
    """A clinic's risk rule (the kind is chosen once, when the rule is added)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=RuleKind.choices)
    target_kind = forms.ChoiceField(
        label=_("Diary target (for diary rules)"),
        choices=[("", "—"), *TargetKind.choices],
        required=False,
    )
    question = forms.CharField(
        label=_("Check-in question key, or questionnaire/item such as phq9/9"),
        max_length=60,
        required=False,
    )
    threshold = forms.IntegerField(
        label=_("From level"),
        min_value=0,
        max_value=100,
        initial=0,
        help_text=_(
            "Urges 1–5; check-in answers 1–100; days without a card 1–30; not used for “acted on”."
        ),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, fixed_kind: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_kind:
            self.fields["kind"].disabled = True


class AlertSettingsForm(forms.Form):
    escalate_after_minutes = forms.IntegerField(
        label=_("Escalate an unacknowledged alert after (minutes)"), min_value=5, max_value=1440
    )
    on_call_name = forms.CharField(label=_("On-call contact"), max_length=120, required=False)
    on_call_email = forms.EmailField(label=_("On-call e-mail"), required=False)


class WatchForm(forms.Form):
    reason = forms.CharField(
        label=_("Why this patient is on high-risk watch"),
        max_length=300,
        widget=forms.TextInput,
    )

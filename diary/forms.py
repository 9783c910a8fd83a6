"""The diary card form (built from the day's targets and emotions) and the settings forms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from diary.cards import CardValues, TargetValue
from diary.defaults import SKILLS_SCALE
from diary.models import DiaryCard, Emotion, Target, TargetKind

RATING_CHOICES = [(str(n), str(n)) for n in range(6)]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
MEDS_CHOICES = [("yes", _("Yes")), ("no", _("No")), ("none", _("No prescribed medication"))]


def _rating(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=RATING_CHOICES, required=False, widget=forms.RadioSelect
    )


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


class CardForm(forms.Form):
    """One day's card. Field names carry the item's public id: ``emotion_<id>``, ``urge_<id>``."""

    skills_used = forms.TypedChoiceField(
        label=_("Skills"),
        choices=[(str(n), f"{n} — {label}") for n, label in SKILLS_SCALE],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    skills = forms.CharField(
        label=_("Which skills?"),
        required=False,
        max_length=600,
        help_text=_("Separate them with commas, e.g. TIP, check the facts."),
    )
    prescribed_meds_taken = forms.ChoiceField(
        label=_("Took prescribed medication as prescribed"),
        choices=MEDS_CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )
    prn_meds = forms.CharField(
        label=_("As-needed medication (what, how much)"), required=False, max_length=200
    )
    alcohol = forms.CharField(label=_("Alcohol (what, how much)"), required=False, max_length=200)
    drugs = forms.CharField(label=_("Drugs (what, how much)"), required=False, max_length=200)
    sleep_hours = forms.DecimalField(
        label=_("Hours of sleep"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(24),
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    note = forms.CharField(
        label=_("Anything else about today"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        targets: list[Target],
        emotions: list[Emotion],
        card: DiaryCard | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.targets = targets
        self.emotions = emotions
        for emotion in emotions:
            self.fields[f"emotion_{emotion.public_id}"] = _rating(emotion.name)
        for target in targets:
            self.fields[f"urge_{target.public_id}"] = _rating(
                _("Urge: %(name)s") % {"name": target.name}
            )
            self.fields[f"acted_{target.public_id}"] = forms.ChoiceField(
                label=_("Acted on it: %(name)s") % {"name": target.name},
                choices=YES_NO,
                required=False,
                widget=forms.RadioSelect,
            )
            if target.asks_detail:
                self.fields[f"detail_{target.public_id}"] = forms.CharField(
                    label=_("What and how much"), required=False, max_length=200
                )
        if card is not None and not self.is_bound:
            self.initial.update(self._initial_from(card))

    def _initial_from(self, card: DiaryCard) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "skills_used": None if card.skills_used is None else str(card.skills_used),
            "skills": ", ".join(card.skills),
            "prescribed_meds_taken": _yes_no(card.prescribed_meds_taken),
            "prn_meds": card.prn_meds,
            "alcohol": card.alcohol,
            "drugs": card.drugs,
            "sleep_hours": card.sleep_hours,
            "note": card.note,
        }
        for row_e in card.emotions.all():
            if row_e.rating is not None:
                initial[f"emotion_{row_e.emotion.public_id}"] = str(row_e.rating)
        for row in card.targets.all():
            key = row.target.public_id
            if row.urge is not None:
                initial[f"urge_{key}"] = str(row.urge)
            initial[f"acted_{key}"] = _yes_no(row.acted)
            initial[f"detail_{key}"] = row.detail
        return initial

    # --- grouping for the template ----------------------------------------------------------

    def emotion_fields(self) -> list[dict[str, Any]]:
        return [{"emotion": e, "field": self[f"emotion_{e.public_id}"]} for e in self.emotions]

    def target_groups(self) -> list[dict[str, Any]]:
        return [
            {
                "target": target,
                "urge": self[f"urge_{target.public_id}"],
                "acted": self[f"acted_{target.public_id}"],
                "detail": self[f"detail_{target.public_id}"] if target.asks_detail else None,
            }
            for target in self.targets
        ]

    def to_values(self) -> CardValues:
        data = self.cleaned_data

        def number(name: str) -> int | None:
            value = data.get(name)
            return int(value) if value not in (None, "") else None

        def boolean(name: str) -> bool | None:
            value = data.get(name)
            return {"yes": True, "no": False}.get(value or "")

        meds = data.get("prescribed_meds_taken") or ""
        return CardValues(
            emotions={str(e.public_id): number(f"emotion_{e.public_id}") for e in self.emotions},
            targets={
                str(t.public_id): TargetValue(
                    urge=number(f"urge_{t.public_id}"),
                    acted=boolean(f"acted_{t.public_id}"),
                    detail=(data.get(f"detail_{t.public_id}") or "").strip(),
                )
                for t in self.targets
            },
            skills_used=data.get("skills_used"),
            skills=tuple(
                skill.strip()[:60]
                for skill in (data.get("skills") or "").split(",")
                if skill.strip()
            )[:30],
            prescribed_meds_taken={"yes": True, "no": False}.get(meds),
            prn_meds=data.get("prn_meds", "").strip(),
            alcohol=data.get("alcohol", "").strip(),
            drugs=data.get("drugs", "").strip(),
            sleep_hours=data.get("sleep_hours"),
            note=data.get("note", "").strip(),
        )


class AddTargetForm(forms.Form):
    name = forms.CharField(label=_("Target"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=TargetKind.choices, initial=TargetKind.OTHER)
    asks_detail = forms.BooleanField(
        label=_("When acted on, ask what was done and how much"), required=False
    )


class AddEmotionForm(forms.Form):
    name = forms.CharField(label=_("Emotion"), max_length=60)

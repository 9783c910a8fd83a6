"""Read-side views of the skills library and the practice log, without N+1 queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Sum,
    When,
)

from care.models import Patient
from skills.access import visible_skills
from skills.coach import History
from skills.models import Favourite, Practice, Skill

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class LibraryQuery:
    text: str = ""
    module: str = ""
    situation: str = ""
    favourites_only: bool = False


def library(user: User, query: LibraryQuery, patient: Patient | None = None) -> list[Skill]:
    """The skills matching ``query``; a patient's favourites first (``skill.is_favourite``).

    The situation filter runs in Python: the catalogue is small (tens of skills, a few
    hundred with a clinic's own), and JSON containment has no portable lookup on SQLite.
    """
    skills = visible_skills(user)
    if query.text:
        text = query.text.strip()
        skills = skills.filter(
            Q(name__icontains=text) | Q(acronym__icontains=text) | Q(summary__icontains=text)
        )
    if query.module:
        skills = skills.filter(module=query.module)
    if patient is not None:
        skills = skills.annotate(
            is_favourite=Exists(Favourite.objects.filter(patient=patient, skill=OuterRef("pk")))
        ).order_by("-is_favourite", "module", "position", "name")
        if query.favourites_only:
            skills = skills.filter(is_favourite=True)
    rows = list(skills)
    if query.situation:
        rows = [skill for skill in rows if query.situation in skill.situations]
    return rows


def is_favourite(patient: Patient, skill: Skill) -> bool:
    return Favourite.objects.filter(patient=patient, skill=skill).exists()


@dataclass(frozen=True)
class SkillSummary:
    """How a patient has practised one skill."""

    skill: Skill
    count: int
    helped: int
    mean_before: float
    mean_after: float
    last: datetime

    @property
    def mean_drop(self) -> float:
        return self.mean_before - self.mean_after


def practice_summary(patient: Patient) -> list[SkillSummary]:
    """One row per skill the patient has practised, most practised first (two queries)."""
    rows = list(
        Practice.objects.filter(patient=patient)
        .values("skill_id")
        .annotate(
            count=Count("id"),
            helped=Sum(
                Case(
                    When(distress_after__lt=F("distress_before"), then=1),
                    default=0,
                    output_field=IntegerField(),
                )
            ),
            mean_before=Avg("distress_before"),
            mean_after=Avg("distress_after"),
            last=Max("practised_at"),
        )
        .order_by()
    )
    skills = Skill.objects.in_bulk([row["skill_id"] for row in rows])
    summaries = [
        SkillSummary(
            skill=skills[row["skill_id"]],
            count=row["count"],
            helped=row["helped"] or 0,
            mean_before=float(row["mean_before"]),
            mean_after=float(row["mean_after"]),
            last=row["last"],
        )
        for row in rows
    ]
    return sorted(summaries, key=lambda s: (-s.count, -s.last.timestamp(), s.skill.name))


def recent_practices(patient: Patient, limit: int = 20) -> list[Practice]:
    return list(
        Practice.objects.filter(patient=patient)
        .select_related("skill")
        .order_by("-practised_at", "-id")[:limit]
    )


def coach_histories(patient: Patient) -> dict[str, History]:
    """The patient's record with each built-in skill, by slug, for the coach (one query)."""
    histories: dict[str, History] = {}
    rows = (
        Practice.objects.filter(patient=patient, skill__organisation__isnull=True)
        .values_list("skill__slug", "distress_before", "distress_after")
        .order_by()
    )
    for slug, before, after in rows:
        histories[slug] = histories.get(slug, History()).add(before, after)
    return histories

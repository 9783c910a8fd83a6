"""API shapes for the skills library, favourites, practices and the coach."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import AwareDatetime

from skills.models import DISTRESS_MAX, NOTE_MAX

Distress = Annotated[int, Field(ge=0, le=DISTRESS_MAX)]

ModuleName = Literal[
    "mindfulness", "distress_tolerance", "emotion_regulation", "interpersonal_effectiveness"
]
SituationName = Literal[
    "crisis",
    "urge",
    "emotion_doesnt_fit",
    "emotion_fits",
    "ask_for_something",
    "relationship",
    "self_respect",
    "cant_change",
    "vulnerable",
    "present",
    "substances",
]
#: The coach's short lists (``skills.coach.EMOTIONS``, ``URGES``, ``SITUATIONS``).
EmotionName = Literal[
    "none", "sadness", "anger", "fear", "shame", "guilt", "loneliness", "emptiness", "jealousy"
]
UrgeName = Literal["none", "self_harm", "suicide", "substance", "other"]
CoachSituation = Literal[
    "none",
    "emotion_doesnt_fit",
    "emotion_fits",
    "ask_for_something",
    "relationship",
    "self_respect",
    "cant_change",
    "vulnerable",
]


class SkillQuery(Schema):
    q: str = Field(default="", max_length=100, description="Words in the name, acronym or summary.")
    module: ModuleName | None = None
    situation: SituationName | None = None
    favourites: bool = Field(default=False, description="Only the patient's favourites.")


class SkillOut(Schema):
    id: UUID
    slug: str
    name: str
    acronym: str
    module: str
    summary: str
    when: str
    steps: list[str]
    example: str
    minutes: int
    situations: list[str]
    references: list[str]
    caution: str
    clinic_skill: bool
    favourite: bool | None = Field(description="For patients: whether they starred it.")


class FavouriteOut(Schema):
    skill: UUID
    favourite: bool


class PracticeIn(Schema):
    skill: UUID
    practised_at: AwareDatetime | None = Field(
        default=None, description="When, with its UTC offset; now if left out."
    )
    distress_before: Distress
    distress_after: Distress
    note: str = Field(default="", max_length=NOTE_MAX)


class PracticeOut(Schema):
    id: UUID
    skill: UUID
    skill_name: str
    practised_at: datetime
    day: date
    distress_before: int
    distress_after: int
    note: str
    on_card: bool = Field(description="Whether the skill was added to that day's diary card.")


class SkillSummaryOut(Schema):
    skill: UUID
    skill_name: str
    count: int
    helped: int = Field(description="Practices after which distress was lower.")
    mean_before: float
    mean_after: float
    mean_change: float = Field(description="Mean after minus mean before (negative: lower).")
    last: datetime


class CoachIn(Schema):
    distress: Distress
    emotion: EmotionName = "none"
    urge: UrgeName = "none"
    situation: CoachSituation = "none"


class PersonalRecordOut(Schema):
    practices: int
    helped: int


class ProposalOut(Schema):
    skill: UUID
    slug: str
    name: str
    reason: str
    rule: str
    tier: Literal["crisis", "situation", "general"]
    personal: PersonalRecordOut | None = Field(
        description="This person's record with the skill, once it counts for the ranking."
    )


class CoachOut(Schema):
    proposals: list[ProposalOut]
    safety_plan: bool = Field(description="Point the person to their safety plan now.")
    safety_plan_url: str
    personalised: bool

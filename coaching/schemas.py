"""API shapes for coaching requests, their messages and coaching hours."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal
from uuid import UUID

from ninja import Field, Schema

from coaching.models import (
    AWAY_MESSAGE_MAX,
    DISTRESS_MAX,
    INTENSITY_MAX,
    MESSAGE_MAX,
    OTHER_SKILLS_MAX,
    SITUATION_MAX,
)

Intensity = Annotated[int, Field(ge=0, le=INTENSITY_MAX)]
#: The coach's short lists (``skills.coach.EMOTIONS``, ``URGES``).
EmotionName = Literal[
    "none", "sadness", "anger", "fear", "shame", "guilt", "loneliness", "emptiness", "jealousy"
]
UrgeName = Literal["none", "self_harm", "suicide", "substance", "other"]
StatusName = Literal["open", "answered", "closed"]


class RequestIn(Schema):
    distress: int = Field(ge=0, le=DISTRESS_MAX, description="0 calm – 100 the most imaginable.")
    emotion: EmotionName
    emotion_intensity: Intensity = 0
    urge: UrgeName
    urge_intensity: Intensity = 0
    situation: str = Field(default="", max_length=SITUATION_MAX)
    skills_tried: list[UUID] = Field(
        default_factory=list, max_length=60, description="Skills of the library, by id."
    )
    other_skills: str = Field(default="", max_length=OTHER_SKILLS_MAX)


class MessageIn(Schema):
    body: str = Field(min_length=1, max_length=MESSAGE_MAX)


class MessageOut(Schema):
    id: UUID
    from_patient: bool
    author_name: str
    body: str
    created_at: datetime


class SkillRef(Schema):
    id: UUID
    name: str


class RequestOut(Schema):
    id: UUID
    patient: UUID
    patient_name: str
    therapist_name: str
    status: StatusName
    distress: int
    emotion: str
    emotion_intensity: int
    urge: str
    urge_intensity: int
    situation: str
    skills_tried: list[SkillRef]
    other_skills: str
    created_at: datetime
    expected_by: datetime | None = Field(
        description="When, by the therapist's hours, an answer can be expected."
    )
    outside_hours: bool
    first_response_at: datetime | None
    response_seconds: int | None = Field(description="From the request to the first answer.")
    closed_at: datetime | None
    messages: list[MessageOut] | None = Field(
        default=None, description="The thread (in single-request answers only)."
    )


class AskedOut(RequestOut):
    """A request as sent, and whether it matched one of the clinic's risk rules.

    When ``show_safety_plan`` is true the app shows the patient their safety plan and the
    crisis numbers at once (the care team has been alerted)."""

    show_safety_plan: bool


class InboxItemOut(Schema):
    id: UUID
    patient: UUID
    patient_name: str
    status: StatusName
    distress: int
    urge: str
    urge_intensity: int
    created_at: datetime
    waiting_since: datetime
    waiting_seconds: int


class WindowIO(Schema):
    weekday: int = Field(ge=0, le=6, description="0 Monday … 6 Sunday.")
    start: time
    end: time


class AvailabilityIO(Schema):
    time_zone: str = Field(max_length=64, description="An IANA zone, e.g. Europe/Amsterdam.")
    windows: list[WindowIO] = Field(default_factory=list, max_length=28)
    answer_within_minutes: int = Field(default=60, ge=5, le=24 * 60)
    away_until: date | None = None
    away_message: str = Field(default="", max_length=AWAY_MESSAGE_MAX)

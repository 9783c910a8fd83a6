"""API shapes of the chain-analysis worksheet."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from ninja import Field, Schema

from chains.models import (
    ALTERNATIVE_MAX,
    BEHAVIOUR_MAX,
    COMMENT_MAX,
    INTENSITY_MAX,
    LINK_TEXT_MAX,
    SECTION_MAX,
    SKILLS_PER_LINK_MAX,
)

Kind = Literal["thought", "feeling", "body", "action", "event"]


class ChainCreateIn(Schema):
    problem_behaviour: str = Field(
        default="",
        max_length=BEHAVIOUR_MAX,
        description="Left empty with a day: the targets acted on that day.",
    )
    day: date | None = Field(
        default=None, description="The diary day to start from; its card is copied in."
    )


class ChainUpdateIn(Schema):
    version: int = Field(ge=1, description="The version this change is based on.")
    problem_behaviour: str | None = Field(default=None, min_length=1, max_length=BEHAVIOUR_MAX)
    prompting_event: str | None = Field(default=None, max_length=SECTION_MAX)
    vulnerabilities: str | None = Field(default=None, max_length=SECTION_MAX)
    consequences_short: str | None = Field(default=None, max_length=SECTION_MAX)
    consequences_long: str | None = Field(default=None, max_length=SECTION_MAX)
    prevention: str | None = Field(default=None, max_length=SECTION_MAX)
    repair: str | None = Field(default=None, max_length=SECTION_MAX)


class LinkIn(Schema):
    kind: Kind
    text: str = Field(min_length=1, max_length=LINK_TEXT_MAX)
    intensity: int | None = Field(default=None, ge=0, le=INTENSITY_MAX)
    alternative: str = Field(default="", max_length=ALTERNATIVE_MAX)
    skills: list[UUID] = Field(
        default_factory=list,
        max_length=SKILLS_PER_LINK_MAX,
        description="Skills from the library, as skilful alternatives to this link.",
    )


class LinkCreateIn(LinkIn):
    position: int | None = Field(default=None, ge=0, description="0 is first; the end if left out.")


class LinkMoveIn(Schema):
    position: int = Field(ge=0, description="The link's new place, 0 being first.")


class CommentIn(Schema):
    text: str = Field(min_length=1, max_length=COMMENT_MAX)


class SkillRefOut(Schema):
    id: UUID
    name: str


class CommentOut(Schema):
    id: UUID
    author: str
    by_patient: bool
    text: str
    created_at: datetime


class LinkOut(Schema):
    id: UUID
    position: int
    kind: Kind
    text: str
    intensity: int | None
    alternative: str
    skills: list[SkillRefOut]
    comments: list[CommentOut]


class ChainSummaryOut(Schema):
    id: UUID
    status: Literal["draft", "shared"]
    version: int
    problem_behaviour: str
    day: date | None
    link_count: int
    comment_count: int
    created_at: datetime
    updated_at: datetime
    shared_at: datetime | None


class ChainOut(Schema):
    id: UUID
    patient: UUID
    status: Literal["draft", "shared"]
    version: int
    problem_behaviour: str
    day: date | None
    day_snapshot: dict[str, Any] = Field(
        description="The diary card of ``day`` when the chain was started: acted-on targets, "
        "urges, emotion ratings (0–5) and sleep."
    )
    prompting_event: str
    vulnerabilities: str
    consequences_short: str
    consequences_long: str
    prevention: str
    repair: str
    links: list[LinkOut]
    created_at: datetime
    updated_at: datetime
    shared_at: datetime | None

"""API shapes for instruments, questionnaires to fill in, scores and assignments."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Schema

from measures.actions import DEFAULT_HOURS_BEFORE, MAX_EVERY, MAX_HOURS_BEFORE, MAX_NOTE
from measures.definitions import MAX_ITEMS

FrequencyName = Literal["once", "days", "weeks", "session"]
StatusName = Literal["due", "in_progress", "submitted", "withdrawn"]
ChangeLabel = Literal[
    "reliable_improvement", "no_reliable_change", "reliable_deterioration", "recovered"
]


class OptionOut(Schema):
    value: int
    label: str


class ItemOut(Schema):
    id: str
    text: str = Field(description="Empty for a licensed instrument whose text is not loaded.")
    options: list[OptionOut]
    required: bool
    scored: bool


class BandOut(Schema):
    lower: float = Field(description="Inclusive lower bound.")
    label: str


class InstrumentOut(Schema):
    key: str
    version: str
    title: str
    short_title: str
    item_text: Literal["public", "licensed"]
    has_item_text: bool
    method: Literal["sum", "mean", "scaled_sum", "highest_positive"]
    range_low: float
    range_high: float
    higher_is_worse: bool
    bands: list[BandOut]
    licence: str
    citation: str


class QuestionnaireOut(Schema):
    id: UUID
    instrument: str
    short_title: str
    version: str
    status: StatusName
    due_at: datetime
    closes_at: datetime | None = Field(description="Before a session: when it starts.")
    submitted_at: datetime | None
    instructions: str
    answers: dict[str, int | None]
    items: list[ItemOut]


class AnswersIn(Schema):
    answers: dict[str, int | None] = Field(
        max_length=MAX_ITEMS, description="Item id → the chosen option's value (null: skip)."
    )


class SubmittedOut(Schema):
    id: UUID
    score: float | None
    summary: str = Field(description="Plain-language words for the patient; never a diagnosis.")
    show_safety_plan: bool = Field(
        description="An answer raised a risk alert: show the safety plan and crisis numbers."
    )


class ChangeOut(Schema):
    against: Literal["baseline", "previous"]
    before: float
    after: float
    difference: float
    method: Literal["jacobson_truax", "published_threshold"]
    formula: str
    reliability: float | None
    reliability_kind: str
    reference_sd: float | None
    se: float | None
    sdiff: float | None
    rci: float | None
    threshold: float
    reliable: bool
    improved: bool
    criterion: str = Field(description="a, b, c (Jacobson & Truax), cutoff, or empty.")
    criterion_point: float | None
    label: ChangeLabel
    source: str


class SubscaleOut(Schema):
    id: str
    title: str
    score: float | None


class ScoreOut(Schema):
    id: UUID
    questionnaire: UUID
    instrument: str
    version: str
    value: float | None
    band: str
    prorated: bool
    reason: str
    observed_at: datetime
    subscales: list[SubscaleOut]
    change: dict[str, ChangeOut]


class AssignIn(Schema):
    instrument: str = Field(max_length=40)
    frequency: FrequencyName = "once"
    every: int = Field(default=1, ge=1, le=MAX_EVERY)
    hours_before: int = Field(
        default=DEFAULT_HOURS_BEFORE,
        ge=1,
        le=MAX_HOURS_BEFORE,
        description="Before each session: it opens this many hours before the session.",
    )


class AssignmentOut(Schema):
    id: UUID
    instrument: str
    frequency: FrequencyName
    every: int
    hours_before: int
    next_due_at: datetime | None
    created_at: datetime
    stopped_at: datetime | None


class RecomputedOut(Schema):
    added: int


class SessionIn(Schema):
    starts_at: datetime = Field(
        description="Without an offset: a wall-clock time in the patient's time zone; with "
        "one: that instant."
    )
    note: str = Field(default="", max_length=MAX_NOTE)


class SessionOut(Schema):
    id: UUID
    starts_at: datetime
    local_start: str = Field(description="The start on the patient's wall clock.")
    time_zone: str
    note: str
    created_at: datetime
    cancelled_at: datetime | None

"""API shapes for diary cards."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from ninja import Field, Schema
from pydantic import AwareDatetime

Rating = Annotated[int, Field(ge=0, le=5)]
SkillName = Annotated[str, Field(min_length=1, max_length=60)]


class TargetValueIn(Schema):
    urge: Rating | None = None
    acted: bool | None = None
    detail: str = Field(default="", max_length=200)


class CardValuesIn(Schema):
    """A card's values; ``emotions`` and ``targets`` are keyed by the item ids of the template."""

    emotions: dict[UUID, Rating | None] = Field(default_factory=dict)
    targets: dict[UUID, TargetValueIn] = Field(default_factory=dict)
    skills_used: int | None = Field(default=None, ge=0, le=7)
    skills: list[SkillName] = Field(default_factory=list, max_length=30)
    prescribed_meds_taken: bool | None = None
    prn_meds: str = Field(default="", max_length=200)
    alcohol: str = Field(default="", max_length=200)
    drugs: str = Field(default="", max_length=200)
    sleep_hours: Decimal | None = Field(default=None, ge=0, le=24, decimal_places=1)
    note: str = Field(default="", max_length=4000)
    filled_in_session: bool = False


class EntryIn(CardValuesIn):
    date: date
    filled_at: AwareDatetime | None = Field(
        default=None,
        description=(
            "When the patient filled it in, with its UTC offset (for cards sent after being "
            "offline)."
        ),
    )
    offline: bool = False


class ItemOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str


class TargetItemOut(ItemOut):
    kind: str
    asks_detail: bool


class DatedItemOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    kind: str | None = None
    active_from: date
    retired_on: date | None


class EmotionRowOut(Schema):
    id: UUID
    name: str
    rating: int | None


class TargetRowOut(Schema):
    id: UUID
    name: str
    kind: str
    urge: int | None
    acted: bool | None
    detail: str


class CardOut(Schema):
    id: UUID
    date: date
    is_late: bool
    source: str
    first_saved_at: datetime
    updated_at: datetime
    emotions: list[EmotionRowOut]
    targets: list[TargetRowOut]
    skills_used: int | None
    skills: list[str]
    prescribed_meds_taken: bool | None
    prn_meds: str
    alcohol: str
    drugs: str
    sleep_hours: Decimal | None
    note: str
    filled_in_session: bool


class SavedCardOut(CardOut):
    """A card as a save left it, and whether that save matched one of the clinic's risk rules.

    When ``show_safety_plan`` is true the app shows the patient their safety plan and the
    crisis numbers at once (the care team has been alerted)."""

    show_safety_plan: bool


class TemplateOut(Schema):
    date: date
    editable: bool
    emotions: list[ItemOut]
    targets: list[TargetItemOut]
    card: CardOut | None


class TargetIn(Schema):
    name: str = Field(min_length=1, max_length=60)
    kind: str = Field(default="other", pattern="^(suicide|self_harm|substance|other)$")
    asks_detail: bool = False


class EmotionIn(Schema):
    name: str = Field(min_length=1, max_length=60)


class CardRangeQuery(Schema):
    start: date | None = Field(default=None, alias="from")
    end: date | None = Field(default=None, alias="to")

"""API shapes of the caseload dashboard."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Schema

ReasonName = Literal["alerts", "deterioration", "rising-urges", "missed-cards"]
SortName = Literal["attention", "name", "last-diary"]


class CaseloadFiltersIn(Schema):
    q: str = ""
    needs_attention: bool = Field(False, description="Only patients with a reason for attention.")
    reason: ReasonName | None = None
    sort: SortName = "attention"


class ReasonOut(Schema):
    kind: str = Field(description="alerts, deterioration, rising-urges or missed-cards.")
    text: str


class RateOut(Schema):
    done: int
    of: int
    share: float | None


class UrgeDayOut(Schema):
    date: date
    suicide: int | None
    self_harm: int | None


class LatestScoreOut(Schema):
    instrument: str
    value: float
    band: str
    observed_at: datetime
    change_label: str = Field(description="Reliable-change label; empty when none applies.")
    against: str = Field(description='"baseline", "previous", or empty.')


class CaseloadRowOut(Schema):
    patient_id: UUID
    name: str
    today: date = Field(description="Today in the patient's time zone.")
    needs_attention: bool
    reasons: list[ReasonOut] = Field(description="Most pressing first, in words.")
    open_alerts: int
    unacknowledged_alerts: int
    last_diary_day: date | None
    diary_cards_14_days: RateOut
    checkins_14_days: RateOut
    urges_28_days: list[UrgeDayOut]
    latest_score: LatestScoreOut | None

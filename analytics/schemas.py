"""API schemas of the patient analytics endpoint."""

from datetime import date
from typing import Any

from ninja import Schema


class AnalyticsOut(Schema):
    """The same data the page charts (``analytics.patient.chart_payload``). Dates and times
    are the patient's local wall-clock; ``null`` is missing (a day without a card, an
    unanswered check-in), never 0."""

    first: date
    last: date
    axis: list[str]
    time_zone: str
    note: str
    diary: dict[str, Any]
    ema: dict[str, Any]
    scores: list[dict[str, Any]]
    events: list[dict[str, Any]]
    trends: dict[str, Any]
    helps: dict[str, Any]

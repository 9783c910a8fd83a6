"""API shapes for progress reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Schema

ReportStatusName = Literal["queued", "running", "ready", "failed"]


class ReportIn(Schema):
    first: date = Field(description="First day of the period (the patient's local date).")
    last: date = Field(description="Last day of the period, inclusive; not after today.")
    include_notes: bool = Field(
        default=False, description="Add the diary notes (the patient's free text)."
    )


class ReportOut(Schema):
    id: UUID
    first: date
    last: date
    include_notes: bool
    status: ReportStatusName
    pages: int | None
    created_at: datetime
    finished_at: datetime | None
    download_url: str | None = Field(description="The PDF, once the status is ready.")

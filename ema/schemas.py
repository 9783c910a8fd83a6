"""API shapes for check-ins (EMA): open prompts, answers, settings, push, schedules, compliance."""

from __future__ import annotations

import ipaddress
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from uuid import UUID

from ninja import Field, Schema
from pydantic import AfterValidator, field_validator
from pydantic_core import PydanticCustomError

from ema.models import PromptResponse
from ema.questionnaires import MAX_QUESTIONS

_CLOCK = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


def _clock(value: str) -> str:
    match = _CLOCK.match(value)
    if match is None:
        raise PydanticCustomError("clock", "Write the time as HH:MM, e.g. 09:00 or 21:30.")
    return f"{int(match[1]):02d}:{match[2]}"


#: A local wall-clock time in whole minutes, as "HH:MM" ("9:00" is read as "09:00").
Clock = Annotated[
    str,
    Field(max_length=5, examples=["09:00"], json_schema_extra={"pattern": _CLOCK.pattern}),
    AfterValidator(_clock),
]
Kind = Literal["fixed", "random", "interval"]


class QuestionnaireOut(Schema):
    id: UUID
    name: str
    questions: list[dict[str, Any]] = Field(
        description="The questions as data: id, text, type (scale, choice, multi, text), options."
    )


class OpenPromptOut(Schema):
    id: UUID
    scheduled_at: datetime
    expires_at: datetime
    late: bool = Field(description="Past its answer window, but it can still be answered today.")
    questionnaire: QuestionnaireOut


class AnswersIn(Schema):
    answers: dict[str, Any] = Field(
        max_length=MAX_QUESTIONS,
        description=(
            "Question id → answer: a whole number for a scale, an option value for a choice, "
            "a list of option values for a multi-choice, text for a text question."
        ),
    )


class AnswerOut(Schema):
    prompt_id: UUID
    submitted_at: datetime
    is_late: bool
    answers: dict[str, Any]

    @staticmethod
    def resolve_prompt_id(obj: PromptResponse) -> UUID:
        return obj.prompt.public_id

    @staticmethod
    def resolve_is_late(obj: PromptResponse) -> bool:
        return obj.prompt.is_late


class AnsweredOut(Schema):
    """What an answer stored (as ``AnswerOut``), and whether it matched one of the clinic's
    risk rules: when ``show_safety_plan`` is true the app shows the patient their safety
    plan at once."""

    prompt_id: UUID
    submitted_at: datetime
    is_late: bool
    answers: dict[str, Any]
    show_safety_plan: bool


class ResponseOut(AnswerOut):
    scheduled_at: datetime
    questionnaire_id: UUID

    @staticmethod
    def resolve_scheduled_at(obj: PromptResponse) -> datetime:
        return obj.prompt.scheduled_at

    @staticmethod
    def resolve_questionnaire_id(obj: PromptResponse) -> UUID:
        return obj.prompt.questionnaire.public_id


class SettingsIn(Schema):
    sleep_start: Clock | None = Field(default=None, description="Quiet hours start (HH:MM).")
    sleep_end: Clock | None = Field(default=None, description="Quiet hours end (HH:MM).")
    push_enabled: bool = True
    email_enabled: bool = False


class SettingsOut(Schema):
    sleep_start: str | None
    sleep_end: str | None
    push_enabled: bool
    email_enabled: bool


class PushKeyOut(Schema):
    public_key: str = Field(description="The VAPID application server key (base64url).")


def _push_endpoint(value: str) -> str:
    """A push service's address: https, on a named host (never an IP address or this machine)."""
    parts = urlsplit(value)
    host = (parts.hostname or "").rstrip(".")
    refused = PydanticCustomError("push_endpoint", "Give the push service's https address.")
    if parts.scheme != "https" or not host or "." not in host or host.endswith(".localhost"):
        raise refused
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return value
    raise refused


class PushKeysIn(Schema):
    p256dh: str = Field(min_length=1, max_length=200)
    auth: str = Field(min_length=1, max_length=100)


class PushEndpointIn(Schema):
    endpoint: str = Field(min_length=1, max_length=800)

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        return _push_endpoint(value)


class PushSubscriptionIn(PushEndpointIn):
    keys: PushKeysIn


class PushSubscriptionOut(Schema):
    endpoint: str
    created_at: datetime


class ScheduleIn(Schema):
    questionnaire_id: UUID | None = Field(
        default=None, description="Default: the shared momentary check-in."
    )
    kind: Kind
    times: list[Clock] = Field(
        default_factory=list, max_length=50, description="Fixed: the times of day."
    )
    windows: list[tuple[Clock, Clock]] = Field(
        default_factory=list,
        max_length=20,
        description="Random: the daily windows; every N minutes: one window.",
    )
    prompts_per_window: int = Field(default=1, ge=1, le=50)
    min_gap_minutes: int = Field(default=30, ge=0, le=1440)
    every_minutes: int = Field(default=60, ge=1, le=1440)
    start_date: date | None = Field(default=None, description="Default: today, patient's time.")
    end_date: date | None = None
    expires_after_minutes: int = Field(default=30, ge=1, le=1440)


class ScheduleUpdateIn(Schema):
    """The fields to change; those left out keep their value (``end_date: null`` clears it)."""

    kind: Kind | None = None
    times: list[Clock] | None = Field(default=None, max_length=50)
    windows: list[tuple[Clock, Clock]] | None = Field(default=None, max_length=20)
    prompts_per_window: int | None = Field(default=None, ge=1, le=50)
    min_gap_minutes: int | None = Field(default=None, ge=0, le=1440)
    every_minutes: int | None = Field(default=None, ge=1, le=1440)
    start_date: date | None = None
    end_date: date | None = None
    expires_after_minutes: int | None = Field(default=None, ge=1, le=1440)


class QuestionnaireSummaryOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    version: int


class ScheduleOut(Schema):
    id: UUID = Field(alias="public_id")
    kind: str
    times: list[str]
    windows: list[list[str]]
    prompts_per_window: int
    min_gap_minutes: int
    every_minutes: int
    start_date: date
    end_date: date | None
    expires_after_minutes: int
    active: bool
    questionnaire: QuestionnaireSummaryOut
    created_at: datetime
    updated_at: datetime


class ComplianceQuery(Schema):
    days: int = Field(default=28, ge=1, le=366)


class ComplianceRowOut(Schema):
    schedule_id: UUID | None = Field(description="Empty on the total row.")
    kind: str | None
    due: int = Field(description="Prompts whose answer window had closed, or that were answered.")
    on_time: int
    late: int
    missed: int = Field(description="Not answered, and the answer window has closed.")
    rate: float | None = Field(description="Share of due prompts answered, on time or late.")


class ComplianceOut(Schema):
    days: int
    since: datetime
    until: datetime
    schedules: list[ComplianceRowOut]
    total: ComplianceRowOut

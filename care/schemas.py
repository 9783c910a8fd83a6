"""API shapes for patients, care teams and supporter sharing."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ninja import Field, Schema
from pydantic import ConfigDict, EmailStr

from care.models import SharingScope, TeamRole


class TeamMemberOut(Schema):
    model_config = ConfigDict(populate_by_name=True)

    public_id: UUID
    member_id: UUID = Field(alias="member.public_id")
    full_name: str = Field(alias="member.full_name")
    email: str = Field(alias="member.email")
    team_role: TeamRole
    added_at: datetime


class PatientSummaryOut(Schema):
    public_id: UUID
    display_name: str
    status: str
    has_account: bool

    @staticmethod
    def resolve_has_account(obj: object) -> bool:
        return getattr(obj, "user_id", None) is not None


class PatientOut(Schema):
    public_id: UUID
    given_name: str
    family_name: str
    preferred_name: str
    display_name: str
    date_of_birth: date | None
    record_number: str
    time_zone: str
    status: str
    care_team: list[TeamMemberOut]


class PatientIn(Schema):
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    preferred_name: str = Field(default="", max_length=100)
    date_of_birth: date | None = None
    record_number: str = Field(default="", max_length=40)
    email: EmailStr | None = None
    time_zone: str | None = Field(default=None, max_length=64)
    invite: bool = False


class TeamMemberIn(Schema):
    member_id: UUID
    team_role: TeamRole


class SupporterLinkOut(Schema):
    model_config = ConfigDict(populate_by_name=True)

    public_id: UUID
    supporter_name: str = Field(alias="supporter.full_name")
    supporter_email: str = Field(alias="supporter.email")
    relationship: str
    scopes: list[SharingScope]
    created_at: datetime


class SupporterIn(Schema):
    full_name: str = Field(min_length=1, max_length=150)
    email: EmailStr
    relationship: str = Field(default="", max_length=60)
    scopes: list[SharingScope] = Field(default_factory=list)


class SharingIn(Schema):
    scopes: list[SharingScope]


class SharedWithMeOut(Schema):
    model_config = ConfigDict(populate_by_name=True)

    patient_id: UUID = Field(alias="patient.public_id")
    display_name: str = Field(alias="patient.display_name")
    relationship: str
    scopes: list[SharingScope]


class BreakGlassIn(Schema):
    reason: str = Field(min_length=15, max_length=2000)


class BreakGlassOut(Schema):
    model_config = ConfigDict(populate_by_name=True)

    public_id: UUID
    patient_id: UUID = Field(alias="patient.public_id")
    created_at: datetime
    expires_at: datetime

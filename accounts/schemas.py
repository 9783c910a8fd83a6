"""API shapes for accounts, tokens and crisis resources."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.conf import settings
from ninja import Field, Schema


class OrganisationOut(Schema):
    public_id: UUID
    name: str
    time_zone: str


class MeOut(Schema):
    public_id: UUID
    email: str
    full_name: str
    role: str
    time_zone: str
    language: str
    organisation: OrganisationOut | None


class TokenOut(Schema):
    public_id: UUID
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    days: int = Field(default=settings.API_TOKEN_DEFAULT_DAYS, ge=1, le=settings.API_TOKEN_MAX_DAYS)


class TokenCreatedOut(TokenOut):
    secret: str = Field(description="Shown once. Store it safely; it cannot be shown again.")


class CrisisOut(Schema):
    organisation_name: str
    emergency_number: str
    emergency_tel: str
    crisis_line_name: str
    crisis_line_number: str
    crisis_line_tel: str
    crisis_text_number: str
    notes: str
    configured: bool

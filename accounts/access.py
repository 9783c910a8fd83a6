"""Entry points that fetch protected account objects; 404 for "missing" and "not yours"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from accounts.models import STAFF_ROLES, ApiToken, User
from core.ids import parse_public_id

if TYPE_CHECKING:
    from core.requests import AuthenticatedRequest


def access_staff_member(request: AuthenticatedRequest, public_id: object) -> User:
    """A staff member of the admin's own organisation."""
    admin = request.user
    if not admin.has_perm("accounts.manage_staff") or admin.organisation_id is None:
        raise Http404
    member = User.objects.filter(
        public_id=parse_public_id(public_id),
        organisation_id=admin.organisation_id,
        role__in=STAFF_ROLES,
    ).first()
    if member is None:
        raise Http404
    return member


def access_own_token(request: AuthenticatedRequest, public_id: object) -> ApiToken:
    token = ApiToken.objects.filter(
        public_id=parse_public_id(public_id), user_id=request.user.pk
    ).first()
    if token is None:
        raise Http404
    return token

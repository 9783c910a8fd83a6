"""How API clients prove who they are: a personal token, or a verified browser session."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from accounts.actions import hash_token
from accounts.models import ApiToken, User
from policy.twofactor import needs_second_factor

LAST_USED_RESOLUTION = timedelta(minutes=1)


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer wm_…``: the token's owner, with exactly the owner's permissions."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token or len(token) > 200:
            return None
        api_token = (
            # The owner's patient record too (none for staff): own-record checks need it.
            ApiToken.objects.select_related("user", "user__organisation", "user__patient_profile")
            .filter(key_hash=hash_token(token))
            .first()
        )
        if api_token is None or not api_token.is_usable or not api_token.user.is_active:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        user = api_token.user
        profile = getattr(user, "patient_profile", None)  # loaded with the token, or none
        if profile is not None and profile.organisation_id == user.organisation_id:
            # One clinic object for the request: the patient's rules need no extra read.
            profile.organisation = user.organisation
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


class VerifiedSessionAuth(SessionAuth):
    """The browser session (with CSRF protection), once staff have passed the second factor."""

    def authenticate(self, request: HttpRequest, key: Any) -> User | None:
        user = super().authenticate(request, key)
        if user is None or needs_second_factor(request):
            return None
        return user  # type: ignore[no-any-return]

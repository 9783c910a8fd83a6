"""Request types for views, so that type checking knows when a user is signed in.

Views behind ``policy.routes.page``, ``policy.routes.signed_in_any_factor`` and
``policy.api.operation`` take an ``AuthenticatedRequest``; public views take ``HttpRequest``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from django.http import HttpRequest

if TYPE_CHECKING:
    from accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """The request of views behind policy.routes.page / policy.api.operation: user signed in."""

    user: User


def is_signed_in(request: HttpRequest) -> TypeGuard[AuthenticatedRequest]:
    """Whether a user is signed in on ``request`` (which makes it an ``AuthenticatedRequest``)."""
    return request.user.is_authenticated

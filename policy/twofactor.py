"""Who must have passed a second factor (TOTP) in the current session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django_otp import user_has_device

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User


def second_factor_required(user: User) -> bool:
    """Staff need TOTP. The demo may relax this for its own demo staff, never in production."""
    if not user.is_authenticated or not user.is_staff_role:
        return False
    return not (settings.DEMO_RELAX_STAFF_2FA and user.is_demo)


def needs_second_factor(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    return second_factor_required(user) and not user.is_verified()


def has_confirmed_device(user: User) -> bool:
    return bool(user_has_device(user, confirmed=True))

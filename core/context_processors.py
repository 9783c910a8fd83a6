"""Template context every page shares: navigation, the crisis link, demo notices."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts.models import Role
from core.navigation import ACCOUNT_NAV, HEADER_NAV, MAIN_NAV, links_for
from policy.twofactor import needs_second_factor


def shell(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    # Until staff pass the second factor, every menu page would only send them back to it.
    menus = not (hasattr(user, "is_verified") and needs_second_factor(request))
    return {
        "main_nav": links_for(user, MAIN_NAV, request.path) if menus else [],
        "account_nav": links_for(user, ACCOUNT_NAV, request.path) if menus else [],
        "header_nav": links_for(user, HEADER_NAV, request.path) if menus else [],
        "demo_relaxed_2fa": settings.DEMO_RELAX_STAFF_2FA,
        "is_development": settings.ENV == "development",
        # Patients get their navigation at the bottom of a phone screen, within thumb reach.
        "body_class": "nav-bottom" if getattr(user, "role", None) == Role.PATIENT else "",
    }

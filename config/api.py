"""The HTTP API at /api/v1/: one NinjaAPI, with every domain's router registered here.

To add a domain's API, write ``<app>/api.py`` with a ``router`` and add it to
``ROUTERS``. Authentication is a personal API token (``Authorization: Bearer …``)
or the browser session (CSRF-protected; staff must have passed TOTP).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from csp.decorators import csp_update
from django.conf import settings
from ninja import NinjaAPI, Swagger
from ninja.throttling import AuthRateThrottle

from accounts.api_auth import BearerTokenAuth, VerifiedSessionAuth
from core import api_errors
from policy.routes import public

#: (URL prefix, module holding ``router``): the API router registry.
ROUTERS: tuple[tuple[str, str], ...] = (
    ("", "accounts.api"),
    ("", "care.api"),
    ("", "diary.api"),
    ("", "ema.api"),
    ("", "skills.api"),
    ("", "safety.api"),
    ("", "chains.api"),
    ("", "coaching.api"),
    ("", "measures.api"),
    ("", "reports.api"),
    ("", "dashboard.api"),
    ("", "research.api"),
    ("", "analytics.api"),
)


def _docs_page(view: Any) -> Any:
    # Swagger UI sets inline styles; scripts stay 'self' only.
    return public(csp_update({"style-src": ["'unsafe-inline'"]})(view))


api = NinjaAPI(
    title="wisemind API",
    version="1",
    description=(
        "The wisemind HTTP API for mobile and research clients. Authenticate with a personal "
        "API token (create one under Account → API tokens) sent as "
        "`Authorization: Bearer <token>`. "
        'Errors have one shape: `{"error": {"code", "message", "fields"}}`. Lists are '
        "paginated with `page` and `page_size`. Send an `Idempotency-Key` header with "
        "submissions to make a retry safe."
    ),
    urls_namespace="api",
    auth=[BearerTokenAuth(), VerifiedSessionAuth()],
    throttle=[AuthRateThrottle(settings.API_RATE_LIMIT)],
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_decorator=_docs_page,
)
api_errors.install(api)

for _prefix, _module in ROUTERS:
    api.add_router(_prefix, import_module(_module).router)

"""The installable app: web manifest, service worker and the offline page.

The service worker is served from the site root (``/sw.js``) so that its scope is the
whole site. It keeps the app's static files, the crisis page, and the diary pages and the
safety plan once the patient has opened them, so that the diary can be filled and the
plan and the crisis numbers read with no connection. Everything else goes to the network;
nothing is cached for API calls.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

from policy.routes import public

#: Static files the app needs to start offline.
SHELL = (
    "core/wisemind.css",
    "core/wisemind.js",
    "core/outbox.js",
    "vendor/htmx/htmx.min.js",
    "diary/card-offline.js",
    "core/icons/icon-192.png",
    "core/favicon.svg",
)


@public
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": "wisemind",
        "short_name": "wisemind",
        "description": _("Diary card, skills and crisis plan, between your appointments."),
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d5a85",
        "icons": [
            {"src": static("core/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("core/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("core/icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


@cache
def _worker_source() -> str:
    context = {
        "shell": json.dumps([static(path) for path in SHELL]),
        "offline_url": reverse("offline"),
        "crisis_url": reverse("crisis"),
        "cached_prefixes": json.dumps(
            [reverse("diary:today"), reverse("crisis"), reverse("safety:plan")]
        ),
    }
    body = render_to_string("core/sw.js", context)
    version = hashlib.sha256(body.encode()).hexdigest()[:12]
    return body.replace("__VERSION__", version)


@public
def service_worker(request: HttpRequest) -> HttpResponse:
    if settings.DEBUG:
        _worker_source.cache_clear()  # pick up edited static files while developing
    source = _worker_source()
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@public
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "core/offline.html")

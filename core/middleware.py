"""Request-wide middleware: API error shape, size limit, idle log-out, time zone and language."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.api_errors import code_for_status, error_body

Handler = Callable[[HttpRequest], HttpResponse]

LAST_SEEN_KEY = "wisemind_last_seen"


class ApiErrorShapeMiddleware:
    """Give the API's errors that Django or Django Ninja answer in HTML the one JSON shape.

    Two would otherwise reach an API client as HTML or plain text: a method the path
    does not take (Ninja answers 405 itself) and, while ``DEBUG`` is on, an unknown
    path (Django then shows its technical 404 page instead of calling ``handler404``).
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and 400 <= response.status_code < 500
            and not response.streaming
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            status = response.status_code
            messages_by_status = {
                404: _("Not found."),
                405: _("This method is not allowed here."),
            }
            message = messages_by_status.get(status, response.reason_phrase)
            shaped = JsonResponse(error_body(code_for_status(status), message), status=status)
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response


class RequestSizeLimitMiddleware:
    """Refuse bodies over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` up front with 413."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            message = _("The request is too large (limit %(limit)d bytes).") % {"limit": limit}
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"error": {"code": "too_large", "message": message, "fields": {}}},
                    status=413,
                )
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Log a session out after ``IDLE_TIMEOUT`` without a request.

    The last-seen time is written at most once a minute, so that an active user's
    session row is not rewritten on every request.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = timezone.now()
            last_seen_raw = request.session.get(LAST_SEEN_KEY)
            if last_seen_raw is not None:
                last_seen = datetime.fromisoformat(last_seen_raw)
                if now - last_seen > settings.IDLE_TIMEOUT:
                    logout(request)
                    if request.path.startswith("/api/"):
                        return self.get_response(request)
                    messages.info(request, _("You were logged out after a period of inactivity."))
                    return redirect_to_login(request.get_full_path())
                if (now - last_seen).total_seconds() < 60:
                    return self.get_response(request)
            request.session[LAST_SEEN_KEY] = now.isoformat()
            return self.get_response(request)
        response = self.get_response(request)
        # A log-in during this request starts the idle clock (not the first page after it).
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session and LAST_SEEN_KEY not in session:
            session[LAST_SEEN_KEY] = timezone.now().isoformat()
        return response


class UserPreferencesMiddleware:
    """Activate the signed-in user's time zone and language for the request."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        try:
            timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
        try:
            return self.get_response(request)
        finally:
            # Threads serve other users next: leave no preference behind.
            timezone.deactivate()
            translation.deactivate()

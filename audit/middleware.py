"""django-auditlog's request middleware, with the client address the access log uses."""

from __future__ import annotations

from collections.abc import Callable

from auditlog.cid import set_cid
from auditlog.middleware import AuditlogMiddleware
from django.http import HttpRequest, HttpResponse

from audit.recording import client_ip
from core.actions import change_context


class ChangeLogMiddleware(AuditlogMiddleware):  # type: ignore[misc]
    """Attribute each change to the request's user and client address.

    The stock middleware records the first X-Forwarded-For entry, which the client
    writes itself, and stores whatever it says (on PostgreSQL a value that is not an
    address makes every write of the request fail). Here the address is the one the
    access log records: ``TRUSTED_PROXY_COUNT`` decides which entry is believed. And the
    request's context is closed on the way out (``core.actions.change_context``): the
    stock middleware leaves a receiver connected per request once an action has opened a
    context inside it.
    """

    get_response: Callable[[HttpRequest], HttpResponse]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        set_cid(request)
        with change_context(**self.get_extra_data(request)):
            return self.get_response(request)

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        return client_ip(request)

"""django-auditlog's request middleware, with the client address the access log uses."""

from __future__ import annotations

from auditlog.middleware import AuditlogMiddleware
from django.http import HttpRequest

from audit.recording import client_ip


class ChangeLogMiddleware(AuditlogMiddleware):  # type: ignore[misc]
    """Attribute each change to the request's user and client address.

    The stock middleware records the first X-Forwarded-For entry, which the client
    writes itself, and stores whatever it says (on PostgreSQL a value that is not an
    address makes every write of the request fail). Here the address is the one the
    access log records: ``TRUSTED_PROXY_COUNT`` decides which entry is believed.
    """

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        return client_ip(request)

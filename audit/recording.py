"""Write access-log rows: who read which clinical record, when, from where."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from django.conf import settings

from audit.models import AccessLog, Channel
from core.appends import append

if TYPE_CHECKING:
    from django.http import HttpRequest

    from care.models import BreakGlassGrant, Patient
    from core.requests import AuthenticatedRequest


def _ip_or_none(value: str) -> str | None:
    """``value`` as a normalised IP address (a port, if a proxy added one, dropped), else None."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting ``TRUSTED_PROXY_COUNT`` proxies' X-Forwarded-For.

    Only the entry the outermost trusted proxy appended is believed; the entries before it
    are whatever the client sent. Anything that is not an IP address is ignored, so that a
    forged header can neither be recorded nor make the write of the audit row fail.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops > 0 and forwarded:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(addresses) >= hops:
            address = _ip_or_none(addresses[-hops])
            if address is not None:
                return address
    return _ip_or_none(request.META.get("REMOTE_ADDR") or "")


def channel_of(request: HttpRequest) -> str:
    return Channel.API if request.path.startswith("/api/") else Channel.WEB


def record_read(
    request: AuthenticatedRequest,
    *,
    resource: str,
    patient: Patient | None,
    object_id: str = "",
    break_glass: BreakGlassGrant | None = None,
) -> AccessLog:
    user = request.user
    row = AccessLog(
        actor=user,
        actor_email=user.email,
        actor_role=user.role,
        patient=patient,
        resource=resource,
        object_id=object_id,
        channel=channel_of(request),
        ip_address=client_ip(request),
        path=request.get_full_path()[:300],
        break_glass=break_glass,
    )
    append(row)  # with the request's other kept writes, inside an API submission
    return row

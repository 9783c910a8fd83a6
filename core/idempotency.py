"""Idempotent API submissions: a request sent twice with one ``Idempotency-Key`` acts once.

The operation runs first; its answer is then stored under the key, in the same
transaction, and the key is unique per user, so two copies cannot both act: the
later one fails on the key (waiting for the first to commit if it has not yet),
everything it did rolls back with it, and it replays the stored answer. A copy
that the operation itself refuses because the first already acted ("already
answered") replays the stored answer too. A first request costs one insert and
no read. A different request under a key already used gets 409. An operation
that fails stores nothing, so the client may retry with the same key.

Decorated operations return ``ninja.Status(status_code, pydantic_model)``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Status
from ninja.errors import HttpError
from ninja.renderers import JSONRenderer
from pydantic import BaseModel

from core.actions import all_or_nothing
from core.appends import append
from core.models import IdempotencyRecord
from core.requests import AuthenticatedRequest

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100

P = ParamSpec("P")
M = TypeVar("M", bound=BaseModel)


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() if request.method else b"")
    digest.update(b"\0" + request.path.encode() + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _as_sent(value: BaseModel) -> Any:
    """The body as Django Ninja renders it (its encoder, unlike pydantic's, rounds times to ms)."""
    return json.loads(json.dumps(value.model_dump(), cls=JSONRenderer.encoder_class))


def _replay(request: AuthenticatedRequest, key: str, fingerprint: str) -> HttpResponse | None:
    """The stored response, returned as it was first sent (not re-validated)."""
    record = IdempotencyRecord.objects.filter(user_id=request.user.pk, key=key).first()
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise HttpError(409, _("This Idempotency-Key was already used for a different request."))
    response = JsonResponse(
        record.response_body,
        status=record.status_code,
        safe=False,
        content_type=f"{JSONRenderer.media_type}; charset={JSONRenderer.charset}",
    )
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(
    func: Callable[Concatenate[AuthenticatedRequest, P], Status[M]],
) -> Callable[Concatenate[AuthenticatedRequest, P], Status[M] | HttpResponse]:
    """Run ``func`` once per ``Idempotency-Key``; replay its stored response for a repeat."""

    @wraps(func)
    def wrapper(
        request: AuthenticatedRequest, /, *args: P.args, **kwargs: P.kwargs
    ) -> Status[M] | HttpResponse:
        key = request.headers.get(HEADER)
        if key is None:
            return func(request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            raise HttpError(
                400, _("The Idempotency-Key header must be 1 to 100 printable characters.")
            )
        fingerprint = _fingerprint(request)
        try:
            with all_or_nothing():
                result = func(request, *args, **kwargs)
                append(
                    IdempotencyRecord(
                        user_id=request.user.pk,
                        key=key,
                        request_hash=fingerprint,
                        status_code=result.status_code,
                        response_body=_as_sent(result.value),
                    )
                )
        except Exception:
            # The key was taken (the insert failed, and everything the operation did was
            # rolled back with it), or the operation refused what its first copy already
            # did ("already answered"): either way the first copy's answer is the answer.
            stored = _replay(request, key, fingerprint)
            if stored is None:
                raise
            return stored
        return result

    return wrapper

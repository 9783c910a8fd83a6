"""The action pattern: every write is a named function that owns its transaction.

Pages, API operations, background tasks and management commands all call the
same action. An action runs in one database transaction and records its actor in
the change history (django-auditlog), so a write is either whole and attributed,
or absent. Follow-up work is enqueued with ``enqueue_after_commit`` so that a job
exists only if the data that caused it was committed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from auditlog.context import auditlog_value, set_actor
from django.db import transaction

if TYPE_CHECKING:
    from django_tasks.base import Task

    from accounts.models import User

P = ParamSpec("P")
R = TypeVar("R")


class ActionError(Exception):
    """A write was refused for a reason the user can act on. ``field`` names the input."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def action(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func(actor, ...)`` in a transaction with ``actor`` recorded as the author."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        actor: User | None = args[0] if args else kwargs.get("actor")  # type: ignore[assignment]
        try:
            current: dict[str, Any] = auditlog_value.get()
        except LookupError:
            current = {}
        with (
            set_actor(actor, remote_addr=current.get("remote_addr")),
            transaction.atomic(),
        ):
            return func(*args, **kwargs)

    return wrapper


def enqueue_after_commit(task: Task[..., Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue ``task`` once the surrounding transaction commits (never for a rollback)."""
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))

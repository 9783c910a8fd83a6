"""The action pattern: every write is a named function that owns its transaction.

Pages, API operations, background tasks and management commands all call the
same action. An action runs in one database transaction and records its actor in
the change history (django-auditlog), so a write is either whole and attributed,
or absent. Follow-up work is enqueued with ``enqueue_after_commit`` so that a job
exists only if the data that caused it was committed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from auditlog import get_logentry_model
from auditlog.context import auditlog_value, set_extra_data
from django.db import transaction
from django.db.models.signals import pre_save

from core.appends import collecting, write_collected

if TYPE_CHECKING:
    from django_tasks.base import Task

    from accounts.models import User

P = ParamSpec("P")
R = TypeVar("R")

#: Set inside ``all_or_nothing``: the enclosing transaction rolls back whole on any error.
_ROLLS_BACK_WHOLE: ContextVar[bool] = ContextVar("wisemind_rolls_back_whole", default=False)


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
        with (
            acting_as(actor),
            # Inside ``all_or_nothing`` a savepoint would buy nothing: no caller there
            # recovers from the action's failure, the whole transaction rolls back.
            transaction.atomic(savepoint=not _ROLLS_BACK_WHOLE.get()),
        ):
            return func(*args, **kwargs)

    return wrapper


@contextmanager
def change_context(**data: Any) -> Iterator[None]:
    """Open a django-auditlog context (``actor``, ``remote_addr``…) for the writes inside.

    django-auditlog attributes a change-history entry through a ``pre_save`` receiver,
    connected per context, that reads the context in ``auditlog_value``. Its own context
    managers set that variable and never restore it: opened inside another context, the
    outer one then disconnects the inner receiver instead of its own, and its own stays
    connected for the life of the process (one more receiver that every save scans, per
    request). This one restores the variable on the way out.
    """
    token = auditlog_value.set({})
    try:
        with set_extra_data(context_data=data):
            yield
    finally:
        auditlog_value.reset(token)


def _receiver_connected(context: dict[str, Any]) -> bool:
    # A receiver connected with a dispatch_uid is listed under (uid, id(sender)).
    key = (context.get("signal_duid"), id(get_logentry_model()))
    return any(entry[0] == key for entry in pre_save.receivers)


@contextmanager
def acting_as(actor: User | None) -> Iterator[None]:
    """Record ``actor`` as the author of the change-history entries written inside.

    Inside an open context (the request's, or an enclosing action's) the action only puts
    its actor in a copy of that context, restored on the way out: no receiver is connected
    or disconnected (each connection also empties the signal's receiver cache). Outside
    any (a command, a task), the action opens its own.
    """
    current: dict[str, Any] | None = auditlog_value.get(None)
    if current and _receiver_connected(current):
        token = auditlog_value.set({**current, "actor": actor})
        try:
            yield
        finally:
            auditlog_value.reset(token)
        return
    remote_addr = current.get("remote_addr") if current else None
    with change_context(actor=actor, remote_addr=remote_addr):
        yield


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """A transaction that any exception rolls back whole, so actions inside take no savepoint.

    For a unit of work that must be kept entire or not at all (an idempotent API request:
    its key record and the action's writes). Code inside must let an action's exception
    propagate out of the block; catching it inside and carrying on is an error (Django
    refuses further queries in a transaction marked for rollback).
    """
    token = _ROLLS_BACK_WHOLE.set(True)
    try:
        # The writes nothing inside reads back before the commit (the access log,
        # revisions, the idempotency record, and the kept card updates of
        # ``append_update``) go to the database together, just before the commit
        # (``core.appends``).
        with transaction.atomic(), collecting() as rows:
            yield
            write_collected(rows)
    finally:
        _ROLLS_BACK_WHOLE.reset(token)


def enqueue_after_commit(task: Task[..., Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue ``task`` once the surrounding transaction commits (never for a rollback)."""
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))

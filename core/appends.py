"""Append-only rows written together, in one round trip, when a unit of work commits.

An API submission writes a few rows that nothing reads back before its transaction ends:
the access-log entry, the card's revision, the idempotency record with the answer.
Inside ``collecting()`` (``core.actions.all_or_nothing`` opens it) ``append(row)`` keeps
such a row instead of saving it, and ``write_collected()`` inserts every kept row just
before the transaction commits: on PostgreSQL their INSERT statements go to the server
as one message (one round trip instead of one each); elsewhere one by one. An error in
any of them (a duplicate idempotency key, say) rolls the whole unit back, as it would
have row by row. Outside ``collecting()``, ``append`` saves the row at once.

Only for rows of models that keep no change history (django-auditlog's signals are not
sent for them), whose callers need neither their primary key nor their ``save()``.
See docs/decisions/0022-append-only-rows-in-one-round-trip.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connections, router
from django.db.models import Model
from django.db.models.sql import InsertQuery

_COLLECTED: ContextVar[list[Model] | None] = ContextVar("wisemind_collected_rows", default=None)


@contextmanager
def collecting() -> Iterator[list[Model]]:
    """Keep the rows ``append`` is given inside, for ``write_collected``."""
    rows: list[Model] = []
    token = _COLLECTED.set(rows)
    try:
        yield rows
    finally:
        _COLLECTED.reset(token)


def append(row: Model) -> None:
    """Insert ``row``: now, or with the unit of work's other rows (inside ``collecting``)."""
    rows = _COLLECTED.get()
    if rows is None:
        row.save(force_insert=True)
    else:
        rows.append(row)


def write_collected(rows: list[Model]) -> None:
    """Insert ``rows`` (then forget them), in one round trip where the database allows."""
    if not rows:
        return
    using = router.db_for_write(type(rows[0]))
    statements: list[tuple[str, Any]] = []
    for row in rows:
        meta = row._meta
        fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
        query = InsertQuery(type(row))
        query.insert_values(fields, [row])
        statements.extend(query.get_compiler(using=using).as_sql())
    rows.clear()
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(statements) > 1:
            # Bound on the client (as the ORM's own statements are here), sent as one
            # message: the server runs them in order and stops at the first error.
            ops: Any = connection.ops  # PostgreSQL's, which binds parameters on the client
            cursor.execute(";\n".join(ops.compose_sql(sql, params) for sql, params in statements))
        else:
            for sql, params in statements:
                cursor.execute(sql, params)

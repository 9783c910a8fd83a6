"""Writes that nothing reads back before the commit, sent together in one round trip.

An API submission writes a few rows that nothing reads back before its transaction ends:
the access-log entry, the card's revision, the idempotency record with the answer, and
the card's own changed values. Inside ``collecting()`` (``core.actions.all_or_nothing``
opens it) ``append(row)`` and ``append_update(row, fields)`` keep such a write instead of
making it, and ``write_collected()`` makes every kept write just before the transaction
commits: on PostgreSQL the statements go to the server as one message (one round trip
instead of one each); elsewhere one by one. An error in any of them (a duplicate
idempotency key, say) rolls the whole unit back, as it would have statement by
statement. Outside ``collecting()`` the write is made at once.

Only for models that keep no change history and have no signal receivers (neither
django-auditlog's signals nor ``pre_save``/``post_save`` are sent for these writes), and
whose callers need no primary key of a kept insert.
See docs/decisions/0022-append-only-rows-in-one-round-trip.md.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connections, router
from django.db.models import Field, Model
from django.db.models.sql import InsertQuery

#: A kept write: a row to insert, or a row and the fields of it to update.
Write = tuple[Model, tuple[str, ...] | None]

_COLLECTED: ContextVar[list[Write] | None] = ContextVar("wisemind_collected_rows", default=None)


@contextmanager
def collecting() -> Iterator[list[Write]]:
    """Keep the writes ``append`` and ``append_update`` are given inside, for
    ``write_collected``."""
    writes: list[Write] = []
    token = _COLLECTED.set(writes)
    try:
        yield writes
    finally:
        _COLLECTED.reset(token)


def append(row: Model) -> None:
    """Insert ``row``: now, or with the unit of work's other writes (inside ``collecting``)."""
    _keep_or_write((row, None))


def append_update(row: Model, fields: Sequence[str]) -> None:
    """Update ``fields`` of ``row`` (by primary key; ``auto_now`` fields take the time):
    now, or with the unit of work's other writes (inside ``collecting``). For a row that
    nothing reads back from the database before the unit ends."""
    _keep_or_write((row, tuple(fields)))


def _keep_or_write(write: Write) -> None:
    writes = _COLLECTED.get()
    if writes is not None:
        writes.append(write)
    elif write[1] is None:
        write[0].save(force_insert=True)  # as any insert: with its primary key set
    else:
        write_collected([write])


def _insert(row: Model, using: str) -> list[tuple[str, Any]]:
    meta = row._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
    query = InsertQuery(type(row))
    query.insert_values(fields, [row])
    statements: list[tuple[str, Any]] = query.get_compiler(using=using).as_sql()
    return statements


def _update(row: Model, names: tuple[str, ...], using: str) -> tuple[str, Any]:
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = row._meta
    columns, params = [], []
    for name in names:
        field = meta.get_field(name)
        if not isinstance(field, Field) or not field.concrete:
            raise TypeError(f"{name!r} is not a column of {meta.label}")
        value = field.pre_save(row, add=False)  # sets an auto_now field's time on the row
        columns.append(f"{quote(field.column or name)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    pk: Any = meta.pk
    params.append(pk.get_db_prep_value(row.pk, connection))
    table, key = quote(meta.db_table), quote(pk.column)
    # Names from the model's own metadata, quoted; every value is a parameter.
    sql = f"UPDATE {table} SET {', '.join(columns)} WHERE {key} = %s"  # noqa: S608
    return sql, params


def write_collected(writes: list[Write]) -> None:
    """Make ``writes`` (then forget them), in one round trip where the database allows."""
    if not writes:
        return
    using = router.db_for_write(type(writes[0][0]))
    statements: list[tuple[str, Any]] = []
    for row, fields in writes:
        if fields is None:
            statements.extend(_insert(row, using))
        else:
            statements.append(_update(row, fields, using))
    writes.clear()
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

"""Per-process caches of small, rarely changed lists that every submission reads.

A patient's diary items and a clinic's risk rules are read by every diary card, check-in
answer and coaching request, and change a few times a year. Each lives behind a version
stamp: an integer column on the row that owns the list (the patient, the clinic), raised in
the same transaction as any change to the list. The owner's row is loaded with the API
token anyway, so a submission learns the current version for free and reads the list only
when this process has not seen that version yet (ADR 0020).

Why this is safe:

* An entry is stored only after its transaction commits (``on_commit``), so what a
  transaction that rolled back read, or wrote and then read, never reaches the cache.
* The list is read after the version, so an entry tagged ``v`` holds the list as of ``v``
  or later, never earlier; a reader holding ``v`` sees what it would have read itself.
* Keys carry the owner's ``public_id`` (a random UUID), not only its primary key, so a
  primary key used again (SQLite after a rollback) cannot find another owner's list.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.db.models import F

V = TypeVar("V")


class VersionedCache(Generic[V]):
    """``{key: (version, value)}`` for one kind of list, bounded in size."""

    def __init__(self, name: str, *, max_entries: int = 20_000) -> None:
        self.name = name
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[int, V]] = {}

    def get(self, key: Hashable, version: int) -> V | None:
        """The value cached for ``key`` at exactly ``version``, or ``None``."""
        found = self._entries.get(key)
        if found is None or found[0] != version:
            return None
        return found[1]

    def put_after_commit(self, key: Hashable, version: int, value: V, *, using: str) -> None:
        """Cache ``value`` (read at ``version`` or later) once the transaction commits."""

        def store() -> None:
            if len(self._entries) >= self.max_entries and key not in self._entries:
                # Crude but bounded: a full cache starts again (lists are cheap to reread).
                self._entries.clear()
            self._entries[key] = (version, value)

        transaction.on_commit(store, using=using)

    def clear(self) -> None:
        self._entries.clear()


def raise_version(model: type[models.Model], pk: object, field: str) -> bool:
    """Raise the version stamp ``field`` of ``model``'s row ``pk`` by one in the database
    (in the current transaction); whether the row exists."""
    manager: Any = model._default_manager
    return bool(manager.filter(pk=pk).update(**{field: F(field) + 1}))


def bump_version(instance: models.Model, field: str) -> None:
    """``raise_version`` for a loaded object, refreshed too, so that later reads through
    this same object in this request do not find the old version's cached list."""
    if raise_version(type(instance), instance.pk, field):
        instance.refresh_from_db(fields=[field])

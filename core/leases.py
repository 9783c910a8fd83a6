"""Leased claims: how several worker processes share a queue table without doing a row twice.

A claimable row is taken with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL) and stamped
with the claim time in the same transaction, so concurrent workers never take the same row;
on SQLite, whose transactions take the write lock up front, the conditional update alone
decides. A claim is a lease: the caller's ``claimable`` condition lets a row be claimed
again once its stamp is older than the lease, so the work of a worker that died is picked
up by the next one. Finishing a row is the caller's conditional update on the same stamp.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import connection, models, transaction
from django.db.models import Q


def claim_batch(
    model: type[models.Model],
    claimable: Q,
    *,
    order_by: Sequence[str],
    now: datetime,
    batch: int,
    stamp: str = "claimed_at",
) -> list[int]:
    """Claim up to ``batch`` rows of ``model`` matching ``claimable``; return their ids."""
    manager = model._default_manager
    with transaction.atomic():
        due = manager.filter(claimable).order_by(*order_by)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:batch])
        if not ids:
            return []
        # The conditional update re-checks the claim, so a row another worker claimed
        # meanwhile (possible without row locks) is not taken twice.
        claimed = list(manager.filter(claimable, pk__in=ids).values_list("pk", flat=True))
        manager.filter(pk__in=claimed).update(**{stamp: now})
    return claimed

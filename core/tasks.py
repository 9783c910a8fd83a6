"""Background jobs for the shared tables. Jobs take ids (or nothing) and are idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from core.models import IdempotencyRecord

#: How long a stored response can be replayed for a retried request.
IDEMPOTENCY_RETENTION = timedelta(days=7)


@task()
def prune_idempotency_records() -> int:
    """Delete stored responses older than the retention period; returns how many."""
    cutoff = timezone.now() - IDEMPOTENCY_RETENTION
    deleted, _detail = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted

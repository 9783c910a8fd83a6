"""The dispatcher: deliver prompts that have fallen due, each exactly once.

Claiming: a due prompt is taken with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL) and
stamped ``claimed_at`` in the same transaction, so concurrent dispatchers never take the
same prompt; on SQLite, whose transactions take the write lock up front, the conditional
update alone decides. A claim is a lease: if a dispatcher dies before marking a prompt
sent, the prompt becomes claimable again after ``LEASE`` and the next dispatcher sends it.

Sending: each prompt is marked sent and its deliveries logged in one transaction, and only
while the claim is still this dispatcher's (``claimed_at`` unchanged): a dispatcher so slow
that its lease ran out and another took the prompt over skips it. (The one prompt in
flight at the moment of a crash may still be notified twice by push or e-mail, which no
transaction can take back; the notification says only that a check-in is waiting.)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.leases import claim_batch
from ema.delivery import deliver
from ema.models import Prompt, PromptStatus

LEASE = timedelta(minutes=5)
BATCH = 200


def _claimable(now: datetime) -> Q:
    return Q(
        status=PromptStatus.PLANNED,
        scheduled_at__lte=now,
        expires_at__gt=now,
    ) & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - LEASE))


def claim_due(now: datetime | None = None, batch: int = BATCH) -> list[int]:
    """Claim up to ``batch`` due prompts for this dispatcher; return their ids."""
    now = now or timezone.now()
    return claim_batch(
        Prompt, _claimable(now), order_by=("scheduled_at", "id"), now=now, batch=batch
    )


def mark_sent(prompt_id: int, claimed_at: datetime, now: datetime | None = None) -> bool:
    """Mark a prompt sent if it is still planned and still under the claim ``claimed_at``."""
    now = now or timezone.now()
    return bool(
        Prompt.objects.filter(
            pk=prompt_id, status=PromptStatus.PLANNED, claimed_at=claimed_at
        ).update(status=PromptStatus.SENT, sent_at=now, claimed_at=None)
    )


def mark_missed(now: datetime | None = None) -> int:
    """Prompts whose answer window has closed unanswered are missed."""
    now = now or timezone.now()
    return Prompt.objects.filter(
        status__in=[PromptStatus.PLANNED, PromptStatus.SENT], expires_at__lte=now
    ).update(status=PromptStatus.MISSED, claimed_at=None)


def dispatch_due(
    now: datetime | None = None,
    batch: int = BATCH,
    send: Callable[[Prompt, datetime], None] = deliver,
) -> int:
    """Claim, deliver and mark due prompts until none are left; return how many were sent."""
    sent = 0
    while True:
        moment = now or timezone.now()
        ids = claim_due(moment, batch)
        if not ids:
            break
        prompts = Prompt.objects.filter(pk__in=ids).select_related(
            "patient__user", "patient__ema_settings", "schedule"
        )
        for prompt in prompts:
            with transaction.atomic():
                # Marked first: the update locks the row and checks the claim is still ours.
                if not mark_sent(prompt.pk, moment, moment):
                    continue
                send(prompt, moment)
            sent += 1
    mark_missed(now)
    return sent

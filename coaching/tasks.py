"""Background jobs of the coaching app: e-mail the therapist about a new request.

The e-mail says only that a patient asked for coaching and links to the app; what they
wrote is read there. A request's notice is claimed with a lease (a conditional update
whose row count says which worker won), sent, then marked sent: a worker that dies in
between leaves it to the next run (the periodic sweep in ``config/periodic.py``), so an
e-mail may go out twice, never not at all.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from coaching.models import CoachingRequest

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
#: A request older than this is not e-mailed any more (the therapist sees it in the inbox).
STALE = timedelta(days=2)


def _claimable(now: datetime) -> Q:
    return Q(notified_at__isnull=True, created_at__gte=now - STALE) & (
        Q(notice_claimed_at__isnull=True) | Q(notice_claimed_at__lt=now - LEASE)
    )


def send_notice(request_id: int, now: datetime | None = None) -> bool:
    """Claim, send and mark one request's e-mail; False if another worker has it or it went."""
    now = now or timezone.now()
    claimed = CoachingRequest.objects.filter(_claimable(now), pk=request_id).update(
        notice_claimed_at=now
    )
    if not claimed:
        return False
    found = CoachingRequest.objects.select_related("recipient").get(pk=request_id)
    therapist = found.recipient
    if not therapist.is_active or not therapist.email:
        CoachingRequest.objects.filter(pk=request_id).update(notified_at=now)
        return False
    with translation.override(therapist.language):
        context = {
            "therapist": therapist,
            "link": settings.SITE_URL
            + reverse("coaching:request", kwargs={"request_id": found.public_id}),
        }
        subject = render_to_string("coaching/email/new_request_subject.txt", context).strip()
        body = render_to_string("coaching/email/new_request.txt", context)
    try:
        send_mail(subject, body, None, [therapist.email])
    except Exception as exc:  # the mail server's problem: the next sweep tries again
        logger.warning("Coaching notice for request %s failed: %s", request_id, exc)
        return False
    CoachingRequest.objects.filter(pk=request_id).update(notified_at=timezone.now())
    return True


@task()
def send_coaching_notices() -> int:
    """E-mail the therapist about every request not yet notified; return how many went."""
    now = timezone.now()
    ids = list(
        CoachingRequest.objects.filter(_claimable(now))
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:200]
    )
    return sum(send_notice(request_id, now) for request_id in ids)

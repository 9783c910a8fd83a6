"""Background jobs of the measures app: plan due questionnaires and remind patients.

A reminder goes through the notification channels of the check-ins (``ema``): in the app
(the questionnaire is listed on the patient's pages), web push to each of their browsers
and e-mail where the patient asked for it in their check-in settings. It is discreet: it
says a questionnaire is waiting, never which one or what it asks. A questionnaire's
reminder is claimed with a lease (``core.leases``), sent, then marked sent: a worker that
dies in between leaves it to the next run, so a reminder may go out twice, never not at all.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from core.leases import claim_batch
from ema.models import EmaSettings, PushSubscription
from ema.push import PushGone, send_push, vapid_keys
from measures.actions import plan_due
from measures.models import OPEN_STATUSES, Administration

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
#: A questionnaire waiting longer than this is not reminded about any more.
STALE = timedelta(days=14)


def _claimable(now: datetime) -> Q:
    return (
        Q(reminded_at__isnull=True, due_at__lte=now, due_at__gte=now - STALE)
        & Q(status__in=OPEN_STATUSES)
        & (Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        & (Q(reminder_claimed_at__isnull=True) | Q(reminder_claimed_at__lt=now - LEASE))
    )


def remind(administration_id: int, now: datetime) -> list[str]:
    """Send one claimed reminder on the patient's channels; returns the channels used."""
    found = Administration.objects.select_related("patient__user").get(pk=administration_id)
    user = found.patient.user
    used: list[str] = []
    if user is not None and user.is_active:
        prefs = EmaSettings.objects.filter(patient_id=found.patient_id).first()
        push_enabled = prefs.push_enabled if prefs else True
        email_enabled = prefs.email_enabled if prefs else False
        with translation.override(user.language):
            title = _("wisemind")
            body = _("You have a questionnaire waiting.")
        path = reverse("measures:mine")
        if push_enabled and vapid_keys() is not None:
            payload = json.dumps({"title": title, "body": body, "url": path})
            for subscription in PushSubscription.objects.filter(user=user, revoked_at__isnull=True):
                try:
                    send_push(subscription, payload)
                except PushGone:
                    subscription.revoked_at = now
                    subscription.save(update_fields=["revoked_at"])
                except Exception as exc:  # one push service must not stop the others
                    logger.warning("Questionnaire push %s failed: %s", administration_id, exc)
                else:
                    used.append("push")
        if email_enabled and user.email:
            try:
                send_mail(title, f"{body}\n\n{settings.SITE_URL}{path}\n", None, [user.email])
            except Exception as exc:
                logger.warning("Questionnaire e-mail %s failed: %s", administration_id, exc)
            else:
                used.append("email")
    Administration.objects.filter(pk=administration_id).update(reminded_at=timezone.now())
    return used


def send_due_reminders(now: datetime | None = None, batch: int = 200) -> int:
    now = now or timezone.now()
    ids = claim_batch(
        Administration,
        _claimable(now),
        order_by=["due_at", "id"],
        now=now,
        batch=batch,
        stamp="reminder_claimed_at",
    )
    for administration_id in ids:
        remind(administration_id, now)
    return len(ids)


@task()
def plan_questionnaires() -> int:
    """Plan every assigned questionnaire that has fallen due (one "before each session"
    falls due when its window opens, ``hours_before`` the session starts)."""
    return plan_due()


@task()
def send_questionnaire_reminders() -> int:
    """Remind patients of questionnaires that are due; returns how many were reminded."""
    return send_due_reminders()

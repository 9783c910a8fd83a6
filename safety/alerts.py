"""Risk alerts: raised in the transaction of the answer that fired them, shown to the care
team at once, e-mailed by the worker (at least once), escalated while nobody acknowledges.

Who is told, in order (``escalation_chain``): the patient's care-team clinicians by team
role (primary therapist first), then the clinic's on-call contact. Level 0 e-mails the
first of them; each time ``escalate_after_minutes`` passes without an acknowledgement the
alert moves one level and the next person is e-mailed. Everyone on the team sees open
alerts in the app from the start (one row per alert, however many e-mails went out).

E-mails are ``AlertNotice`` rows claimed with a lease, like check-in prompts
(``ema.dispatch``): a worker that dies after claiming leaves them to the next worker once
the lease has run out. A notice is marked sent after the mail server accepted it, so a
crash in between can send one e-mail twice, never none.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from care.models import TeamRole
from core.actions import ActionError, action, enqueue_after_commit
from core.leases import claim_batch
from safety.models import Alert, AlertNotice, AlertSettings, AlertStatus, NoticeStatus

if TYPE_CHECKING:
    from accounts.models import Organisation, User
    from care.models import Patient
    from safety.risk import Finding

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
BATCH = 100
MAX_ATTEMPTS = 5
ROLE_ORDER: list[str] = [
    TeamRole.PRIMARY_THERAPIST,
    TeamRole.PRESCRIBER,
    TeamRole.CASE_MANAGER,
    TeamRole.SKILLS_TRAINER,
]


def settings_for(organisation: Organisation) -> AlertSettings:
    found, _created = AlertSettings.objects.get_or_create(organisation=organisation)
    return found


@dataclass(frozen=True)
class Contact:
    email: str
    user: User | None
    name: str


def escalation_chain(patient: Patient) -> list[Contact]:
    """Who is e-mailed at each level: team clinicians by role, then the on-call contact."""
    places = sorted(
        patient.care_team.current().select_related("member").filter(member__is_active=True),
        key=lambda place: (ROLE_ORDER.index(place.team_role), place.pk),
    )
    chain: list[Contact] = []
    seen: set[str] = set()
    for place in places:
        if place.member.email and place.member.email not in seen:
            seen.add(place.member.email)
            chain.append(Contact(place.member.email, place.member, place.member.full_name))
    on_call = settings_for(patient.organisation)
    if on_call.on_call_email and on_call.on_call_email not in seen:
        chain.append(Contact(on_call.on_call_email, None, on_call.on_call_name or _("On call")))
    return chain


def _add_notice(alert: Alert, level: int, now: datetime) -> bool:
    """Queue an e-mail to the person at ``level`` of the chain; False if there is nobody."""
    chain = escalation_chain(alert.patient)
    if level >= len(chain):
        return False
    contact = chain[level]
    AlertNotice.objects.get_or_create(
        alert=alert,
        email=contact.email,
        defaults={"recipient": contact.user, "level": level, "created_at": now},
    )
    return True


def _send_soon() -> None:
    from safety.tasks import send_alert_notices

    enqueue_after_commit(send_alert_notices)


def raise_alert(patient: Patient, finding: Finding) -> Alert | None:
    """Raise an alert for ``finding`` unless that rule already fired for that same answer.

    Runs inside the caller's transaction (the one saving the answer)."""
    if Alert.objects.filter(
        patient=patient, rule=finding.rule, source_key=finding.source_key
    ).exists():
        return None
    now = timezone.now()
    wait = timedelta(minutes=settings_for(patient.organisation).escalate_after_minutes)
    alert = Alert.objects.create(
        patient=patient,
        rule=finding.rule,
        source_key=finding.source_key,
        reason=finding.reason[:300],
        created_at=now,
        escalate_at=now + wait,
    )
    if _add_notice(alert, 0, now):
        _send_soon()
    return alert


# --- acknowledging and resolving ---------------------------------------------------------------


@action
def acknowledge(actor: User, alert: Alert) -> Alert:
    """ "I have seen this and I am on it": stops the escalation."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != AlertStatus.OPEN:
        raise ActionError(_("This alert was already acknowledged."))
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor
    alert.escalate_at = None
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "escalate_at"])
    return alert


@action
def resolve(actor: User, alert: Alert, resolution: str) -> Alert:
    """Close the alert with what was done (acknowledging it too if nobody had)."""
    text = resolution.strip()
    if not text:
        raise ActionError(_("Say what was done."), field="resolution")
    if len(text) > 2000:
        raise ActionError(_("Keep this to 2000 characters or fewer."), field="resolution")
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == AlertStatus.RESOLVED:
        raise ActionError(_("This alert was already resolved."))
    now = timezone.now()
    if alert.status == AlertStatus.OPEN:
        alert.acknowledged_at, alert.acknowledged_by = now, actor
    alert.status = AlertStatus.RESOLVED
    alert.resolved_at, alert.resolved_by, alert.resolution = now, actor, text
    alert.escalate_at = None
    alert.save()
    return alert


# --- the worker's side ------------------------------------------------------------------------


def escalate_due(now: datetime | None = None) -> int:
    """Move each open alert whose time has run out one level up; return how many moved."""
    now = now or timezone.now()
    moved = 0
    with transaction.atomic():
        due = Alert.objects.filter(status=AlertStatus.OPEN, escalate_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        for alert in due.select_related("patient__organisation"):
            level = alert.level + 1
            wait = timedelta(
                minutes=settings_for(alert.patient.organisation).escalate_after_minutes
            )
            if _add_notice(alert, level, now):
                alert.level = level
                alert.escalate_at = now + wait
                moved += 1
            else:
                alert.escalate_at = None  # everyone in the chain has been told
            alert.save(update_fields=["level", "escalate_at"])
    return moved


def _claimable(now: datetime) -> Q:
    return Q(status=NoticeStatus.PENDING) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - LEASE)
    )


def claim_notices(now: datetime | None = None, batch: int = BATCH) -> list[int]:
    """Claim up to ``batch`` unsent notices for this worker (a lease of ``LEASE``)."""
    now = now or timezone.now()
    return claim_batch(
        AlertNotice, _claimable(now), order_by=("created_at", "id"), now=now, batch=batch
    )


def _email(notice: AlertNotice) -> tuple[str, str]:
    # No clinical detail in an e-mail: who it is about is read in the app.
    link = settings.SITE_URL + reverse("safety:alert", kwargs={"alert_id": notice.alert.public_id})
    subject = _("wisemind: a risk alert needs a clinician")
    body = _(
        "A risk rule fired for a patient on your care team (or one you are on call for). "
        "Open the alert, acknowledge it, and follow your clinic's procedure:\n\n%(link)s\n\n"
        "If a life may be at risk now, call the emergency number."
    ) % {"link": link}
    return subject, body


def send_notice(notice_id: int, claimed_at: datetime) -> bool:
    """Send one claimed notice; mark it sent (or count the failure). False if not ours."""
    notice = (
        AlertNotice.objects.select_related("alert")
        .filter(pk=notice_id, status=NoticeStatus.PENDING, claimed_at=claimed_at)
        .first()
    )
    if notice is None:
        return False
    subject, body = _email(notice)
    try:
        send_mail(subject, body, None, [notice.email])
    except Exception as exc:  # the mail server's problem: try again after the lease
        logger.warning("Alert notice %s failed: %s", notice.pk, exc)
        attempts = notice.attempts + 1
        AlertNotice.objects.filter(pk=notice.pk).update(
            attempts=attempts,
            error=str(exc)[:300],
            status=NoticeStatus.FAILED if attempts >= MAX_ATTEMPTS else NoticeStatus.PENDING,
        )
        return False
    AlertNotice.objects.filter(pk=notice.pk, claimed_at=claimed_at).update(
        status=NoticeStatus.SENT, sent_at=timezone.now(), attempts=notice.attempts + 1
    )
    return True


def dispatch_notices(now: datetime | None = None, batch: int = BATCH) -> int:
    """Escalate what is due, then send every claimable notice; return how many were sent."""
    escalate_due(now)
    sent = 0
    while True:
        moment = now or timezone.now()
        ids = claim_notices(moment, batch)
        if not ids:
            return sent
        for notice_id in ids:
            sent += send_notice(notice_id, moment)
        if now is not None:  # a fixed clock (tests): one pass
            return sent

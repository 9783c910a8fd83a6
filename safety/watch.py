"""High-risk watch: while a clinician has a patient on watch, days without a diary card
raise an alert (the clinic's ``DIARY_MISSED`` rule, three whole days by default).

Missing cards cannot be seen when something is saved, so the worker looks every half hour
(``check_missed_cards``). The days are counted in the patient's own time zone from the
day after the last card, or from the day the watch started if that is later; today is not
counted until it is over. One gap raises one alert (its source is the day the gap runs
from), however often the worker looks. Like every rule, this flags something for a
clinician to look at; it predicts nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from care.models import PatientStatus
from core.actions import ActionError, action
from diary.cards import local_today
from safety.models import RiskRule, RiskWatch, RuleKind

if TYPE_CHECKING:
    from accounts.models import User
    from care.models import Patient


def current_watch(patient: Patient) -> RiskWatch | None:
    return RiskWatch.objects.filter(patient=patient, ended_at__isnull=True).first()


@action
def start_watch(actor: User, patient: Patient, reason: str) -> RiskWatch:
    text = reason.strip()
    if not text:
        raise ActionError(_("Say why the patient is on high-risk watch."), field="reason")
    if len(text) > 300:
        raise ActionError(_("Keep this to 300 characters or fewer."), field="reason")
    if RiskWatch.objects.select_for_update().filter(patient=patient, ended_at__isnull=True):
        raise ActionError(_("This patient is already on high-risk watch."))
    return RiskWatch.objects.create(
        patient=patient, reason=text, started_at=timezone.now(), started_by=actor
    )


@action
def end_watch(actor: User, patient: Patient) -> RiskWatch:
    watch = (
        RiskWatch.objects.select_for_update().filter(patient=patient, ended_at__isnull=True)
    ).first()
    if watch is None:
        raise ActionError(_("This patient is not on high-risk watch."))
    watch.ended_at, watch.ended_by = timezone.now(), actor
    watch.save(update_fields=["ended_at", "ended_by"])
    return watch


def gap(last_card: date | None, watch_start: date, today: date) -> tuple[date, int]:
    """The first day without a card that counts, and how many whole days from it to
    yesterday have none: the day after the last card, or the day the watch started if
    that is later. Today is not counted until it is over."""
    first = max(last_card + timedelta(days=1), watch_start) if last_card else watch_start
    return first, max(0, (today - first).days)


def check_missed_cards(now: datetime | None = None) -> int:
    """Raise an alert for each watched patient whose gap reached the clinic's rule; return
    how many alerts were raised."""
    from safety.alerts import raise_alert
    from safety.risk import Finding, rules_for

    now = now or timezone.now()
    watches = (
        RiskWatch.objects.filter(ended_at__isnull=True, patient__status=PatientStatus.ACTIVE)
        .select_related("patient__organisation")
        .annotate(last_card=Max("patient__diary_cards__date"))
    )
    raised = 0
    rules: dict[int, list[RiskRule]] = {}
    for watch in watches:
        patient = watch.patient
        if patient.organisation_id not in rules:
            rules[patient.organisation_id] = [
                r for r in rules_for(patient.organisation_id) if r.kind == RuleKind.DIARY_MISSED
            ]
        tz = patient.time_zone
        start, missed = gap(
            watch.last_card, local_today(tz, watch.started_at), local_today(tz, now)
        )
        for rule in rules[patient.organisation_id]:
            if missed < max(rule.threshold, 1):
                continue
            reason = _(
                "No diary card for %(days)d days since %(day)s; the patient is on high-risk "
                "watch (%(why)s)."
            ) % {"days": missed, "day": date_format(start, "DATE_FORMAT"), "why": watch.reason}
            finding = Finding(rule, f"diary-missed:{start.isoformat()}", reason)
            try:
                with transaction.atomic():  # the alert and its first e-mail, together
                    raised += raise_alert(patient, finding) is not None
            except IntegrityError:  # another worker raised it a moment ago
                continue
    return raised

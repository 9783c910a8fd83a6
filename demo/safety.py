"""The demo patients' safety plans, the clinic's on-call contact, and the alerts their
recent diary cards raise.

Plans are written from small pools of items in our own words, chosen by the seed, and saved
in two versions (drafted with the therapist, then one item added by the patient) so the
history has something to show. Alerts are not invented: the clinic's default risk rules
are run over each patient's cards and the last two weeks of check-ins, as saving them would
have done. Alerts older than two days are acknowledged and resolved by the
primary therapist; newer ones stay open. The patient who deteriorates is on high-risk
watch. A second load adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from care.models import Patient, TeamRole
from demo.people import DOMAIN
from diary.models import DiaryCard
from ema.models import PromptResponse
from safety import alerts, watch
from safety.actions import save_plan
from safety.models import (
    Alert,
    AlertNotice,
    AlertSettings,
    AlertStatus,
    NoticeStatus,
    SafetyPlanVersion,
)
from safety.plans import parse_plan
from safety.risk import diary_source, ema_source, evaluate_diary_card, evaluate_ema_response

WARNING_SIGNS = (
    "Staying in bed past noon and not answering messages",
    "Thinking 'everyone would be better off without me'",
    "Replaying an argument over and over at night",
    "Skipping meals and drinking more coffee than usual",
    "Feeling numb, as if I am watching myself from outside",
    "Picking fights with the people I love",
)
COPING = (
    "Hold an ice pack or splash cold water on my face for thirty seconds",
    "Walk to the end of the street and back, noticing five things I can see",
    "Put on the playlist that I made for hard evenings",
    "Paced breathing: breathe out longer than I breathe in, for five minutes",
    "Write the urge down and wait twenty minutes before doing anything",
    "Take a hot shower and name what I feel without judging it",
)
PLACES = (
    {"name": "The library on Market Street", "note": "quiet, and people around"},
    {"name": "Sam (neighbour)", "phone": "+44 20 7946 0101", "note": "tea, no questions asked"},
    {"name": "The climbing gym", "note": "evenings after six"},
)
HELPERS = (
    {"name": "My sister Jo", "phone": "+44 20 7946 0102", "note": "knows about the plan"},
    {"name": "Alex (best friend)", "phone": "+44 20 7946 0103"},
    {"name": "Mum", "phone": "+44 20 7946 0104", "note": "best in the mornings"},
)
SAFE = (
    "My medication is kept by Jo; I have a week at a time",
    "No blades in the flat; the razor is electric",
    "I leave the car keys with my partner on bad nights",
)
REASONS = (
    "My dog, who needs her walks",
    "Finishing my course next spring",
    "My niece's birthday in June",
    "The trip to the coast I have been saving for",
    "Being there for my brother",
)
RESOLVED_AFTER = timedelta(days=2)
RESOLUTION = (
    "Called the patient the next morning; went through the safety plan together and booked "
    "an extra session this week."
)
WATCH_REASON = "Urges rising over the last weeks; agreed at the team meeting."


@dataclass(frozen=True)
class SafetyCounts:
    plans: int
    alerts: int
    open_alerts: int


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join(str(part) for part in ("safety", seed, *parts)))


def primary_therapist(patient: Patient) -> User | None:
    place = (
        patient.care_team.current()
        .filter(team_role=TeamRole.PRIMARY_THERAPIST)
        .select_related("member")
        .first()
    )
    return place.member if place else None


def _plan(seed: int, patient: Patient, writer: User) -> None:
    """Version 1 drafted in session (by the therapist), version 2 a reason the patient added."""
    rng = _rng(seed, patient.record_number)
    reasons = rng.sample(REASONS, 3)
    content: dict[str, list[Any]] = {
        "warning_signs": rng.sample(WARNING_SIGNS, 3),
        "coping": rng.sample(COPING, 3),
        "distraction": rng.sample(PLACES, 2),
        "help": rng.sample(HELPERS, 2),
        "professionals": [{"name": "My clinic (office hours)", "phone": "+44 20 7946 0999"}],
        "safe_environment": rng.sample(SAFE, 1),
        "reasons": reasons[:2],
    }
    first = save_plan(
        primary_therapist(patient) or writer, patient, parse_plan(content), based_on=0
    )
    content["reasons"] = reasons
    save_plan(
        writer,
        patient,
        parse_plan(content),
        based_on=first.number,
        shared_sections=frozenset({"reasons", "help", "coping"}),
    )


def _date_alerts(found: QuerySet[Alert], at: datetime) -> None:
    found.update(created_at=at, escalate_at=None)
    AlertNotice.objects.filter(alert__in=found).update(
        status=NoticeStatus.SENT, created_at=at, claimed_at=at, sent_at=at, attempts=1
    )


def _history(patient: Patient, now: datetime) -> int:
    """Run the clinic's rules over the patient's cards and last two weeks of check-ins, as
    saving them would have; date each alert by its answer (its e-mails count as sent) and
    resolve those older than two days. Returns how many alerts were raised."""
    zone = ZoneInfo(patient.time_zone)
    for card in DiaryCard.objects.filter(patient=patient).order_by("date"):
        if evaluate_diary_card(card):
            at = datetime.combine(card.date, time(21, 30), tzinfo=zone)
            _date_alerts(Alert.objects.filter(patient=patient, source_key=diary_source(card)), at)
    answers = PromptResponse.objects.filter(
        prompt__patient=patient, submitted_at__gte=now - timedelta(days=14)
    ).select_related("prompt__questionnaire", "prompt__patient__organisation")
    for response in answers:
        if evaluate_ema_response(response):
            found = Alert.objects.filter(patient=patient, source_key=ema_source(response))
            _date_alerts(found, response.submitted_at)
    therapist = primary_therapist(patient)
    raised = Alert.objects.filter(patient=patient)
    if therapist is not None:
        for alert in raised.filter(created_at__lt=now - RESOLVED_AFTER):
            alerts.resolve(therapist, alert, RESOLUTION)
    return raised.count()


def ensure_safety(
    seed: int, patients: list[Patient], deteriorating: Patient | None
) -> SafetyCounts:
    """Plans, the on-call contact, alerts and the high-risk watch of the demo clinic."""
    plans = raised = 0
    if patients:
        AlertSettings.objects.update_or_create(
            organisation=patients[0].organisation,
            defaults={"on_call_name": "Duty clinician", "on_call_email": f"oncall@{DOMAIN}"},
        )
    now = timezone.now()
    for patient in patients:
        if patient.user is None or SafetyPlanVersion.objects.filter(patient=patient).exists():
            continue
        _plan(seed, patient, patient.user)
        plans += 1
        raised += _history(patient, now)
    if deteriorating is not None and watch.current_watch(deteriorating) is None:
        therapist = primary_therapist(deteriorating)
        if therapist is not None:
            watch.start_watch(therapist, deteriorating, WATCH_REASON)
    open_alerts = Alert.objects.filter(patient__in=patients, status=AlertStatus.OPEN).count()
    return SafetyCounts(plans, raised, open_alerts)

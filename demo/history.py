"""Six months of diary cards and EMA check-ins for the demo patients who use the app.

The values come from the person-level affect model in ``demo.affect`` (pure, seeded);
this module only stores them. Which patients: those of the seed's plan that have a
log-in, in plan order; the n-th of them is person n of ``make_profiles``, so the
featured patient (DEMO-001) improves and the third patient with a log-in deteriorates.

For each of them, ending today in the patient's own time zone:

* **Diary cards** for the ``days`` days before today (today's card is left for the
  patient to fill), one for each day the model does not skip, on the patient's default
  targets and emotions. Each was first saved in the evening of its day; a few were
  filled in the next day and are marked late, as the product marks them.
* **EMA**: the patient's sleep window (``EmaSettings``), one schedule with five prompts a
  day at random times in five daily windows (the shared default questionnaire), and
  every prompt of that schedule from its first day until now: answered a few minutes
  after it was sent (some late), or missed, each with its in-app delivery. Prompts
  still to come are the planner's (``ema.planning.plan_schedule``), as in production.

Loading is idempotent per patient and per part: a patient who already has diary cards
gets no diary history, one who already has an EMA schedule gets no EMA history, so a
second run adds nothing and never touches what users entered since. Rows are written
with ``bulk_create``: the demo's eighteen app users' six months take about ten seconds
on SQLite (most of it drawing the random prompt times).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import F
from django.utils import timezone

from accounts.models import Organisation, User
from care.models import Patient, TeamRole
from core.actions import acting_as
from demo import affect
from demo.people import ORG_SLUG, plan
from diary.actions import ensure_card_items
from diary.defaults import DEFAULT_EMOTIONS
from diary.models import (
    CardEmotion,
    CardSource,
    CardTarget,
    DiaryCard,
    Emotion,
    TargetKind,
    is_active_on,
)
from ema import questionnaires
from ema.actions import default_questionnaire
from ema.models import (
    Channel,
    Delivery,
    DeliveryOutcome,
    EmaSettings,
    Prompt,
    PromptResponse,
    PromptStatus,
    Questionnaire,
    Schedule,
    ScheduleKind,
)
from ema.planning import plan_schedule
from ema.schedules import prompt_times

#: About six months, ending today.
HISTORY_DAYS = 182

#: Five random prompts a day, one in each of five windows from 08:00 to 22:00.
PROMPT_WINDOWS = [
    ["08:00", "10:48"],
    ["10:48", "13:36"],
    ["13:36", "16:24"],
    ["16:24", "19:12"],
    ["19:12", "22:00"],
]
MIN_GAP_MINUTES = 60
EXPIRES_AFTER_MINUTES = 30

SLEEP_STARTS = (time(22, 0), time(22, 30), time(23, 0), time(23, 30), time(0, 0))
SLEEP_ENDS = (time(6, 30), time(7, 0), time(7, 30), time(8, 0))

#: Share of cards first filled in the next day (the product marks them late).
LATE_CARD_SHARE = 0.06
#: Share of answered prompts answered after they had expired (late, same local day).
LATE_ANSWER_SHARE = 0.07
#: Where cards were saved from: the web app mostly, some from the offline queue or the API.
CARD_SOURCES = (CardSource.WEB, CardSource.OFFLINE, CardSource.API)
CARD_SOURCE_WEIGHTS = (0.8, 0.1, 0.1)

#: The model's emotions, in the order of the default emotions (diary.defaults).
EMOTION_KEYS = affect.EMOTIONS
#: The model's urges by target kind.
URGE_KEYS = {
    TargetKind.SUICIDE: "suicide",
    TargetKind.SELF_HARM: "self_harm",
    TargetKind.SUBSTANCE: "substance",
}


@dataclass
class HistoryCounts:
    """What one load added."""

    patients: int = 0
    cards: int = 0
    prompts: int = 0
    responses: int = 0


def _rng(seed: int, *parts: object) -> random.Random:
    # str seeds are hashed with SHA-512: stable across runs and PYTHONHASHSEED.
    return random.Random(":".join(str(part) for part in (seed, *parts)))


def _stable_uuid(seed: int, *parts: object) -> uuid.UUID:
    """A v4-shaped UUID from the seed, so that a schedule's random prompt times are reproducible
    (``prompt_times`` seeds them with the schedule's public id)."""
    return uuid.UUID(int=_rng(seed, "uuid", *parts).getrandbits(128), version=4)


def app_patients(seed: int, patient_count: int) -> list[Patient]:
    """The seed's patients with a log-in, in plan order (person n of the affect model)."""
    organisation = Organisation.objects.get(slug=ORG_SLUG)
    records = [spec.record_number for spec in plan(seed, patient_count).patients if spec.email]
    found = {
        patient.record_number: patient
        for patient in Patient.objects.filter(
            organisation=organisation, record_number__in=records, user__isnull=False
        ).select_related("user")
    }
    return [found[record] for record in records if record in found]


def ensure_history(
    seed: int,
    *,
    patient_count: int = 30,
    days: int = HISTORY_DAYS,
    now: datetime | None = None,
) -> HistoryCounts:
    """Load the history of every app-using demo patient who has none yet (see the module)."""
    now = now or timezone.now()
    counts = HistoryCounts()
    if days <= 0:
        return counts
    patients = app_patients(seed, patient_count)
    questionnaire = default_questionnaire()
    # Profiles depend on the course window, which ends on each patient's own today.
    profiles: dict[date, list[affect.PersonProfile]] = {}
    for index, patient in enumerate(patients):
        start = now.astimezone(ZoneInfo(patient.time_zone)).date() - timedelta(days=days)
        if start not in profiles:
            profiles[start] = affect.make_profiles(
                seed, len(patients), course_start=start, course_days=days + 1
            )
        profile = profiles[start][index]
        cards = _diary_history(seed, patient, profile, start, days, now)
        prompts, responses = _ema_history(seed, patient, profile, start, days, now, questionnaire)
        if cards or prompts:
            counts.patients += 1
        counts.cards += cards
        counts.prompts += prompts
        counts.responses += responses
    return counts


# --------------------------------------------------------------------------- diary cards


def _emotion_keys(emotions: Sequence[Emotion]) -> dict[int, str | None]:
    """The model's emotion for each of the patient's emotions (matched by default name)."""
    names = {str(label): key for label, key in zip(DEFAULT_EMOTIONS, EMOTION_KEYS, strict=True)}
    return {emotion.pk: names.get(emotion.name) for emotion in emotions}


def _first_saved_at(
    rng: random.Random, day: date, zone: ZoneInfo, now: datetime
) -> tuple[datetime, bool]:
    """When a card was first saved, and whether that was late (after its day)."""
    if rng.random() < LATE_CARD_SHARE:
        next_morning = datetime.combine(day + timedelta(days=1), time(7, 30), zone)
        saved = next_morning + timedelta(minutes=rng.uniform(0, 300))
        if saved <= now:
            return saved, True
    evening = datetime.combine(day, time(19, 0), zone)
    return evening + timedelta(minutes=rng.uniform(0, 270)), False


def _diary_history(
    seed: int,
    patient: Patient,
    profile: affect.PersonProfile,
    start: date,
    days: int,
    now: datetime,
) -> int:
    if patient.diary_cards.exists():
        return 0
    ensure_card_items(None, patient)
    targets = list(patient.diary_targets.all())
    emotions = list(patient.diary_emotions.all())
    emotion_keys = _emotion_keys(emotions)
    zone = ZoneInfo(patient.time_zone)

    cards: list[DiaryCard] = []
    records: list[affect.DayRecord] = []
    for record in affect.simulate_days(profile, start, days, seed):
        if record is None:
            continue  # a skipped day: the week grid shows "no card"
        rng = _rng(seed, patient.record_number, "card", record.day.isoformat())
        saved_at, late = _first_saved_at(rng, record.day, zone, now)
        cards.append(
            DiaryCard(
                patient=patient,
                date=record.day,
                skills_used=record.skills_used,
                skills=list(record.skills),
                prescribed_meds_taken=record.prescribed_meds_taken,
                prn_meds=record.prn_meds,
                alcohol=record.alcohol,
                drugs=record.drugs,
                sleep_hours=Decimal(str(record.sleep_hours)),
                note=record.note,
                is_late=late,
                source=rng.choices(CARD_SOURCES, weights=CARD_SOURCE_WEIGHTS)[0],
                first_saved_at=saved_at,
            )
        )
        records.append(record)
    # No CardRevision rows: a revision records one save through the product, and the
    # demo history was never saved through it (nothing reads revisions back yet).
    DiaryCard.objects.bulk_create(cards, batch_size=500)

    target_rows: list[CardTarget] = []
    emotion_rows: list[CardEmotion] = []
    for card, record in zip(cards, records, strict=True):
        for target in targets:
            if not is_active_on(target, record.day):
                continue
            key = URGE_KEYS.get(TargetKind(target.kind))
            if key is None:  # a personal target the model knows nothing about
                target_rows.append(CardTarget(card=card, target=target))
                continue
            acted = record.acted[key]
            detail = ""
            if acted and key == "substance" and target.asks_detail:
                detail = "; ".join(part for part in (record.alcohol, record.drugs) if part)
            target_rows.append(
                CardTarget(
                    card=card, target=target, urge=record.urges[key], acted=acted, detail=detail
                )
            )
        for emotion in emotions:
            if not is_active_on(emotion, record.day):
                continue
            emotion_key = emotion_keys[emotion.pk]
            rating = record.emotions[emotion_key] if emotion_key else None
            emotion_rows.append(CardEmotion(card=card, emotion=emotion, rating=rating))
    CardTarget.objects.bulk_create(target_rows, batch_size=1000)
    CardEmotion.objects.bulk_create(emotion_rows, batch_size=1000)
    # bulk_create stamps auto_now with the load time; the cards were last saved when first.
    DiaryCard.objects.filter(patient=patient).update(updated_at=F("first_saved_at"))
    return len(cards)


# --------------------------------------------------------------------------- EMA


def _therapist(patient: Patient) -> User | None:
    place = (
        patient.care_team.current()
        .filter(team_role=TeamRole.PRIMARY_THERAPIST)
        .select_related("member")
        .first()
    )
    return place.member if place else None


def _ensure_settings(seed: int, patient: Patient) -> EmaSettings:
    found = EmaSettings.objects.filter(patient=patient).first()
    if found is not None:
        return found
    rng = _rng(seed, patient.record_number, "sleep")
    with acting_as(patient.user):
        return EmaSettings.objects.create(
            patient=patient, sleep_start=rng.choice(SLEEP_STARTS), sleep_end=rng.choice(SLEEP_ENDS)
        )


def _answered_at(
    rng: random.Random, instant: datetime, sent_at: datetime, zone: ZoneInfo
) -> datetime:
    """A few minutes after the prompt was sent; sometimes late, but on the prompt's local day."""
    if rng.random() < LATE_ANSWER_SHARE:
        late = instant + timedelta(minutes=rng.uniform(EXPIRES_AFTER_MINUTES + 1, 150))
        if late.astimezone(zone).date() == instant.astimezone(zone).date():
            return late
    delay = min(rng.expovariate(1 / 5), EXPIRES_AFTER_MINUTES - 2.0)
    return max(sent_at + timedelta(seconds=20), instant + timedelta(minutes=0.5 + delay))


def _ema_history(
    seed: int,
    patient: Patient,
    profile: affect.PersonProfile,
    start: date,
    days: int,
    now: datetime,
    questionnaire: Questionnaire,
) -> tuple[int, int]:
    if patient.ema_schedules.exists() or patient.user is None:
        return 0, 0
    user = patient.user
    zone = ZoneInfo(patient.time_zone)
    sleep = _ensure_settings(seed, patient).sleep_window
    clinician = _therapist(patient)
    with acting_as(clinician):
        schedule = Schedule.objects.create(
            public_id=_stable_uuid(seed, patient.record_number, "schedule"),
            patient=patient,
            questionnaire=questionnaire,
            kind=ScheduleKind.RANDOM,
            windows=PROMPT_WINDOWS,
            prompts_per_window=1,
            min_gap_minutes=MIN_GAP_MINUTES,
            start_date=start,
            expires_after_minutes=EXPIRES_AFTER_MINUTES,
            created_by=clinician,
        )
    rule = schedule.rule()
    expiry = schedule.expires_after
    questions = questionnaire.questions

    prompts: list[tuple[Prompt, datetime]] = []
    answers: list[tuple[Prompt, dict[str, object], datetime]] = []
    previous: float | None = None
    for offset in range(days + 1):  # from the first day to today
        day = start + timedelta(days=offset)
        instants = prompt_times(rule, day, zone, sleep=sleep, seed=str(schedule.public_id))
        local = [instant.astimezone(zone) for instant in instants]
        records, previous = affect.simulate_prompts(profile, day, local, seed, previous)
        rng = _rng(seed, patient.record_number, "prompts", day.isoformat())
        for instant, record in zip(instants, records, strict=True):
            if instant > now:
                break  # the planner's
            sent_at = instant + timedelta(seconds=rng.uniform(2, 50))
            prompt = Prompt(
                schedule=schedule,
                patient=patient,
                questionnaire=questionnaire,
                scheduled_at=instant,
                expires_at=instant + expiry,
                sent_at=sent_at,
                status=PromptStatus.SENT,
            )
            prompts.append((prompt, sent_at))
            answered_at = _answered_at(rng, instant, sent_at, zone) if record else None
            if record is not None and answered_at is not None and answered_at <= now:
                prompt.status = PromptStatus.ANSWERED
                prompt.answered_at = answered_at
                prompt.is_late = answered_at > prompt.expires_at
                values: dict[str, object] = {
                    **record.ratings,
                    "activity": record.activity,
                    "company": record.company,
                }
                answers.append(
                    (prompt, questionnaires.clean_answers(questions, values), answered_at)
                )
            elif prompt.expires_at <= now:
                prompt.status = PromptStatus.MISSED
            # else: still open now, waiting in the app
    Prompt.objects.bulk_create((prompt for prompt, _sent in prompts), batch_size=1000)
    # Every prompt sent was shown in the app (web push and e-mail are not simulated).
    Delivery.objects.bulk_create(
        (
            Delivery(
                prompt=prompt,
                channel=Channel.IN_APP,
                attempted_at=sent_at,
                outcome=DeliveryOutcome.SENT,
            )
            for prompt, sent_at in prompts
        ),
        batch_size=1000,
    )
    PromptResponse.objects.bulk_create(
        (
            PromptResponse(prompt=prompt, answers=values, submitted_at=at, answered_by=user)
            for prompt, values, at in answers
        ),
        batch_size=1000,
    )
    plan_schedule(schedule, now)
    return len(prompts), len(answers)

"""``seed_demo`` loads the synthetic demo organisation: reproducibly, and only once."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db import transaction
from django.db.models import Model

from accounts.models import Organisation, Role, User
from care.actions import remove_from_care_team, withdraw_supporter
from care.models import CareTeamMember, Patient, SupporterLink, TeamRole
from chains.models import ChainAnalysis, ChainStatus, LinkComment
from coaching.models import Availability, CoachingRequest, RequestStatus
from demo.history import app_patients
from demo.people import ORG_SLUG, plan
from diary.cards import local_today
from diary.models import CardEmotion, CardRevision, CardTarget, DiaryCard
from ema.models import (
    Channel,
    Delivery,
    EmaSettings,
    Prompt,
    PromptResponse,
    PromptStatus,
    Schedule,
)
from safety.models import Alert, NoticeStatus, RiskWatch, SafetyPlanVersion

pytestmark = pytest.mark.django_db

TABLES: tuple[type[Model], ...] = (
    Organisation,
    User,
    Patient,
    CareTeamMember,
    SupporterLink,
    LogEntry,
    DiaryCard,
    CardTarget,
    CardEmotion,
    EmaSettings,
    Schedule,
    Prompt,
    PromptResponse,
    Delivery,
    SafetyPlanVersion,
    Alert,
    RiskWatch,
    ChainAnalysis,
    LinkComment,
    CoachingRequest,
    Availability,
)

#: Unit tests load a short history; the tests of its shape over months load the full one.
SHORT_HISTORY = 7
DEFAULT_SEED = 20261122
#: A fixed "now" for the history tests: the history ends on the day the seed runs.
FROZEN_NOW = datetime(2026, 7, 6, 12, 0, tzinfo=UTC)


def seed(*args: str, days: int = SHORT_HISTORY) -> str:
    out = StringIO()
    call_command("seed_demo", "--history-days", str(days), *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in TABLES}


def seeded_names(seed_value: int) -> list[tuple[str, str, str]]:
    """The patients a seed produces, loaded into the database and rolled back again."""
    with transaction.atomic():
        seed("--seed", str(seed_value), "--quiet-logins")
        names = list(
            Patient.objects.order_by("record_number").values_list(
                "record_number", "given_name", "family_name"
            )
        )
        transaction.set_rollback(True)
    return names


def test_second_run_changes_nothing() -> None:
    # Given the demo, loaded once
    seed()
    first = row_counts()

    # When it is loaded again
    seed()

    # Then no table has gained (or lost) a row, not even the change log
    assert row_counts() == first
    assert first["Patient"] == 30
    # ... and the history was there to be loaded twice
    assert first["DiaryCard"] > 0
    assert first["Prompt"] > first["PromptResponse"] > 0


def test_same_seed_same_people_and_other_seed_other_people() -> None:
    seven = seeded_names(7)
    eight = seeded_names(8)

    # The database holds exactly the people the seed's plan describes (the plan is pure)
    assert seven == [(p.record_number, p.given_name, p.family_name) for p in plan(7).patients]
    assert eight == [(p.record_number, p.given_name, p.family_name) for p in plan(8).patients]
    assert len(seven) == 30
    assert eight != seven
    # The first patient is the fixed demo persona whatever the seed.
    assert seven[0][1:] == eight[0][1:] == ("Dana", "Whitfield")


def test_plan_is_a_pure_function_of_the_seed() -> None:
    assert plan(1) == plan(1)
    assert [p.given_name for p in plan(1).patients] != [p.given_name for p in plan(2).patients]


def test_the_cast() -> None:
    seed("--quiet-logins")

    organisation = Organisation.objects.get(slug=ORG_SLUG)
    members = User.objects.filter(organisation=organisation)
    roles = {role: members.filter(role=role).count() for role in Role.values}
    assert roles[Role.CLINICIAN] == 3
    assert roles[Role.FACILITATOR] == 1
    assert roles[Role.RESEARCHER] == 1
    assert roles[Role.ADMIN] == 1
    assert roles[Role.SUPPORTER] >= 1
    assert Patient.objects.filter(organisation=organisation).count() == 30
    assert roles[Role.PATIENT] == Patient.objects.filter(user__isnull=False).count()
    assert all(user.is_demo for user in members)


def test_every_patient_has_a_primary_therapist_who_is_a_clinician() -> None:
    seed("--quiet-logins")

    for patient in Patient.objects.all():
        therapists = patient.care_team.current().filter(team_role=TeamRole.PRIMARY_THERAPIST)
        assert [place.member.role for place in therapists] == [Role.CLINICIAN], patient


def test_team_places_respect_the_care_team_rules() -> None:
    seed("--quiet-logins")

    places = CareTeamMember.objects.select_related("member", "patient")
    for place in places:
        assert place.member.organisation_id == place.patient.organisation_id
        if place.member.role == Role.FACILITATOR:
            assert place.team_role == TeamRole.SKILLS_TRAINER
    for link in SupporterLink.objects.select_related("supporter", "patient"):
        assert link.supporter.role == Role.SUPPORTER
        assert link.patient.user_id is not None, "only patients with a log-in share"


def test_demo_log_ins_are_printed_unless_asked_not_to() -> None:
    loud = seed()
    quiet = seed("--quiet-logins")

    assert "patient@demo.example.org" in loud
    assert "wisemind-demo" in loud
    assert "wisemind-demo" not in quiet


def test_seeding_again_respects_what_users_changed_since() -> None:
    # Given the demo, where the demo patient then stops sharing and a clinician leaves a team
    seed("--quiet-logins")
    dana = Patient.objects.get(record_number="DEMO-001")
    link = dana.supporter_links.current().get()
    withdraw_supporter(dana.user, link)
    place = dana.care_team.current().get(team_role=TeamRole.PRESCRIBER)
    remove_from_care_team(None, place)

    # When the demo is loaded again
    seed("--quiet-logins")

    # Then the withdrawn consent and the ended place stay as the users left them
    assert not dana.supporter_links.current().exists()
    assert not dana.care_team.current().filter(team_role=TeamRole.PRESCRIBER).exists()


# --- diary and EMA history ---------------------------------------------------------------------


def card_values(patient: Patient) -> list[tuple[Any, ...]]:
    cards = DiaryCard.objects.filter(patient=patient).prefetch_related(
        "targets__target", "emotions__emotion"
    )
    return [
        (
            card.date,
            card.is_late,
            card.first_saved_at,
            card.skills_used,
            card.sleep_hours,
            card.note,
            sorted((row.emotion.name, row.rating) for row in card.emotions.all()),
            sorted((row.target.name, row.urge, row.acted) for row in card.targets.all()),
        )
        for card in cards.order_by("date")
    ]


def seeded_history(seed_value: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """DEMO-001's cards and check-ins for a seed, loaded and rolled back again."""
    with transaction.atomic():
        seed("--seed", str(seed_value), "--quiet-logins", days=21)
        dana = Patient.objects.get(record_number="DEMO-001")
        cards = card_values(dana)
        prompts = list(
            Prompt.objects.filter(patient=dana)
            .order_by("scheduled_at")
            .values_list("scheduled_at", "status", "answered_at", "response__answers")
        )
        transaction.set_rollback(True)
    return cards, prompts


@time_machine.travel(FROZEN_NOW, tick=False)
def test_same_seed_same_history_and_other_seed_other_history() -> None:
    cards, prompts = seeded_history(7)
    again = seeded_history(7)
    other = seeded_history(8)

    assert (cards, prompts) == again
    assert len(cards) > 10 and len(prompts) > 80
    assert other[0] != cards
    assert other[1] != prompts


@time_machine.travel(FROZEN_NOW, tick=False)
def test_the_history_of_a_patient_who_uses_the_app() -> None:
    seed("--quiet-logins", days=28)
    now = FROZEN_NOW

    patients = app_patients(DEFAULT_SEED, 30)
    assert patients[0].record_number == "DEMO-001"
    assert len(patients) == Patient.objects.filter(user__isnull=False).count()
    # Patients without a log-in have no history.
    assert not DiaryCard.objects.filter(patient__user__isnull=True).exists()
    assert not Schedule.objects.filter(patient__user__isnull=True).exists()
    # Demo history is not saved through the product, so it has no revisions.
    assert not CardRevision.objects.exists()

    for patient in patients:
        zone = ZoneInfo(patient.time_zone)
        today = local_today(patient.time_zone, now)
        cards = list(patient.diary_cards.prefetch_related("targets", "emotions"))
        # Cards for the days before today, some days skipped; today's is the patient's to fill.
        dates = {card.date for card in cards}
        assert dates <= {today - timedelta(days=n) for n in range(1, 29)}
        assert 10 <= len(cards) < 28, patient
        for card in cards:
            assert len(card.targets.all()) == 3 and len(card.emotions.all()) == 8
            assert all(row.urge is not None for row in card.targets.all())
            assert all(row.rating is not None for row in card.emotions.all())
            saved = card.first_saved_at.astimezone(zone)
            if card.is_late:
                assert saved.date() == card.date + timedelta(days=1)
            else:
                assert saved.date() == card.date and saved.time() >= time(19, 0)
            assert card.updated_at == card.first_saved_at

        settings = patient.ema_settings
        assert settings.sleep_window is not None
        [schedule] = patient.ema_schedules.all()
        assert schedule.start_date == today - timedelta(days=28)
        prompts = list(schedule.prompts.prefetch_related("deliveries").select_related("response"))
        past = [p for p in prompts if p.scheduled_at <= now]
        future = [p for p in prompts if p.scheduled_at > now]
        # Five a day (less whatever the sleep window takes), then what the planner added.
        assert 28 * 4 <= len(past) <= 29 * 5
        assert future and all(p.status == PromptStatus.PLANNED for p in future)
        for prompt in past:
            local = prompt.scheduled_at.astimezone(zone)
            assert time(8, 0) <= local.time() < time(22, 0)
            assert [d.channel for d in prompt.deliveries.all()] == [Channel.IN_APP]
            if prompt.status == PromptStatus.ANSWERED:
                assert prompt.response.submitted_at == prompt.answered_at
                assert prompt.response.answered_by_id == patient.user_id
                assert set(prompt.response.answers) == {
                    "sad",
                    "anxious",
                    "angry",
                    "happy",
                    "urge_self_harm",
                    "activity",
                    "company",
                }
                assert prompt.is_late == (prompt.answered_at > prompt.expires_at)
                assert prompt.answered_at.astimezone(zone).date() == local.date()
            elif prompt.expires_at <= now:
                assert prompt.status == PromptStatus.MISSED
            else:
                assert prompt.status == PromptStatus.SENT  # open in the app right now
        statuses = Counter(p.status for p in past)
        assert statuses[PromptStatus.ANSWERED] > statuses[PromptStatus.MISSED] > 0

    answered = Prompt.objects.filter(status=PromptStatus.ANSWERED)
    assert 0 < answered.filter(is_late=True).count() < 0.2 * answered.count()
    late_cards = DiaryCard.objects.filter(is_late=True).count()
    assert 0 < late_cards < 0.15 * DiaryCard.objects.count()


def test_no_history_when_asked_for_none() -> None:
    seed("--quiet-logins", days=0)

    assert not DiaryCard.objects.exists()
    assert not Prompt.objects.exists()


def month_means(patient: Patient) -> tuple[float, float, float, float]:
    """Mean summed urges and mean negative emotion of the first and the last 30 days' cards."""
    today = local_today(patient.time_zone, FROZEN_NOW)
    cards = patient.diary_cards.prefetch_related("targets", "emotions__emotion")

    def urges(part: list[DiaryCard]) -> float:
        return statistics.mean(sum(row.urge or 0 for row in c.targets.all()) for c in part)

    def negative(part: list[DiaryCard]) -> float:
        return statistics.mean(
            statistics.mean(r.rating or 0 for r in c.emotions.all() if r.emotion.name != "Joy")
            for c in part
        )

    first = [c for c in cards if c.date < today - timedelta(days=152)]
    last = [c for c in cards if c.date >= today - timedelta(days=30)]
    return urges(first), urges(last), negative(first), negative(last)


def weekly_urges(patient: Patient) -> list[float]:
    """The mean of the patient's summed urges per card, week by week."""
    today = local_today(patient.time_zone, FROZEN_NOW)
    by_week: dict[int, list[int]] = {}
    for card in patient.diary_cards.prefetch_related("targets"):
        week = (today - card.date).days // 7
        by_week.setdefault(-week, []).append(sum(row.urge or 0 for row in card.targets.all()))
    return [statistics.mean(values) for _week, values in sorted(by_week.items())]


@time_machine.travel(FROZEN_NOW, tick=False)
def test_six_months_the_deteriorating_patient_worsens_and_nights_are_missed() -> None:
    seed("--quiet-logins", days=182)

    patients = app_patients(DEFAULT_SEED, 30)
    improving, deteriorating = patients[0], patients[2]

    # About six months of cards for each patient, with realistic gaps
    for patient in patients:
        cards = patient.diary_cards.count()
        assert 182 * 0.6 < cards < 182 * 0.95, (patient, cards)

    # The third patient who uses the app deteriorates: urges and emotions rise over the months
    first_urges, last_urges, first_emotions, last_emotions = month_means(deteriorating)
    assert last_urges > first_urges
    assert last_emotions > first_emotions + 0.3
    weeks = weekly_urges(deteriorating)
    assert statistics.correlation(range(len(weeks)), weeks) > 0.2
    # ... while the featured patient improves.
    first_urges, last_urges, first_emotions, last_emotions = month_means(improving)
    assert last_urges < first_urges - 1
    assert last_emotions < first_emotions - 0.3
    assert statistics.correlation(range(len(weeks := weekly_urges(improving))), weeks) < -0.5

    # Check-ins are missed more often late in the evening than during the day.
    missed: dict[str, list[bool]] = {"day": [], "night": []}
    closed = Prompt.objects.filter(status__in=[PromptStatus.ANSWERED, PromptStatus.MISSED])
    for prompt in closed.select_related("patient"):
        hour = prompt.scheduled_at.astimezone(ZoneInfo(prompt.patient.time_zone)).hour
        if 9 <= hour < 21:
            missed["day"].append(prompt.status == PromptStatus.MISSED)
        elif hour >= 21:
            missed["night"].append(prompt.status == PromptStatus.MISSED)
    assert len(missed["night"]) > 500
    assert statistics.mean(missed["night"]) > statistics.mean(missed["day"]) + 0.1

    # Every patient who uses the app has a safety plan in two versions (therapist, then the
    # patient); the deteriorating patient is on high-risk watch; alerts come from the rules
    for patient in patients:
        versions = list(patient.safety_plan_versions.order_by("number"))
        assert [v.number for v in versions] == [1, 2]
        assert versions[1].saved_by == patient.user
        assert versions[1].shared  # the patient shares some sections with supporters
    assert list(RiskWatch.objects.values_list("patient_id", flat=True)) == [deteriorating.pk]
    for alert in Alert.objects.select_related("rule"):
        assert alert.rule.organisation_id == deteriorating.organisation_id
        assert alert.notices.exclude(status=NoticeStatus.SENT).count() == 0

    # The featured patient shared a chain analysis, started from a day they acted on a target,
    # and their therapist commented on it
    [chain] = ChainAnalysis.objects.filter(patient=improving)
    assert chain.status == ChainStatus.SHARED and chain.day is not None
    assert CardTarget.objects.filter(card__patient=improving, card__date=chain.day, acted=True)
    assert chain.links.count() == 5
    assert LinkComment.objects.filter(link__chain=chain).count() == 2

    # Coaching: every clinician has hours; the featured patient has an answered, closed
    # request from last week (answered in 24 minutes) and one waiting now
    clinicians = User.objects.filter(role=Role.CLINICIAN, organisation=improving.organisation)
    assert Availability.objects.filter(clinician__in=clinicians).count() == clinicians.count() > 0
    closed, waiting = CoachingRequest.objects.filter(patient=improving).order_by("created_at")
    assert closed.status == RequestStatus.CLOSED and waiting.status == RequestStatus.OPEN
    assert closed.first_response_at - closed.created_at == timedelta(minutes=24)
    assert closed.messages.count() == 2 and not waiting.messages.exists()

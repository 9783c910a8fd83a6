"""The planner creates each schedule's prompts for today and the next days, ahead of time."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from core.testing.factories import make_user
from ema.actions import save_settings, update_schedule
from ema.dispatch import claim_due
from ema.models import EmaSettings, Prompt, PromptStatus, ScheduleKind
from ema.planning import DAYS_AHEAD, plan_all, plan_schedule
from ema.schedules import prompt_times
from ema.tests.builders import make_ema_patient, make_schedule, minutes, prompts_of

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local(year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A wall-clock time in Amsterdam as a UTC instant."""
    return datetime(year, month, day, hour, minute, second, tzinfo=AMSTERDAM).astimezone(UTC)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def wall(instant: datetime, zone: str = "Europe/Amsterdam") -> str:
    return instant.astimezone(ZoneInfo(zone)).strftime("%m-%d %H:%M")


# --- what is planned, per kind of schedule ------------------------------------------------


def test_fixed_times_are_planned_for_today_and_the_next_days() -> None:
    # Given a patient in Amsterdam prompted at 09:00, 13:00 and 20:00, at 10:30 their time
    patient = make_ema_patient()
    schedule = make_schedule(patient, times=["09:00", "13:00", "20:00"], expires_after_minutes=45)
    now = local(2026, 6, 10, 10, 30)

    # When the planner runs
    created = plan_schedule(schedule, now)

    # Then today's remaining prompts and those of the next two days exist, at those wall times
    planned = prompts_of(schedule)
    assert created == len(planned) == 8
    assert [wall(p) for p in planned] == [
        "06-10 13:00", "06-10 20:00",
        "06-11 09:00", "06-11 13:00", "06-11 20:00",
        "06-12 09:00", "06-12 13:00", "06-12 20:00",
    ]  # fmt: skip
    for prompt in Prompt.objects.filter(schedule=schedule):
        assert prompt.status == PromptStatus.PLANNED
        assert prompt.patient_id == patient.pk
        assert prompt.questionnaire_id == schedule.questionnaire_id
        assert prompt.expires_at - prompt.scheduled_at == minutes(45)
        assert prompt.claimed_at is None and prompt.sent_at is None


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        # 23:30 UTC is already 01:30 tomorrow in Amsterdam: "today" is the 11th there.
        ("Europe/Amsterdam", ["06-11 09:00", "06-12 09:00", "06-13 09:00"]),
        # ... and still 19:30 on the 10th in New York, where 09:00 has passed.
        ("America/New_York", ["06-11 09:00", "06-12 09:00"]),
        # ... and 09:30 on the 11th in Sydney.
        ("Australia/Sydney", ["06-12 09:00", "06-13 09:00"]),
    ],
)
def test_days_are_the_patients_own_calendar_days(zone: str, expected: list[str]) -> None:
    # Given patients in three zones prompted at 09:00 their time
    patient = make_ema_patient(time_zone=zone)
    schedule = make_schedule(patient, times=["09:00"])

    # When the planner runs at 23:30 UTC
    plan_schedule(schedule, utc(2026, 6, 10, 23, 30))

    # Then the prompts fall at 09:00 on the patient's own today and next two days
    assert [wall(p, zone) for p in prompts_of(schedule)] == expected


def test_random_prompts_fall_in_their_windows_the_configured_number_of_times() -> None:
    # Given two random prompts in each of two windows, at least 45 minutes apart
    patient = make_ema_patient()
    schedule = make_schedule(
        patient,
        kind=ScheduleKind.RANDOM,
        windows=[["09:00", "12:00"], ["14:00", "18:00"]],
        prompts_per_window=2,
        min_gap_minutes=45,
    )

    # When the planner runs before the day's first window
    plan_schedule(schedule, local(2026, 6, 10, 6, 0))

    # Then each day has two prompts in each window, 45 minutes apart or more
    by_day: dict[date, list[datetime]] = {}
    for instant in prompts_of(schedule):
        by_day.setdefault(instant.astimezone(AMSTERDAM).date(), []).append(instant)
    assert sorted(by_day) == [date(2026, 6, 10), date(2026, 6, 11), date(2026, 6, 12)]
    for day, instants in by_day.items():
        walls = [i.astimezone(AMSTERDAM).time() for i in instants]
        assert sum(time(9) <= w < time(12) for w in walls) == 2, day
        assert sum(time(14) <= w < time(18) for w in walls) == 2, day
        gaps = [b - a for a, b in itertools.pairwise(instants)]
        assert min(gaps) >= minutes(45)
        # and they are the engine's draw for this schedule (seeded by its id), so
        # planning the same day again gives the same times
        assert instants == prompt_times(
            schedule.rule(), day, AMSTERDAM, seed=str(schedule.public_id)
        )


def test_interval_prompts_run_from_the_window_start_to_its_end() -> None:
    patient = make_ema_patient()
    schedule = make_schedule(
        patient, kind=ScheduleKind.INTERVAL, windows=[["09:00", "12:00"]], every_minutes=90
    )

    plan_schedule(schedule, local(2026, 6, 10, 9, 45))

    assert [wall(p) for p in prompts_of(schedule)] == [
        "06-10 10:30", "06-10 12:00",
        "06-11 09:00", "06-11 10:30", "06-11 12:00",
        "06-12 09:00", "06-12 10:30", "06-12 12:00",
    ]  # fmt: skip


# --- never in the past, never while asleep ----------------------------------------------------


def test_a_prompt_at_or_before_the_present_moment_is_never_planned() -> None:
    patient = make_ema_patient()
    schedule = make_schedule(patient, times=["09:00", "13:00", "13:01"])

    plan_schedule(schedule, local(2026, 6, 10, 13, 0))

    today = [p for p in prompts_of(schedule) if wall(p).startswith("06-10")]
    assert [wall(p) for p in today] == ["06-10 13:01"]


def test_no_prompt_falls_inside_the_sleep_window() -> None:
    # Given a patient who sleeps from 22:00 until 08:00
    patient = make_ema_patient(sleep_start=time(22), sleep_end=time(8))
    fixed = make_schedule(patient, times=["07:00", "07:59", "08:00", "21:59", "22:00", "23:30"])
    random = make_schedule(
        patient,
        kind=ScheduleKind.RANDOM,
        windows=[["06:00", "09:00"], ["21:00", "23:59"]],
        prompts_per_window=2,
        min_gap_minutes=20,
    )

    # When both schedules are planned
    plan_all(local(2026, 6, 10, 0, 30))

    # Then the fixed times inside the window are dropped and the random ones avoid it
    assert {wall(p)[6:] for p in prompts_of(fixed)} == {"08:00", "21:59"}
    random_walls = [p.astimezone(AMSTERDAM).time() for p in prompts_of(random)]
    assert len(random_walls) == 4 * (DAYS_AHEAD + 1)
    assert all(time(8) <= w < time(22) for w in random_walls), random_walls


# --- idempotent ---------------------------------------------------------------------------


def test_planning_twice_creates_nothing_new() -> None:
    patient = make_ema_patient()
    schedule = make_schedule(patient, times=["09:00", "13:00", "20:00"])
    now = local(2026, 6, 10, 7, 0)
    assert plan_all(now) == 9

    # When the planner runs again, now and an hour later
    again = plan_all(now)
    later = plan_schedule(schedule, now + timedelta(hours=1))

    # Then nothing new is created, and the prompts are the same rows
    assert again == later == 0
    assert Prompt.objects.filter(schedule=schedule).count() == 9

    # And on the next day the planner adds only the new last day
    assert plan_all(now + timedelta(days=1)) == 3
    assert Prompt.objects.filter(schedule=schedule).count() == 12


# --- dates and inactive schedules -----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2026, 6, 11), None, ["06-11", "06-12"]),
        (date(2026, 6, 1), date(2026, 6, 11), ["06-10", "06-11"]),
        (date(2026, 6, 11), date(2026, 6, 11), ["06-11"]),
        (date(2026, 6, 20), None, []),
        (date(2026, 6, 1), date(2026, 6, 9), []),
    ],
)
def test_prompts_fall_between_the_first_and_last_day(
    start: date, end: date | None, days: list[str]
) -> None:
    patient = make_ema_patient()
    schedule = make_schedule(patient, times=["20:00"], start_date=start, end_date=end)

    plan_schedule(schedule, local(2026, 6, 10, 7, 0))

    assert [wall(p)[:5] for p in prompts_of(schedule)] == days


def test_an_inactive_schedule_is_not_planned() -> None:
    patient = make_ema_patient()
    stopped = make_schedule(patient, times=["20:00"], active=False)
    running = make_schedule(patient, times=["21:00"])

    assert plan_schedule(stopped, local(2026, 6, 10, 7, 0)) == 0
    assert plan_all(local(2026, 6, 10, 7, 0)) == 3
    assert prompts_of(stopped) == []
    assert len(prompts_of(running)) == 3


# --- planning again after a change --------------------------------------------------------


def test_editing_a_schedule_replaces_future_prompts_but_keeps_started_ones() -> None:
    patient = make_ema_patient()
    therapist = make_user(Role.CLINICIAN, patient.organisation)
    with time_machine.travel(local(2026, 6, 10, 7, 0), tick=False):
        schedule = make_schedule(patient, times=["09:00", "13:00", "20:00"])
        plan_schedule(schedule)
    morning = Prompt.objects.get(schedule=schedule, scheduled_at=local(2026, 6, 10, 9))
    noon = Prompt.objects.get(schedule=schedule, scheduled_at=local(2026, 6, 10, 13))

    # Given, just after 13:00, the 09:00 prompt answered and the 13:00 one being delivered
    with time_machine.travel(local(2026, 6, 10, 13, 0, 30), tick=False):
        Prompt.objects.filter(pk=morning.pk).update(
            status=PromptStatus.ANSWERED, answered_at=local(2026, 6, 10, 9, 5)
        )
        assert claim_due() == [noon.pk]

        # When the clinician moves the prompts to 10:00, 14:00 and 21:00
        update_schedule(therapist, schedule, times=["10:00", "14:00", "21:00"])

    # Then the started prompts stay, and the rest follow the new times from now on
    assert [wall(p) for p in prompts_of(schedule)] == [
        "06-10 09:00", "06-10 13:00", "06-10 14:00", "06-10 21:00",
        "06-11 10:00", "06-11 14:00", "06-11 21:00",
        "06-12 10:00", "06-12 14:00", "06-12 21:00",
    ]  # fmt: skip
    morning.refresh_from_db()
    noon.refresh_from_db()
    assert morning.status == PromptStatus.ANSWERED
    assert noon.status == PromptStatus.PLANNED and noon.claimed_at is not None


def test_shortening_a_schedule_removes_its_later_prompts() -> None:
    patient = make_ema_patient()
    therapist = make_user(Role.CLINICIAN, patient.organisation)
    with time_machine.travel(local(2026, 6, 10, 7, 0), tick=False):
        schedule = make_schedule(patient, times=["09:00", "20:00"])
        plan_schedule(schedule)

        update_schedule(therapist, schedule, end_date=date(2026, 6, 10))

    assert [wall(p) for p in prompts_of(schedule)] == ["06-10 09:00", "06-10 20:00"]


def test_a_new_sleep_window_moves_future_prompts_out_of_it() -> None:
    # Given prompts at 07:00, 09:00 and 22:30, planned at 06:00
    patient = make_ema_patient()
    assert patient.user is not None
    with time_machine.travel(local(2026, 6, 10, 6, 0), tick=False):
        schedule = make_schedule(patient, times=["07:00", "09:00", "22:30"])
        plan_schedule(schedule)
    seven = Prompt.objects.get(schedule=schedule, scheduled_at=local(2026, 6, 10, 7))
    Prompt.objects.filter(pk=seven.pk).update(status=PromptStatus.SENT)

    # When, at 08:00, the patient says they sleep from 22:00 until 08:00
    with time_machine.travel(local(2026, 6, 10, 8, 0), tick=False):
        save_settings(
            patient.user,
            patient,
            sleep_start=time(22),
            sleep_end=time(8),
            push_enabled=True,
            email_enabled=False,
        )

    # Then this morning's sent prompt stays, and no future prompt is inside the new window
    assert [wall(p) for p in prompts_of(schedule)] == [
        "06-10 07:00",
        "06-10 09:00",
        "06-11 09:00",
        "06-12 09:00",
    ]
    assert Prompt.objects.get(pk=seven.pk).status == PromptStatus.SENT


# --- daylight-saving changes ------------------------------------------------------------------


def test_spring_forward_in_amsterdam_gives_the_right_instants() -> None:
    # Given prompts at 01:30, 02:30 (which does not exist on 29 March), 03:30 and 12:30
    patient = make_ema_patient()
    schedule = make_schedule(patient, times=["01:30", "02:30", "03:30", "12:30"])

    # When planned at noon the day before the clocks go forward
    plan_schedule(schedule, local(2026, 3, 28, 12, 0))

    # Then 02:30 moves to 03:30 CEST and is one prompt with it; offsets change on the 29th
    assert prompts_of(schedule) == [
        utc(2026, 3, 28, 11, 30),  # 12:30 CET
        utc(2026, 3, 29, 0, 30),  # 01:30 CET
        utc(2026, 3, 29, 1, 30),  # 03:30 CEST (02:30 and 03:30)
        utc(2026, 3, 29, 10, 30),  # 12:30 CEST
        utc(2026, 3, 29, 23, 30),  # 01:30 CEST on the 30th
        utc(2026, 3, 30, 0, 30),
        utc(2026, 3, 30, 1, 30),
        utc(2026, 3, 30, 10, 30),
    ]


def test_fall_back_in_amsterdam_gives_the_right_instants() -> None:
    # Given the same prompts around 25 October, when 02:00-03:00 happens twice
    patient = make_ema_patient()
    schedule = make_schedule(patient, times=["01:30", "02:30", "03:30", "12:30"])

    plan_schedule(schedule, local(2026, 10, 24, 12, 0))

    # Then 02:30 is sent once, at its first occurrence (CEST), and the rest move to CET
    assert prompts_of(schedule) == [
        utc(2026, 10, 24, 10, 30),  # 12:30 CEST
        utc(2026, 10, 24, 23, 30),  # 01:30 CEST on the 25th
        utc(2026, 10, 25, 0, 30),  # 02:30 CEST, the first of the two
        utc(2026, 10, 25, 2, 30),  # 03:30 CET
        utc(2026, 10, 25, 11, 30),  # 12:30 CET
        utc(2026, 10, 26, 0, 30),  # 01:30 CET on the 26th
        utc(2026, 10, 26, 1, 30),
        utc(2026, 10, 26, 2, 30),
        utc(2026, 10, 26, 11, 30),
    ]


# --- properties over zones, moments and schedules -------------------------------------------

ZONES = ("Europe/Amsterdam", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC")
minutes_of_day = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))


def in_sleep(moment: time, sleep: tuple[time, time] | None) -> bool:
    if sleep is None or sleep[0] == sleep[1]:
        return False
    start, end = sleep
    return start <= moment < end if start < end else (moment >= start or moment < end)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    zone=st.sampled_from(ZONES),
    now=st.datetimes(
        min_value=datetime(2026, 3, 1),  # noqa: DTZ001 (naive bounds, aware values)
        max_value=datetime(2026, 11, 30),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    times=st.lists(minutes_of_day, min_size=1, max_size=6, unique=True),
    sleep=st.none() | st.tuples(minutes_of_day, minutes_of_day),
)
def test_planned_prompts_are_future_awake_within_the_horizon_and_planned_once(
    zone: str,
    now: datetime,
    times: list[time],
    sleep: tuple[time, time] | None,
    db: None,
) -> None:
    with transaction.atomic():
        patient = make_ema_patient(time_zone=zone)
        if sleep:
            EmaSettings.objects.create(patient=patient, sleep_start=sleep[0], sleep_end=sleep[1])
        schedule = make_schedule(patient, times=[t.strftime("%H:%M") for t in times])

        created = plan_schedule(schedule, now)

        tz = ZoneInfo(zone)
        today = now.astimezone(tz).date()
        planned = prompts_of(schedule)
        assert created == len(planned)
        for instant in planned:
            moment = instant.astimezone(tz)
            assert instant > now
            assert today <= moment.date() <= today + timedelta(days=DAYS_AHEAD)
            assert not in_sleep(moment.time(), sleep)
        assert plan_schedule(schedule, now) == 0
        transaction.set_rollback(True)


def test_discharged_patients_get_no_new_prompts() -> None:
    # Given a patient with a schedule who has been discharged
    from care.models import PatientStatus

    patient = make_ema_patient()
    patient.status = PatientStatus.DISCHARGED
    patient.save(update_fields=["status"])
    schedule = make_schedule(patient)
    # When the periodic planner runs, then nothing is planned for them
    assert plan_all() == 0
    assert prompts_of(schedule) == []

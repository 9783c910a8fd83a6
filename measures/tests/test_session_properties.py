"""Hypothesis: a session entered on the patient's wall clock keeps that wall-clock time,
and its questionnaire opens exactly the configured number of elapsed hours before it,
across daylight-saving changes (in both directions, on both hemispheres)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.testing.factories import make_patient, shipped_instrument
from core.testing.personas import World
from measures import actions
from measures.models import Administration
from measures.sessions import (
    NonexistentTime,
    instant_to_wall_clock,
    opens_at,
    wall_clock_to_instant,
)

#: Each zone with its 2026 daylight-saving changes.
CHANGES = {
    "Europe/Amsterdam": (date(2026, 3, 29), date(2026, 10, 25)),
    "America/New_York": (date(2026, 3, 8), date(2026, 11, 1)),
    "Australia/Sydney": (date(2026, 4, 5), date(2026, 10, 4)),
}


@st.composite
def near_a_change(draw: st.DrawFn) -> tuple[str, datetime]:
    """A zone and a wall-clock time within three days of one of its changes."""
    zone = draw(st.sampled_from(sorted(CHANGES)))
    day = draw(st.sampled_from(CHANGES[zone])) + timedelta(days=draw(st.integers(-3, 3)))
    minutes = draw(st.integers(0, 24 * 60 - 1))
    return zone, datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)  # noqa: DTZ001


@settings(max_examples=300, deadline=None)
@given(when=near_a_change(), hours=st.integers(1, 168))
def test_wall_clock_round_trips_and_the_window_is_elapsed_hours(
    when: tuple[str, datetime], hours: int
) -> None:
    zone_name, wall = when
    zone = ZoneInfo(zone_name)
    try:
        instant = wall_clock_to_instant(wall, zone)
    except NonexistentTime:
        # Only a time inside a spring-forward gap is refused: it never shows on the clock
        shown = wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        assert shown != wall
        return
    assert instant.tzinfo is UTC
    assert instant_to_wall_clock(instant, zone) == wall
    # An ambiguous time (fall-back hour) is its first occurrence
    assert instant == wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    opening = opens_at(instant, hours)
    assert (instant - opening).total_seconds() == hours * 3600


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(when=near_a_change(), hours=st.integers(1, 72))
def test_the_planner_opens_the_questionnaire_the_right_hours_before_across_dst(
    world: World, when: tuple[str, datetime], hours: int
) -> None:
    zone_name, wall = when
    zone = ZoneInfo(zone_name)
    try:
        starts_at = wall_clock_to_instant(wall, zone)
    except NonexistentTime:
        return
    opening = starts_at - timedelta(hours=hours)
    with transaction.atomic():
        # Given a patient in that zone with PHQ-9 before each session, booked a week ahead
        patient = make_patient(world.organisation, time_zone=zone_name)
        with time_machine.travel(opening - timedelta(days=7), tick=False):
            actions.assign_instrument(
                world.therapist,
                patient,
                shipped_instrument("phq9"),
                frequency="session",
                hours_before=hours,
            )
            session = actions.add_session(world.therapist, patient, wall)
        assert instant_to_wall_clock(session.starts_at, zone) == wall
        # When the planner runs a second before the opening, then at it
        with time_machine.travel(opening - timedelta(seconds=1), tick=False):
            assert actions.plan_due() == 0
        with time_machine.travel(opening, tick=False):
            assert actions.plan_due() == 1
        # Then it opened exactly ``hours`` elapsed hours before the session
        planned = Administration.objects.get(patient=patient)
        assert (planned.closes_at - planned.due_at).total_seconds() == hours * 3600
        assert planned.closes_at == session.starts_at
        transaction.set_rollback(True)

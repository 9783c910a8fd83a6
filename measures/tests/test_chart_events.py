"""Treatment events on the clinician's chart: therapy sessions held, risk alerts raised
(markers and counts, never their words), high-risk watches and safety-plan versions, on
the scores' time axis, with a legend and a list in words; the page's queries stay the
same however many events there are."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from care.models import Patient
from core.testing.factories import make_administration
from core.testing.personas import World
from measures import actions
from measures.charts import event_lines, events_in, window_of
from measures.queries import EventKind, TreatmentEvent, series_for, treatment_events
from safety.actions import save_plan
from safety.alerts import raise_alert
from safety.plans import parse_plan
from safety.risk import Finding, rules_for
from safety.watch import end_watch, start_watch

pytestmark = pytest.mark.django_db

Clients = Callable[[User | None], Client]
SECRET = "Told the team about the bridge"
PLAN = {"warning_signs": ["I stop answering messages"], "coping": ["Cold shower"]}


def phq(value: int) -> dict[str, int | None]:
    return {str(n): value for n in range(1, 9)} | {"9": 0}


def alert(patient: Patient) -> None:
    rule = rules_for(patient.organisation_id)[0]
    raise_alert(patient, Finding(rule, f"test:{uuid.uuid4()}", SECRET))


def session_held(world: World, at: datetime) -> None:
    with time_machine.travel(at - timedelta(days=1), tick=False):
        actions.add_session(world.therapist, world.patient_record, at)


def plan_version(world: World) -> None:
    from safety.actions import current_version

    latest = current_version(world.patient_record)
    save_plan(
        world.therapist,
        world.patient_record,
        parse_plan(PLAN),
        based_on=latest.number if latest else 0,
    )


def history(world: World, start: datetime) -> None:
    """Three weekly PHQ-9 scores; a session, an alert, a watch and a plan version between."""
    for week, value in enumerate([2, 2, 1]):
        with time_machine.travel(start + timedelta(weeks=week), tick=False):
            make_administration(world.patient_record, answers=phq(value), submit=True)
    session_held(world, start + timedelta(days=3))
    with time_machine.travel(start + timedelta(days=4), tick=False):
        alert(world.patient_record)
        start_watch(world.therapist, world.patient_record, "After the alert")
    with time_machine.travel(start + timedelta(days=5), tick=False):
        plan_version(world)
    with time_machine.travel(start + timedelta(days=10), tick=False):
        end_watch(world.therapist, world.patient_record)


def test_the_chart_draws_each_kind_of_event_with_a_legend_and_words(
    world: World, client_for: Clients
) -> None:
    history(world, timezone.now() - timedelta(days=21))
    url = reverse("measures:patient", args=[world.patient_record.public_id])
    html = client_for(world.therapist).get(url).content.decode()
    for kind in ("session", "alert", "watch", "plan"):
        assert html.count(f'data-testid="event-{kind}"') == 1, kind
    assert 'data-testid="chart-legend"' in html and 'data-testid="events-phq9"' in html
    assert "Therapy session" in html and "Risk alert raised" in html
    assert "Safety plan version 1 saved" in html and "High-risk watch from" in html
    assert SECRET not in html  # an alert is a marker, never its words


def test_the_pages_queries_do_not_grow_with_the_events(world: World, client_for: Clients) -> None:
    start = timezone.now() - timedelta(days=21)
    history(world, start)
    client = client_for(world.therapist)
    url = reverse("measures:patient", args=[world.patient_record.public_id])

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    count()  # the first request also loads the session and caches
    before = count()
    # Given more of every kind of event
    for day in (6, 8, 12):
        session_held(world, start + timedelta(days=day, hours=2))
        with time_machine.travel(start + timedelta(days=day), tick=False):
            alert(world.patient_record)
            plan_version(world)
    with time_machine.travel(start + timedelta(days=13), tick=False):
        start_watch(world.therapist, world.patient_record, "Again")
    # Then the page runs the same queries
    assert count() == before


def test_events_outside_the_scores_are_left_out_but_an_open_watch_is_drawn(
    world: World,
) -> None:
    start = timezone.now() - timedelta(days=14)
    with time_machine.travel(start - timedelta(days=30), tick=False):
        plan_version(world)  # before the first score: not on this chart
        start_watch(world.therapist, world.patient_record, "Long-standing")
    for week in (0, 1):
        with time_machine.travel(start + timedelta(weeks=week), tick=False):
            make_administration(world.patient_record, answers=phq(1), submit=True)
    # A session still to come is not a treatment event yet
    actions.add_session(world.therapist, world.patient_record, timezone.now() + timedelta(days=2))
    events = treatment_events(world.patient_record)
    assert {e.kind for e in events} == {EventKind.PLAN, EventKind.WATCH}
    [series] = series_for(world.patient_record)
    drawn = events_in(window_of(series.scores, events), events)
    assert [e.kind for e in drawn] == [EventKind.WATCH]
    assert event_lines(drawn)[0].endswith("High-risk watch started (still on watch)")


def test_a_days_alerts_are_counted_in_words() -> None:
    day = datetime(2026, 6, 1, 9, tzinfo=UTC)
    events = [TreatmentEvent(EventKind.ALERT, day + timedelta(hours=h)) for h in range(3)]
    assert event_lines(events) == ["1 Jun 2026: 3 risk alerts raised"]

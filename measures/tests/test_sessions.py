"""Therapy sessions and questionnaires "before each session": booked, moved and cancelled
by the care team; the planner opens each questionnaire some hours before its session, it
closes when the session starts, reminders go out, a cancelled session withdraws it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AccessLog
from core.actions import ActionError
from core.testing.api import ApiClient, api_error
from core.testing.factories import shipped_instrument
from core.testing.personas import World
from ema.models import EmaSettings
from measures import actions
from measures.models import Administration, AdministrationStatus, Assignment, TherapySession
from measures.queries import open_questionnaires
from measures.tasks import send_due_reminders

pytestmark = pytest.mark.django_db

Clients = Callable[[User | None], Client]
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
#: A Monday 09:00 UTC, far from any daylight-saving change.
MONDAY = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def wall(*parts: int) -> datetime:
    """A wall-clock time as a clinician types it (naive: the patient's zone applies)."""
    return datetime(*parts)  # type: ignore[arg-type]  # noqa: DTZ001


def before_each_session(world: World, hours: int = 24) -> Assignment:
    return actions.assign_instrument(
        world.therapist,
        world.patient_record,
        shipped_instrument("phq9"),
        frequency="session",
        hours_before=hours,
    )


# --- the actions and the planner ------------------------------------------------------------


def test_the_questionnaire_opens_hours_before_the_session_and_closes_at_its_start(
    world: World,
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        # Given PHQ-9 before each session, and a session on Thursday at 14:00 (Amsterdam)
        assignment = before_each_session(world, hours=24)
        assert assignment.next_due_at is None and not assignment.administrations.exists()
        session = actions.add_session(
            world.therapist, world.patient_record, wall(2026, 6, 4, 14, 0), "Weekly"
        )
    assert session.starts_at == datetime(2026, 6, 4, 12, 0, tzinfo=UTC)  # CEST
    assignment.refresh_from_db()
    assert assignment.next_due_at == datetime(2026, 6, 3, 12, 0, tzinfo=UTC)
    # When the planner runs a minute before the window opens, nothing is planned
    with time_machine.travel(datetime(2026, 6, 3, 11, 59, tzinfo=UTC), tick=False):
        assert actions.plan_due() == 0
    # Then, once it has opened, one questionnaire waits, closing at the session's start
    with time_machine.travel(datetime(2026, 6, 3, 12, 10, tzinfo=UTC), tick=False):
        assert actions.plan_due() == 1
        assert actions.plan_due() == 0
        [administration] = open_questionnaires(world.patient_record)
    assert administration.session == session and administration.assignment == assignment
    assert administration.due_at == datetime(2026, 6, 3, 12, 0, tzinfo=UTC)
    assert administration.closes_at == session.starts_at
    assignment.refresh_from_db()
    assert assignment.next_due_at is None  # no later session yet
    # And when the session starts it can no longer be filled in
    with time_machine.travel(session.starts_at, tick=False):
        assert list(open_questionnaires(world.patient_record)) == []
        with pytest.raises(ActionError, match="closed when the session started"):
            actions.submit_administration(world.patient, administration, {"1": 1})


def test_one_questionnaire_per_session_and_the_next_session_follows(world: World) -> None:
    with time_machine.travel(MONDAY, tick=False):
        assignment = before_each_session(world, hours=48)
        first = actions.add_session(world.therapist, world.patient_record, wall(2026, 6, 2, 10))
        second = actions.add_session(world.therapist, world.patient_record, wall(2026, 6, 9, 10))
    # The first session is within 48 hours: its questionnaire was planned at once
    assert list(assignment.administrations.values_list("session", flat=True)) == [first.pk]
    assignment.refresh_from_db()
    assert assignment.next_due_at == second.starts_at - timedelta(hours=48)
    with time_machine.travel(second.starts_at - timedelta(hours=47), tick=False):
        assert actions.plan_due() == 1
    assert assignment.administrations.filter(session=second).count() == 1
    assert Administration.objects.filter(session=first).count() == 1


def test_a_session_added_inside_the_window_is_planned_at_once(world: World) -> None:
    with time_machine.travel(MONDAY, tick=False):
        assignment = before_each_session(world, hours=24)
        session = actions.add_session(
            world.therapist, world.patient_record, wall(2026, 6, 1, 15, 0)
        )
        [administration] = open_questionnaires(world.patient_record)
    assert administration.assignment == assignment and administration.session == session
    assert administration.due_at == session.starts_at - timedelta(hours=24)


def test_assigning_after_booking_plans_the_coming_session(world: World) -> None:
    with time_machine.travel(MONDAY, tick=False):
        session = actions.add_session(
            world.therapist, world.patient_record, wall(2026, 6, 1, 20, 0)
        )
        assignment = before_each_session(world, hours=12)
    assert assignment.administrations.get().session == session


def test_cancelling_withdraws_the_questionnaire_not_yet_started(world: World) -> None:
    with time_machine.travel(MONDAY, tick=False):
        before_each_session(world)
        kept = actions.add_session(world.therapist, world.patient_record, wall(2026, 6, 1, 17))
        actions.add_session(world.therapist, world.patient_record, wall(2026, 6, 1, 18))
        started = Administration.objects.get(session=kept)
        actions.save_answers(world.patient, started, {"1": 1})
        cancelled = actions.add_session(world.therapist, world.patient_record, wall(2026, 6, 8, 16))
    with time_machine.travel(cancelled.starts_at - timedelta(hours=1), tick=False):
        actions.plan_due()
        withdrawn = Administration.objects.get(session=cancelled)
        actions.cancel_session(world.therapist, cancelled)
        again = actions.cancel_session(world.therapist, cancelled)  # changes nothing
        withdrawn.refresh_from_db()
        assert withdrawn.status == AdministrationStatus.WITHDRAWN
        assert again.cancelled_at is not None and again.cancelled_by == world.therapist
        assert list(open_questionnaires(world.patient_record)) == []
        with pytest.raises(ActionError, match="withdrawn"):
            actions.save_answers(world.patient, withdrawn, {"1": 1})
    # A started questionnaire stays when its session is cancelled
    with time_machine.travel(MONDAY + timedelta(hours=1), tick=False):
        actions.cancel_session(world.therapist, kept)
        started.refresh_from_db()
        assert started.status == AdministrationStatus.IN_PROGRESS


def test_cancelling_before_the_window_means_nothing_is_planned(world: World) -> None:
    with time_machine.travel(MONDAY, tick=False):
        assignment = before_each_session(world)
        session = actions.add_session(world.therapist, world.patient_record, wall(2026, 6, 10, 10))
        actions.cancel_session(world.therapist, session)
    assignment.refresh_from_db()
    assert assignment.next_due_at is None
    with time_machine.travel(session.starts_at - timedelta(hours=2), tick=False):
        assert actions.plan_due() == 0
    assert not Administration.objects.exists()


def test_moving_a_session_moves_its_questionnaire_and_reminds_again(world: World) -> None:
    EmaSettings.objects.create(patient=world.patient_record, push_enabled=False, email_enabled=True)
    with time_machine.travel(MONDAY, tick=False):
        before_each_session(world, hours=24)
        session = actions.add_session(world.therapist, world.patient_record, wall(2026, 6, 2))
        assert send_due_reminders() == 1
        assert "questionnaire waiting" in mail.outbox[0].body
        moved = actions.change_session(
            world.therapist, session, wall(2026, 6, 5, 9, 30), "Moved to Friday"
        )
    administration = Administration.objects.get(session=session)
    assert moved.note == "Moved to Friday"
    assert administration.closes_at == moved.starts_at
    assert administration.due_at == moved.starts_at - timedelta(hours=24)
    assert administration.reminded_at is None
    with time_machine.travel(administration.due_at, tick=False):
        assert send_due_reminders() == 1
    assert len(mail.outbox) == 2


def test_session_input_errors_name_their_field(world: World) -> None:
    with time_machine.travel(MONDAY, tick=False):
        with pytest.raises(ActionError) as past:
            actions.add_session(world.therapist, world.patient_record, wall(2026, 5, 1, 10))
        assert past.value.field == "starts_at"
        with pytest.raises(ActionError) as gap:  # 02:30 does not exist in Amsterdam that day
            actions.add_session(world.therapist, world.patient_record, wall(2027, 3, 28, 2, 30))
        assert gap.value.field == "starts_at" and "clocks go forward" in gap.value.message
        with pytest.raises(ActionError) as long_note:
            actions.add_session(
                world.therapist, world.patient_record, wall(2026, 6, 3, 10), "x" * 301
            )
        assert long_note.value.field == "note"
        actions.add_session(world.therapist, world.patient_record, wall(2026, 6, 3, 10))
        with pytest.raises(ActionError) as twice:
            actions.add_session(world.therapist, world.patient_record, wall(2026, 6, 3, 10))
        assert twice.value.field == "starts_at" and "already" in twice.value.message
        with pytest.raises(ActionError) as hours:
            before_each_session(world, hours=0)
        assert hours.value.field == "hours_before"
    assert TherapySession.objects.count() == 1


def test_a_fall_back_wall_clock_time_is_its_first_occurrence(world: World) -> None:
    with time_machine.travel(MONDAY, tick=False):
        session = actions.add_session(
            world.therapist, world.patient_record, wall(2026, 10, 25, 2, 30)
        )
    assert session.starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST


def test_stopping_the_assignment_plans_no_more(world: World) -> None:
    with time_machine.travel(MONDAY, tick=False):
        assignment = before_each_session(world)
        actions.stop_assignment(world.therapist, assignment)
        actions.add_session(world.therapist, world.patient_record, wall(2026, 6, 1, 20))
    assert not Administration.objects.exists()


# --- pages ----------------------------------------------------------------------------------


def test_the_care_team_books_changes_and_cancels_on_the_page(
    world: World, client_for: Clients
) -> None:
    client = client_for(world.therapist)
    page_url = reverse("measures:patient", args=[world.patient_record.public_id])
    add_url = reverse("measures:add_session", args=[world.patient_record.public_id])
    when = (timezone.now() + timedelta(days=2)).astimezone(AMSTERDAM)
    # Given a session booked on the patient's wall clock
    done = client.post(add_url, {"starts_at": when.strftime("%Y-%m-%dT%H:%M"), "note": "Weekly"})
    assert done.status_code == 302 and done["Location"] == page_url
    session = TherapySession.objects.get()
    assert session.starts_at == when.replace(second=0, microsecond=0)
    html = client.get(page_url).content.decode()
    assert 'data-testid="session"' in html and "Weekly" in html
    # An invalid one is refused with the reason beside its field
    refused = client.post(add_url, {"starts_at": "2020-01-01T10:00"})
    assert refused.status_code == 400
    assert "Choose a time in the future." in refused.content.decode()
    # When it is moved on its own page, then cancelled
    edit_url = reverse(
        "measures:edit_session", args=[world.patient_record.public_id, session.public_id]
    )
    form = client.get(edit_url)
    assert form.status_code == 200 and when.strftime("%Y-%m-%dT%H:%M") in form.content.decode()
    later = when + timedelta(days=1)
    moved = client.post(edit_url, {"starts_at": later.strftime("%Y-%m-%dT%H:%M"), "note": ""})
    assert moved.status_code == 302
    cancel_url = reverse(
        "measures:cancel_session", args=[world.patient_record.public_id, session.public_id]
    )
    assert client.post(cancel_url).status_code == 302
    session.refresh_from_db()
    assert session.cancelled_at is not None and session.note == ""
    assert AccessLog.objects.filter(
        actor=world.therapist, resource="measures.view_results", object_id=str(session.public_id)
    ).exists()


def test_the_patient_is_told_a_withdrawn_questionnaire_is_gone(
    world: World, client_for: Clients
) -> None:
    before_each_session(world, hours=48)
    session = actions.add_session(
        world.therapist, world.patient_record, timezone.now() + timedelta(days=1)
    )
    administration = Administration.objects.get(session=session)
    actions.cancel_session(world.therapist, session)
    client = client_for(world.patient)
    gone = client.get(reverse("measures:fill", args=[administration.public_id]), follow=True)
    assert "withdrawn" in gone.content.decode()


def test_assigning_before_each_session_from_the_page(world: World, client_for: Clients) -> None:
    url = reverse("measures:assign", args=[world.patient_record.public_id])
    done = client_for(world.therapist).post(
        url, {"instrument": "gad7", "frequency": "session", "every": 1, "hours_before": 6}
    )
    assert done.status_code == 302
    assignment = Assignment.objects.get()
    assert assignment.frequency == "session" and assignment.hours_before == 6


# --- API ------------------------------------------------------------------------------------


def test_api_books_once_per_key_lists_changes_and_cancels(world: World) -> None:
    api = ApiClient(world.therapist)
    base = f"/measures/patients/{world.patient_record.public_id}/sessions"
    when = (timezone.now() + timedelta(days=3)).astimezone(AMSTERDAM).replace(tzinfo=None)
    body = {"starts_at": when.strftime("%Y-%m-%dT%H:%M:00"), "note": "First session"}
    first = api.post(base, body, HTTP_IDEMPOTENCY_KEY="book-1")
    again = api.post(base, body, HTTP_IDEMPOTENCY_KEY="book-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and first.json() == again.json()
    assert TherapySession.objects.count() == 1
    booked = first.json()
    assert booked["time_zone"] == "Europe/Amsterdam"
    assert booked["local_start"] == when.strftime("%Y-%m-%dT%H:%M")
    listed = api.get(base).json()["items"]
    assert [s["id"] for s in listed] == [booked["id"]]
    moved = api.put(f"{base}/{booked['id']}", {"starts_at": "2099-01-05T10:00:00+00:00"})
    assert moved.status_code == 200 and moved.json()["local_start"] == "2099-01-05T11:00"
    cancelled = api.post(f"{base}/{booked['id']}/cancel", HTTP_IDEMPOTENCY_KEY="cancel-1")
    assert cancelled.status_code == 200 and cancelled.json()["cancelled_at"] is not None


def test_api_errors_are_per_field(world: World) -> None:
    api = ApiClient(world.therapist)
    base = f"/measures/patients/{world.patient_record.public_id}"
    past = api.post(f"{base}/sessions", {"starts_at": "2020-01-01T10:00:00"})
    assert api_error(past, 400)["fields"] == {"starts_at": ["Choose a time in the future."]}
    long_note = api.post(f"{base}/sessions", {"starts_at": "2099-01-01T10:00", "note": "x" * 301})
    assert list(api_error(long_note, 422)["fields"]) == ["note"]
    hours = api.post(
        f"{base}/assignments", {"instrument": "gad7", "frequency": "session", "hours_before": 0}
    )
    assert list(api_error(hours, 422)["fields"]) == ["hours_before"]
    created = api.post(
        f"{base}/assignments", {"instrument": "gad7", "frequency": "session", "hours_before": 36}
    )
    assert created.status_code == 201 and created.json()["hours_before"] == 36


def test_patients_see_a_session_questionnaire_with_its_closing_time(world: World) -> None:
    before_each_session(world, hours=48)
    session = actions.add_session(
        world.therapist, world.patient_record, timezone.now() + timedelta(days=1)
    )
    [waiting] = ApiClient(world.patient).get("/measures/questionnaires").json()
    assert datetime.fromisoformat(waiting["closes_at"]) == session.starts_at.replace(
        microsecond=session.starts_at.microsecond // 1000 * 1000
    )

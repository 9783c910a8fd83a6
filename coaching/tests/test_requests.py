"""Asking, answering, replying and closing: who receives a request, the response time, the
expected answer time, the page token, and the e-mail to the therapist."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from care.models import CareTeamMember, TeamRole
from coaching import actions
from coaching.actions import WindowSpec, ask_for_coaching, therapist_for
from coaching.models import CoachingRequest, RequestStatus
from coaching.queries import inbox, median_response_time
from coaching.tasks import send_coaching_notices, send_notice
from core.actions import ActionError
from core.testing.factories import (
    builtin_skill,
    make_availability,
    make_coaching_request,
    make_skill,
    make_team_place,
    make_user,
)
from core.testing.personas import World
from safety.models import Alert, RuleKind
from safety.risk import coaching_source

pytestmark = pytest.mark.django_db

#: Wednesday 25 March 2026, 20:00 in Amsterdam: outside Mon–Fri 09:00–17:00.
EVENING = datetime(2026, 3, 25, 19, 0, tzinfo=UTC)
#: Wednesday 25 March 2026, 10:00 in Amsterdam: inside.
MORNING = datetime(2026, 3, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(EVENING, tick=False) as traveller:
        yield traveller


def ask(world: World, **fields: object) -> CoachingRequest:
    values: dict[str, object] = {
        "distress": 80,
        "emotion": "shame",
        "emotion_intensity": 4,
        "urge": "self_harm",
        "urge_intensity": 3,
        "situation": "After the phone call with my mother.",
    }
    return ask_for_coaching(world.patient, world.patient_record, **{**values, **fields})  # type: ignore[arg-type]


# --- who receives it --------------------------------------------------------------------------


def test_request_goes_to_the_primary_therapist_not_other_team_members(world: World) -> None:
    # Given a prescriber added before the therapist, and the facilitator as skills trainer
    prescriber = make_user(Role.CLINICIAN, world.organisation, full_name="Pria Prescriber")
    CareTeamMember.objects.create(
        patient=world.patient_record,
        member=prescriber,
        team_role=TeamRole.PRESCRIBER,
        added_at=timezone.now() - timedelta(days=30),
    )
    assert ask(world).recipient == world.therapist


def test_with_two_primary_therapists_the_longest_standing_one(world: World) -> None:
    newer = make_user(Role.CLINICIAN, world.organisation)
    make_team_place(world.patient_record, newer, TeamRole.PRIMARY_THERAPIST)
    assert therapist_for(world.patient_record) == world.therapist


def test_ended_place_or_inactive_therapist_is_not_asked(world: World) -> None:
    world.team_place.ended_at = timezone.now()
    world.team_place.save()
    with pytest.raises(ActionError, match="no individual therapist"):
        ask(world)
    assert not CoachingRequest.objects.exists()


def test_a_facilitator_in_the_primary_place_is_not_a_therapist(world: World) -> None:
    world.team_place.ended_at = timezone.now()
    world.team_place.save()
    make_team_place(world.patient_record, world.facilitator, TeamRole.PRIMARY_THERAPIST)
    assert therapist_for(world.patient_record) is None


# --- what it carries ---------------------------------------------------------------------------


def test_ratings_skills_and_text_are_stored(world: World) -> None:
    tip, stop = builtin_skill("tip"), builtin_skill("stop")
    found = ask(world, skills_tried=[tip, stop, tip], other_skills="  a cold shower ")
    assert set(found.skills_tried.all()) == {tip, stop}
    assert found.other_skills == "a cold shower"
    assert (found.distress, found.emotion_intensity, found.urge_intensity) == (80, 4, 3)
    assert found.status == RequestStatus.OPEN


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("distress", 101),
        ("distress", -1),
        ("emotion_intensity", 6),
        ("urge_intensity", True),
        ("emotion", "boredom"),
        ("urge", "shopping"),
        ("situation", "x" * 1001),
    ],
)
def test_values_are_checked(world: World, field: str, value: object) -> None:
    with pytest.raises(ActionError) as caught:
        ask(world, **{field: value})
    assert caught.value.field == field


def test_no_emotion_or_urge_means_no_intensity(world: World) -> None:
    found = ask(world, emotion="none", emotion_intensity=4, urge="none", urge_intensity=5)
    assert (found.emotion_intensity, found.urge_intensity) == (0, 0)


def test_another_clinics_skill_is_refused(world: World) -> None:
    foreign = make_skill(world.other_organisation)
    with pytest.raises(ActionError) as caught:
        ask(world, skills_tried=[foreign])
    assert caught.value.field == "skills_tried"


def test_the_same_page_token_stores_one_request(world: World) -> None:
    token = uuid.uuid4()
    first = ask(world, client_token=token)
    again = ask(world, client_token=token, distress=10)
    assert again.pk == first.pk
    assert CoachingRequest.objects.count() == 1
    assert ask(world, client_token=uuid.uuid4()).pk != first.pk


# --- expected answer time ------------------------------------------------------------------------


def test_outside_hours_the_answer_is_expected_in_the_next_window(
    world: World, clock: time_machine.Coordinates
) -> None:
    make_availability(world.therapist, answer_within_minutes=30)
    found = ask(world)
    assert found.outside_hours
    # Thursday 26 March, 09:30 in Amsterdam
    assert found.expected_by == datetime(2026, 3, 26, 8, 30, tzinfo=UTC)


def test_inside_hours_the_answer_is_expected_within_the_promise(
    world: World, clock: time_machine.Coordinates
) -> None:
    clock.move_to(MORNING)
    make_availability(world.therapist)
    found = ask(world)
    assert not found.outside_hours
    assert found.expected_by == MORNING + timedelta(hours=1)


def test_without_hours_there_is_no_expected_time(world: World) -> None:
    found = ask(world)
    assert found.expected_by is None
    assert found.outside_hours


# --- the thread --------------------------------------------------------------------------------


def test_response_time_is_set_by_the_first_therapist_message_only(
    world: World, clock: time_machine.Coordinates
) -> None:
    found = ask(world)
    # The patient writes again first: that is not a response
    clock.shift(timedelta(minutes=5))
    actions.reply_to_request(world.patient, found, "It's getting worse.")
    found.refresh_from_db()
    assert found.first_response_at is None and found.status == RequestStatus.OPEN
    # The therapist answers 20 minutes after the request
    clock.shift(timedelta(minutes=15))
    actions.answer_request(world.therapist, found, "Try TIP now, then write back.")
    found.refresh_from_db()
    assert found.response_time == timedelta(minutes=20)
    assert found.status == RequestStatus.ANSWERED and found.first_responder == world.therapist
    assert found.has_new_answer
    # A later answer does not move the response time; a patient reply reopens the request
    clock.shift(timedelta(minutes=30))
    actions.reply_to_request(world.patient, found, "Did it. A bit better.")
    found.refresh_from_db()
    assert found.status == RequestStatus.OPEN and found.waiting_since == EVENING + timedelta(
        minutes=50
    )
    actions.answer_request(world.therapist, found, "Good.")
    found.refresh_from_db()
    assert found.response_time == timedelta(minutes=20)
    assert [m.from_patient for m in found.messages.all()] == [True, False, True, False]


def test_seen_clears_the_new_answer(world: World) -> None:
    found = ask(world)
    actions.answer_request(world.therapist, found, "Here.")
    found.refresh_from_db()
    assert found.has_new_answer
    actions.mark_seen_by_patient(world.patient, found)
    found.refresh_from_db()
    assert not found.has_new_answer


def test_closed_request_takes_no_more_messages(world: World) -> None:
    found = ask(world)
    actions.close_request(world.therapist, found)
    found.refresh_from_db()
    assert found.is_closed and found.closed_by == world.therapist and found.closed_at
    with pytest.raises(ActionError, match="closed"):
        actions.answer_request(world.therapist, found, "Late answer")
    with pytest.raises(ActionError, match="closed"):
        actions.reply_to_request(world.patient, found, "One more thing")
    with pytest.raises(ActionError, match="closed"):
        actions.close_request(world.therapist, found)


def test_messages_are_checked(world: World) -> None:
    found = ask(world)
    with pytest.raises(ActionError) as caught:
        actions.answer_request(world.therapist, found, "   ")
    assert caught.value.field == "body"
    with pytest.raises(ActionError):
        actions.answer_request(world.therapist, found, "x" * 2001)
    with pytest.raises(ActionError):
        actions.reply_to_request(world.other_patient, found, "Not my request")
    with pytest.raises(ActionError):
        actions.answer_request(world.patient, found, "Answering myself")


# --- inbox and response times --------------------------------------------------------------------


def test_inbox_oldest_first_without_closed_or_other_therapists(
    world: World, clock: time_machine.Coordinates
) -> None:
    newer = make_coaching_request(world.patient_record, waiting_since=EVENING)
    older = make_coaching_request(world.patient_record, waiting_since=EVENING - timedelta(hours=2))
    make_coaching_request(world.patient_record, status=RequestStatus.CLOSED)
    make_coaching_request(world.other_patient_record)  # to outsider_clinician
    assert list(inbox(world.therapist)) == [older, newer]
    # Off the care team: the requests leave the inbox
    world.team_place.ended_at = timezone.now()
    world.team_place.save()
    assert list(inbox(world.therapist)) == []


def test_median_response_time_over_the_last_30_days(
    world: World, clock: time_machine.Coordinates
) -> None:
    for minutes in (10, 30, 50):
        asked = EVENING - timedelta(days=1)
        make_coaching_request(
            world.patient_record,
            created_at=asked,
            first_response_at=asked + timedelta(minutes=minutes),
        )
    old = EVENING - timedelta(days=40)
    make_coaching_request(
        world.patient_record, created_at=old, first_response_at=old + timedelta(days=3)
    )
    make_coaching_request(world.patient_record)  # not answered yet
    assert median_response_time(world.therapist) == timedelta(minutes=30)
    assert median_response_time(world.outsider_clinician) is None


# --- coaching hours -----------------------------------------------------------------------------


def test_set_availability_replaces_the_windows(world: World) -> None:
    from datetime import time

    actions.set_availability(
        world.therapist,
        time_zone="America/New_York",
        windows=[WindowSpec(0, time(9), time(12)), WindowSpec(0, time(13), time(17))],
    )
    saved = actions.set_availability(
        world.therapist, time_zone="Europe/Amsterdam", windows=[WindowSpec(2, time(8), time(9))]
    )
    assert [(w.weekday, w.start, w.end) for w in saved.windows.all()] == [(2, time(8), time(9))]
    with pytest.raises(ActionError, match="overlap"):
        actions.set_availability(
            world.therapist,
            time_zone="UTC",
            windows=[WindowSpec(0, time(9), time(12)), WindowSpec(0, time(11), time(13))],
        )
    with pytest.raises(ActionError) as caught:
        actions.set_availability(world.therapist, time_zone="Mars/Olympus", windows=[])
    assert caught.value.field == "time_zone"


# --- the e-mail to the therapist ----------------------------------------------------------------


def test_therapist_is_emailed_once_without_clinical_detail(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # The request's commit enqueues the e-mail (run at once by the test task backend)
    with django_capture_on_commit_callbacks(execute=True):
        found = ask(world, situation="Secret details about my mother")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.therapist.email]
    assert str(found.public_id) in message.body
    assert "mother" not in message.body and "Pat" not in message.body
    # Running again sends nothing more
    assert send_coaching_notices.call() == 0
    assert len(mail.outbox) == 1


def test_a_claimed_notice_is_retried_after_the_lease(world: World) -> None:
    found = ask(world)
    now = timezone.now()
    CoachingRequest.objects.filter(pk=found.pk).update(notice_claimed_at=now)
    assert send_notice(found.pk, now + timedelta(minutes=1)) is False  # another worker has it
    assert send_notice(found.pk, now + timedelta(minutes=6)) is True
    assert len(mail.outbox) == 1


# --- the clinic's risk rules --------------------------------------------------------------------


def test_a_strong_suicide_urge_in_a_request_raises_one_alert_for_the_team(
    world: World, clock: time_machine.Coordinates
) -> None:
    ask(world, urge="suicide", urge_intensity=3)
    assert not Alert.objects.exists()  # under the default level (4)

    found = ask(world, urge="suicide", urge_intensity=5)

    [alert] = Alert.objects.all()
    assert alert.source_key == coaching_source(found)
    assert alert.rule.kind == RuleKind.COACHING_URGE
    assert "urge 5 of 5 in a request for coaching" in alert.reason
    assert alert.notices.get().email == world.therapist.email
    # Another kind of urge, however strong, is not a suicide rule's business
    ask(world, urge="substance", urge_intensity=5)
    assert Alert.objects.count() == 1


def test_an_alert_is_lost_with_a_request_that_is_refused(world: World) -> None:
    with pytest.raises(ActionError):
        ask(world, urge="suicide", urge_intensity=5, situation="x" * 5000)
    assert not Alert.objects.exists()

"""The coaching pages: asking (prefill, validation, the double tap), the patient's request
page outside hours, the therapist's inbox, answering and closing, and coaching hours."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import User
from audit.models import AccessLog
from coaching.models import Availability, CoachingRequest, RequestStatus
from core.testing.factories import builtin_skill, make_availability, make_coaching_request
from core.testing.personas import World
from skills.actions import record_practice

pytestmark = pytest.mark.django_db

#: Wednesday 25 March 2026, 20:00 in Amsterdam: outside Mon–Fri 09:00–17:00.
EVENING = datetime(2026, 3, 25, 19, 0, tzinfo=UTC)

ClientFor = Callable[[User | None], Client]


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(EVENING, tick=False) as traveller:
        yield traveller


def ask_form(**fields: Any) -> dict[str, Any]:
    return {
        "distress": 85,
        "emotion": "anger",
        "emotion_intensity": 4,
        "urge": "self_harm",
        "urge_intensity": 3,
        "situation": "<script>alert(1)</script> after the call",
        "token": str(uuid.uuid4()),
        **fields,
    }


# --- asking ---------------------------------------------------------------------------------


def test_ask_form_prefills_todays_practised_skills(world: World, client_for: ClientFor) -> None:
    tip, stop = builtin_skill("tip"), builtin_skill("stop")
    record_practice(
        world.patient,
        world.patient_record,
        tip,
        practised_at=EVENING - timedelta(hours=1),
        distress_before=80,
        distress_after=60,
    )
    html = client_for(world.patient).get(reverse("coaching:ask")).content.decode()
    assert "From today&#x27;s practice log" in html or "From today's practice log" in html
    checked = re.findall(r'<input type="checkbox"[^>]*value="([^"]+)"[^>]*checked', html)
    assert checked == [str(tip.public_id)]
    assert str(stop.public_id) in html  # the rest of the library to pick from
    assert 'name="token"' in html


def test_sending_stores_the_request_and_a_double_tap_stores_one(
    world: World, client_for: ClientFor
) -> None:
    client = client_for(world.patient)
    tip = builtin_skill("tip")
    data = ask_form(skills_tried=[str(tip.public_id)])
    first = client.post(reverse("coaching:ask"), data)
    second = client.post(reverse("coaching:ask"), data)
    found = CoachingRequest.objects.get()
    assert first.status_code == second.status_code == 302
    assert (
        first["Location"]
        == second["Location"]
        == reverse("coaching:request", args=[found.public_id])
    )
    assert list(found.skills_tried.all()) == [tip]
    assert found.recipient == world.therapist


def test_field_errors_are_shown_beside_the_field(world: World, client_for: ClientFor) -> None:
    response = client_for(world.patient).post(
        reverse("coaching:ask"), ask_form(distress=140, emotion_intensity=9)
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"distress", "emotion_intensity"}
    assert not CoachingRequest.objects.exists()


def test_patient_without_therapist_is_told_and_cannot_send(
    world: World, client_for: ClientFor
) -> None:
    world.team_place.ended_at = EVENING
    world.team_place.save()
    client = client_for(world.patient)
    html = client.get(reverse("coaching:ask")).content.decode()
    assert "no individual therapist" in html
    assert 'data-testid="coaching-crisis"' in html
    response = client.post(reverse("coaching:ask"), ask_form())
    assert response.status_code == 200 and not CoachingRequest.objects.exists()


# --- the patient's request page ---------------------------------------------------------------


def test_outside_hours_the_patient_sees_when_to_expect_an_answer_and_crisis_numbers(
    world: World, client_for: ClientFor
) -> None:
    make_availability(world.therapist)
    world.patient.time_zone = "Europe/Amsterdam"  # times are shown in the user's zone
    world.patient.save(update_fields=["time_zone"])
    client = client_for(world.patient)
    response = client.post(reverse("coaching:ask"), ask_form(urge="none"), follow=True)
    html = response.content.decode()
    assert "outside their coaching hours" in html
    assert "Monday" in html and "09:00–17:00" in html
    # Thursday 26 March 2026, 10:00 in the patient's zone (Amsterdam)
    assert "Expect an answer by Thursday 26 March, 10:00." in html
    assert 'data-testid="coaching-crisis"' in html and "Call 112" in html
    assert 'data-testid="coaching-safety-plan"' in html
    # Free text is escaped
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_inside_hours_without_risk_no_crisis_box(
    world: World, client_for: ClientFor, clock: time_machine.Coordinates
) -> None:
    clock.move_to(datetime(2026, 3, 25, 9, 0, tzinfo=UTC))
    make_availability(world.therapist)
    found = make_coaching_request(world.patient_record)
    html = client_for(world.patient).get(reverse("coaching:request", args=[found.public_id]))
    text = html.content.decode()
    assert "in their coaching hours now" in text
    assert 'data-testid="coaching-crisis"' not in text


def test_an_urge_to_self_harm_always_shows_the_crisis_box(
    world: World, client_for: ClientFor, clock: time_machine.Coordinates
) -> None:
    clock.move_to(datetime(2026, 3, 25, 9, 0, tzinfo=UTC))
    make_availability(world.therapist)
    found = make_coaching_request(world.patient_record, urge="suicide", urge_intensity=2)
    text = client_for(world.patient).get(reverse("coaching:request", args=[found.public_id]))
    assert 'data-testid="coaching-crisis"' in text.content.decode()


def test_reading_a_request_is_audited_and_clears_the_new_answer(
    world: World, client_for: ClientFor
) -> None:
    found = make_coaching_request(world.patient_record, last_answer_at=EVENING)
    client = client_for(world.patient)
    listing = client.get(reverse("coaching:mine")).content.decode()
    assert "New answer" in listing
    client.get(reverse("coaching:request", args=[found.public_id]))
    assert AccessLog.objects.filter(
        actor=world.patient, resource="coaching.view_requests", object_id=str(found.public_id)
    ).exists()
    assert "New answer" not in client.get(reverse("coaching:mine")).content.decode()


def test_patient_replies_with_field_errors_when_empty(world: World, client_for: ClientFor) -> None:
    found = make_coaching_request(world.patient_record)
    client = client_for(world.patient)
    url = reverse("coaching:reply", args=[found.public_id])
    empty = client.post(url, {"body": "  "})
    assert empty.status_code == 400 and "body" in empty.context["form"].errors
    assert client.post(url, {"body": "Still here"}).status_code == 302
    assert found.messages.get().from_patient


# --- the therapist -------------------------------------------------------------------------------


def test_inbox_lists_waiting_requests_oldest_first_with_waiting_time_and_median(
    world: World, client_for: ClientFor
) -> None:
    make_coaching_request(world.patient_record, waiting_since=EVENING - timedelta(minutes=5))
    make_coaching_request(
        world.patient_record,
        waiting_since=EVENING - timedelta(hours=3),
        urge="suicide",
        urge_intensity=4,
    )
    asked = EVENING - timedelta(days=2)
    make_coaching_request(
        world.patient_record,
        created_at=asked,
        first_response_at=asked + timedelta(minutes=40),
        status=RequestStatus.ANSWERED,
    )
    html = client_for(world.therapist).get(reverse("coaching:inbox")).content.decode()
    waits = re.findall(r"<td>(\d+ (?:h \d+ )?min)</td>", html)
    assert waits == ["3 h 0 min", "5 min"]
    assert "median response time over the last 30 days: 40 min" in html
    assert "Risk" in html
    assert "Answered, not closed" in html


def test_therapist_answers_and_closes(world: World, client_for: ClientFor) -> None:
    found = make_coaching_request(world.patient_record)
    client = client_for(world.therapist)
    page = client.get(reverse("coaching:request", args=[found.public_id])).content.decode()
    assert "An argument with my sister." in page and "70 / 100" in page
    response = client.post(
        reverse("coaching:answer", args=[found.public_id]), {"body": "Try <b>TIP</b>."}
    )
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.status == RequestStatus.ANSWERED and found.first_response_at == EVENING
    client.post(reverse("coaching:close", args=[found.public_id]))
    found.refresh_from_db()
    assert found.status == RequestStatus.CLOSED
    # Closed: an answer is refused with a message beside the form, nothing stored
    late = client.post(reverse("coaching:answer", args=[found.public_id]), {"body": "Late"})
    assert late.status_code == 400 and "This request is closed." in late.content.decode()
    assert found.messages.count() == 1
    # The patient sees the answer, escaped
    patient_page = client_for(world.patient).get(
        reverse("coaching:request", args=[found.public_id])
    )
    assert "Try &lt;b&gt;TIP&lt;/b&gt;." in patient_page.content.decode()


def test_outsider_and_facilitator_get_404(world: World, client_for: ClientFor) -> None:
    found = make_coaching_request(world.patient_record)
    for user in (world.outsider_clinician, world.facilitator, world.supporter, world.other_patient):
        client = client_for(user)
        assert client.get(reverse("coaching:request", args=[found.public_id])).status_code in (
            403,
            404,
        )
        client.post(reverse("coaching:answer", args=[found.public_id]), {"body": "x"})
    assert found.messages.count() == 0


def test_availability_page_saves_hours_and_shows_field_errors(
    world: World, client_for: ClientFor
) -> None:
    client = client_for(world.therapist)
    bad = client.post(
        reverse("coaching:availability"),
        {"time_zone": "Europe/Amsterdam", "answer_within_minutes": 60, "day_0": "9-5"},
    )
    assert bad.status_code == 200 and "day_0" in bad.context["form"].errors
    good = client.post(
        reverse("coaching:availability"),
        {
            "time_zone": "Europe/Amsterdam",
            "answer_within_minutes": 45,
            "day_0": "09:00–12:00, 13:00-17:30",
            "day_4": "10:00-11:00",
        },
    )
    assert good.status_code == 302
    saved = Availability.objects.get(clinician=world.therapist)
    assert [str(w) for w in saved.windows.all()] == [
        "Monday 09:00–12:00",
        "Monday 13:00–17:30",
        "Friday 10:00–11:00",
    ]
    again = client.get(reverse("coaching:availability")).content.decode()
    assert 'value="09:00–12:00, 13:00–17:30"' in again


def test_inbox_page_has_a_fixed_query_count(world: World, client_for: ClientFor) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.therapist)
    make_coaching_request(world.patient_record)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("coaching:inbox")).status_code == 200
        return len(queries)

    count()  # the first request of a session also stores its last-seen time
    one = count()
    for _ in range(5):
        make_coaching_request(world.patient_record)
    make_coaching_request(world.patient_record, status=RequestStatus.ANSWERED)
    assert count() == one


def test_a_request_that_raises_an_alert_shows_the_safety_plan_at_once(
    world: World, client_for: ClientFor
) -> None:
    client = client_for(world.patient)
    response = client.post(
        reverse("coaching:ask"), ask_form(urge="suicide", urge_intensity="5"), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("safety:plan")
    html = response.content.decode()
    assert "Your request was sent to your therapist." in html
    assert "Your care team has been told" in html

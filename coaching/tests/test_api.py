"""The coaching API: idempotent asking, the thread, the inbox, closing, coaching hours."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coaching.models import CoachingRequest, RequestStatus
from core.testing.api import ApiClient, api_error
from core.testing.factories import builtin_skill, make_coaching_request, make_skill
from core.testing.personas import World

pytestmark = pytest.mark.django_db


def body(**fields: Any) -> dict[str, Any]:
    return {
        "distress": 70,
        "emotion": "fear",
        "emotion_intensity": 3,
        "urge": "substance",
        "urge_intensity": 2,
        "situation": "Party tonight",
        **fields,
    }


def test_ask_is_idempotent_with_a_key(world: World) -> None:
    api = ApiClient(world.patient)
    tip = builtin_skill("tip")
    payload = body(skills_tried=[str(tip.public_id)])
    first = api.post("/coaching/requests", payload, HTTP_IDEMPOTENCY_KEY="tap-1")
    again = api.post("/coaching/requests", payload, HTTP_IDEMPOTENCY_KEY="tap-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert first.json() == again.json()
    assert CoachingRequest.objects.count() == 1
    created = first.json()
    assert created["skills_tried"] == [{"id": str(tip.public_id), "name": "TIP"}]
    assert created["therapist_name"] == world.therapist.full_name
    assert created["messages"] == []
    assert created["show_safety_plan"] is False
    # The same key with another body is a conflict
    other = api.post("/coaching/requests", body(distress=5), HTTP_IDEMPOTENCY_KEY="tap-1")
    assert other.status_code == 409


def test_a_request_matching_a_risk_rule_tells_the_app_to_show_the_safety_plan(
    world: World,
) -> None:
    created = ApiClient(world.patient).post(
        "/coaching/requests", body(urge="suicide", urge_intensity=4)
    )
    assert created.status_code == 201
    assert created.json()["show_safety_plan"] is True


def test_ask_validation_errors_name_the_fields(world: World) -> None:
    api = ApiClient(world.patient)
    error = api_error(api.post("/coaching/requests", body(distress=150, urge="x")), 422)
    assert {"distress", "urge"} <= set(error["fields"])
    foreign = make_skill(world.other_organisation)
    error = api_error(
        api.post("/coaching/requests", body(skills_tried=[str(foreign.public_id)])), 400
    )
    assert "skills_tried" in error["fields"]


def test_thread_answer_reply_and_close(world: World) -> None:
    found = make_coaching_request(world.patient_record)
    therapist, patient = ApiClient(world.therapist), ApiClient(world.patient)
    path = f"/coaching/requests/{found.public_id}"
    inbox = therapist.get("/coaching/inbox").json()
    assert [item["id"] for item in inbox["items"]] == [str(found.public_id)]
    assert therapist.post(path + "/answers", {"body": "Ride the urge."}).status_code == 201
    assert patient.post(path + "/replies", {"body": "Thanks"}).status_code == 201
    detail = patient.get(path).json()
    assert [m["from_patient"] for m in detail["messages"]] == [False, True]
    assert detail["response_seconds"] is not None and detail["status"] == "open"
    closed = therapist.post(path + "/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    error = api_error(patient.post(path + "/replies", {"body": "More"}), 400)
    assert "closed" in error["message"]
    assert CoachingRequest.objects.get().status == RequestStatus.CLOSED


def test_outsider_gets_404_and_changes_nothing(world: World) -> None:
    found = make_coaching_request(world.patient_record)
    path = f"/coaching/requests/{found.public_id}"
    outsider = ApiClient(world.outsider_clinician)
    assert outsider.get(path).status_code == 404
    assert outsider.post(path + "/answers", {"body": "x"}).status_code == 404
    assert outsider.post(path + "/close").status_code == 404
    assert ApiClient(world.other_patient).post(path + "/replies", {"body": "x"}).status_code == 404
    found.refresh_from_db()
    assert found.status == RequestStatus.OPEN and not found.messages.exists()


def test_availability_round_trip_and_errors(world: World) -> None:
    api = ApiClient(world.therapist)
    assert api.get("/coaching/availability").json()["windows"] == []
    saved = api.put(
        "/coaching/availability",
        {
            "time_zone": "America/New_York",
            "windows": [{"weekday": 1, "start": "08:30", "end": "10:00"}],
            "answer_within_minutes": 90,
        },
    )
    assert saved.status_code == 200
    assert saved.json()["windows"] == [{"weekday": 1, "start": "08:30:00", "end": "10:00:00"}]
    overlap = api.put(
        "/coaching/availability",
        {
            "time_zone": "UTC",
            "windows": [
                {"weekday": 1, "start": "08:00", "end": "10:00"},
                {"weekday": 1, "start": "09:00", "end": "11:00"},
            ],
        },
    )
    assert "windows" in api_error(overlap, 400)["fields"]


def test_my_requests_list_has_a_fixed_query_count(world: World) -> None:
    api = ApiClient(world.patient)
    tip = builtin_skill("tip")
    make_coaching_request(world.patient_record).skills_tried.add(tip)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/coaching/requests").status_code == 200
        return len(queries)

    count()  # the first call also records the token as used
    one = count()
    for _ in range(4):
        make_coaching_request(world.patient_record).skills_tried.add(tip)
    assert count() == one

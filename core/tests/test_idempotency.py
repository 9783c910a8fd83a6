"""Submissions sent with one ``Idempotency-Key`` act once; the retry gets the first answer."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from care.models import Patient
from core.models import IdempotencyRecord
from core.testing.api import ApiClient, api_error
from core.testing.personas import World

pytestmark = pytest.mark.django_db

BODY = {"given_name": "Ida", "family_name": "Empotent", "record_number": "IDEM-1"}


def keyed(world: World, key: str, user: Any = None) -> ApiClient:
    return ApiClient(user or world.admin, HTTP_IDEMPOTENCY_KEY=key)


def test_same_key_twice_creates_one_patient_and_replays_the_answer(world: World) -> None:
    api = keyed(world, "create-ida-1")

    first = api.post("/patients", BODY)
    second = api.post("/patients", BODY)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Patient.objects.filter(record_number="IDEM-1").count() == 1


def test_replay_is_the_stored_answer_not_a_fresh_read(world: World) -> None:
    # Given a patient created with a key, and then renamed
    api = keyed(world, "create-ida-2")
    first = api.post("/patients", BODY)
    Patient.objects.filter(record_number="IDEM-1").update(family_name="Renamed")

    # When the same request is retried
    second = api.post("/patients", BODY)

    # Then the retry gets what the first request got
    assert second.json()["family_name"] == "Empotent" == first.json()["family_name"]


def test_without_a_key_each_request_acts(world: World) -> None:
    api = ApiClient(world.admin)
    body = {"given_name": "Ida", "family_name": "Twice"}

    api.post("/patients", body)
    api.post("/patients", body)

    assert Patient.objects.filter(family_name="Twice").count() == 2
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/patients", {**BODY, "family_name": "Different"}),
        ("/patients/{id}/care-team", {"member_id": "{member}", "team_role": "prescriber"}),
    ],
    ids=["different body", "different operation"],
)
def test_same_key_for_a_different_request_is_a_conflict(
    world: World, path: str, body: dict[str, str]
) -> None:
    api = keyed(world, "reused")
    api.post("/patients", BODY)
    path = path.replace("{id}", str(world.patient_record.public_id))
    body = {
        name: value.replace("{member}", str(world.outsider_clinician.public_id))
        for name, value in body.items()
    }

    response = api.post(path, body)

    assert api_error(response, 409)["code"] == "conflict"
    assert Patient.objects.filter(given_name="Ida").count() == 1
    assert not world.patient_record.care_team.filter(member=world.outsider_clinician).exists()


@pytest.mark.parametrize(
    ("failing", "status"),
    [
        ({"given_name": "", "family_name": "Empotent"}, 422),
        ({**BODY, "invite": True}, 400),  # no e-mail address to invite
    ],
    ids=["validation error", "action error"],
)
def test_failed_request_stores_nothing_so_a_retry_works(
    world: World, failing: dict[str, Any], status: int
) -> None:
    api = keyed(world, "retry-after-failure")

    failed = api.post("/patients", failing)
    retried = api.post("/patients", BODY)

    api_error(failed, status)
    assert retried.status_code == 201
    assert not retried.has_header("Idempotent-Replayed")
    assert Patient.objects.filter(record_number="IDEM-1").count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_keys_are_per_user(world: World) -> None:
    admin = keyed(world, "shared-key")
    therapist = keyed(world, "shared-key", world.therapist)
    body = {"given_name": "Ida", "family_name": "PerUser"}

    first = admin.post("/patients", body)
    second = therapist.post("/patients", body)

    assert first.status_code == second.status_code == 201
    assert not second.has_header("Idempotent-Replayed")
    assert first.json()["public_id"] != second.json()["public_id"]
    assert Patient.objects.filter(family_name="PerUser").count() == 2


@pytest.mark.parametrize("key", ["", "   ", "x" * 101, "tab\there"])
def test_malformed_key_is_refused(world: World, key: str) -> None:
    response = keyed(world, key).post("/patients", BODY)

    assert api_error(response, 400)["code"] == "bad_request"
    assert not Patient.objects.filter(record_number="IDEM-1").exists()


def test_other_idempotent_operations_replay_too(world: World) -> None:
    api = keyed(world, "add-member")
    body = {"member_id": str(world.outsider_clinician.public_id), "team_role": "prescriber"}
    path = f"/patients/{world.patient_record.public_id}/care-team"

    first = api.post(path, body)
    second = api.post(path, body)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert world.patient_record.care_team.filter(member=world.outsider_clinician).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers, so two requests cannot overlap; needs PostgreSQL",
)
def test_concurrent_requests_with_one_key_create_one_patient(world: World) -> None:
    # Given two clients of the same user, each in its own thread (and connection)
    clients = [keyed(world, "concurrent"), keyed(world, "concurrent")]
    # Both tokens belong to the admin; use one so both requests are the same user's.
    clients[1].headers["HTTP_AUTHORIZATION"] = clients[0].headers["HTTP_AUTHORIZATION"]
    start = threading.Barrier(len(clients))
    responses: list[Any] = [None] * len(clients)
    failures: list[BaseException] = []

    def send(index: int) -> None:
        try:
            start.wait()
            responses[index] = clients[index].post("/patients", BODY)
        except BaseException as exc:  # surfaced below, in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    # When both send the same request with the same key at once
    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then exactly one patient exists, and both got the same answer
    assert failures == []
    assert [response.status_code for response in responses] == [201, 201]
    assert responses[0].json() == responses[1].json()
    assert Patient.objects.filter(record_number="IDEM-1").count() == 1
    assert IdempotencyRecord.objects.count() == 1

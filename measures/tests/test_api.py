"""The measures API: fill in and submit (idempotent, show_safety_plan), scores with
reliable change, assignments, recompute, FHIR exports; query counts that do not grow."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AccessLog
from core.testing.api import ApiClient, api_error
from core.testing.factories import make_administration
from core.testing.personas import World
from measures.models import Score

pytestmark = pytest.mark.django_db


def phq(values: list[int]) -> dict[str, Any]:
    return {"answers": {str(n): v for n, v in enumerate(values, start=1)}}


def test_patient_saves_returns_and_submits_once_per_key(world: World) -> None:
    administration = make_administration(world.patient_record)
    api = ApiClient(world.patient)
    waiting = api.get("/measures/questionnaires").json()
    assert [q["id"] for q in waiting] == [str(administration.public_id)]
    assert waiting[0]["items"][8]["text"].startswith("Thoughts that you would be better off")
    saved = api.put(f"/measures/questionnaires/{administration.public_id}/answers", phq([1, 1]))
    assert saved.status_code == 200 and saved.json()["status"] == "in_progress"
    path = f"/measures/questionnaires/{administration.public_id}/submit"
    body = {"answers": {str(n): 1 for n in range(3, 10)}}
    first = api.post(path, body, HTTP_IDEMPOTENCY_KEY="send-1")
    again = api.post(path, body, HTTP_IDEMPOTENCY_KEY="send-1")
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true" and first.json() == again.json()
    result = first.json()
    assert result["score"] == 9 and result["show_safety_plan"] is True  # item 9 = 1
    assert "not a diagnosis" in result["summary"] and "Mild" in result["summary"]
    assert Score.objects.count() == 1


def test_a_bad_answer_is_a_clear_error(world: World) -> None:
    administration = make_administration(world.patient_record)
    response = ApiClient(world.patient).put(
        f"/measures/questionnaires/{administration.public_id}/answers", {"answers": {"1": 9}}
    )
    error = api_error(response, 400)
    assert error["fields"] == {"answers": [error["message"]]} or "answers" in json.dumps(error)


def test_scores_carry_reliable_change_and_its_formula(world: World) -> None:
    for values in ([2] * 9, [1] * 8 + [0]):
        make_administration(world.patient_record, answers=phq(values)["answers"], submit=True)
    page = ApiClient(world.therapist).get(
        f"/measures/patients/{world.patient_record.public_id}/scores"
    )
    scores = page.json()["items"]
    assert [s["value"] for s in scores] == [18, 8]
    change = scores[1]["change"]["baseline"]
    assert change["label"] == "recovered" and change["criterion"] == "cutoff"
    assert change["method"] == "published_threshold" and change["reliability"] == 0.84
    assert AccessLog.objects.filter(actor=world.therapist, resource="measures.view_results")


def test_assign_stop_and_recompute(world: World) -> None:
    api = ApiClient(world.therapist)
    base = f"/measures/patients/{world.patient_record.public_id}"
    created = api.post(f"{base}/assignments", {"instrument": "who5", "frequency": "weeks"})
    assert created.status_code == 201
    assignment = created.json()
    assert assignment["frequency"] == "weeks" and assignment["next_due_at"] is not None
    licensed = api.post(f"{base}/assignments", {"instrument": "bsl23"})
    assert "licensed" in api_error(licensed, 400)["message"]
    stopped = api.post(f"{base}/assignments/{assignment['id']}/stop")
    assert stopped.json()["stopped_at"] is not None
    assert api.post(f"{base}/recompute").json() == {"added": 0}
    # Someone else's patient: not found
    other = f"/measures/patients/{world.other_patient_record.public_id}/assignments"
    assert api.post(other, {"instrument": "who5"}).status_code == 404


def test_fhir_exports(world: World) -> None:
    make_administration(world.patient_record, answers=phq([1] * 9)["answers"], submit=True)
    bundle = ApiClient(world.therapist).get(
        f"/measures/patients/{world.patient_record.public_id}/fhir"
    )
    assert bundle["Content-Type"] == "application/fhir+json"
    assert bundle.json()["resourceType"] == "Bundle"
    bulk = ApiClient(world.admin).get("/measures/fhir/clinic.ndjson")
    lines = b"".join(bulk.streaming_content).decode().splitlines()  # type: ignore[attr-defined]
    assert {json.loads(line)["resourceType"] for line in lines} == {
        "Questionnaire", "QuestionnaireResponse", "Observation",
    }  # fmt: skip
    assert AccessLog.objects.filter(
        actor=world.admin, patient=world.patient_record, object_id="fhir-bulk-export"
    ).exists()


def test_the_scores_list_runs_a_fixed_number_of_queries(world: World) -> None:
    api = ApiClient(world.therapist)
    path = f"/measures/patients/{world.patient_record.public_id}/scores"

    def count() -> int:
        api.get(path)
        with CaptureQueriesContext(connection) as context:
            assert api.get(path, {"page_size": 100}).status_code == 200
        return len(context.captured_queries)

    make_administration(world.patient_record, answers=phq([1] * 9)["answers"], submit=True)
    few = count()
    for _ in range(6):
        make_administration(world.patient_record, answers=phq([2] * 9)["answers"], submit=True)
    assert count() == few

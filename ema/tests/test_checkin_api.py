"""The check-in API for patients: open prompts, and answering one (idempotent, once, checked
per question, late after expiry, closed after its day)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from audit.models import AccessLog
from core.testing.api import ApiClient, api_error
from core.testing.personas import World
from ema.actions import default_questionnaire
from ema.models import Prompt, PromptResponse, PromptStatus, Schedule
from ema.tests.checkin_data import ANSWERS, NOW, amsterdam, make_prompt, make_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def schedule(world: World) -> Schedule:
    return make_schedule(world.patient_record)


@pytest.fixture
def prompt(schedule: Schedule) -> Prompt:
    """Due at 09:45 in Amsterdam, answerable until 10:15; it is 10:00 now."""
    return make_prompt(schedule, amsterdam(9, 45), status=PromptStatus.SENT)


def answer_path(prompt: Prompt) -> str:
    return f"/ema/prompts/{prompt.public_id}/response"


# --- open prompts -----------------------------------------------------------------------------


def test_open_prompts_are_todays_unanswered_due_ones_newest_first(
    world: World, schedule: Schedule, prompt: Prompt
) -> None:
    # Given an expired one from this morning, the one due now, and others that are not open
    expired = make_prompt(schedule, amsterdam(8, 0), status=PromptStatus.MISSED)
    make_prompt(schedule, amsterdam(13, 0))  # later today
    make_prompt(schedule, amsterdam(20, 0, day=NOW.date() - timedelta(days=1)))  # yesterday
    make_prompt(schedule, amsterdam(7, 0), status=PromptStatus.ANSWERED)
    make_prompt(schedule, amsterdam(6, 0), status=PromptStatus.CANCELLED)
    make_prompt(make_schedule(world.other_patient_record), amsterdam(9, 30))

    # When the patient asks for their open check-ins
    response = ApiClient(world.patient).get("/ema/prompts/open")

    # Then they get the two answerable ones, the expired one marked late
    assert response.status_code == 200, response.content
    body = response.json()
    assert [item["id"] for item in body] == [str(prompt.public_id), str(expired.public_id)]
    assert [item["late"] for item in body] == [False, True]
    assert body[0]["scheduled_at"] == "2025-03-12T08:45:00Z"
    assert body[0]["expires_at"] == "2025-03-12T09:15:00Z"
    questionnaire = default_questionnaire()
    assert body[0]["questionnaire"] == {
        "id": str(questionnaire.public_id),
        "name": questionnaire.name,
        "questions": questionnaire.questions,
    }


def test_listing_open_prompts_is_an_audited_read(world: World) -> None:
    ApiClient(world.patient).get("/ema/prompts/open")

    log = AccessLog.objects.get(resource="ema.view_responses")
    assert (log.actor, log.patient, log.channel) == (world.patient, world.patient_record, "api")


# --- answering ------------------------------------------------------------------------------------


def test_an_answer_sent_twice_with_one_key_is_stored_once_and_replayed(
    world: World, prompt: Prompt
) -> None:
    api = ApiClient(world.patient, HTTP_IDEMPOTENCY_KEY="checkin-0945")

    first = api.post(answer_path(prompt), {"answers": ANSWERS})
    again = api.post(answer_path(prompt), {"answers": ANSWERS})

    assert first.status_code == 201, first.content
    assert first.json() == {
        "prompt_id": str(prompt.public_id),
        "submitted_at": "2025-03-12T09:00:00Z",
        "is_late": False,
        "answers": ANSWERS,
        "show_safety_plan": False,
    }
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert PromptResponse.objects.count() == 1
    prompt.refresh_from_db()
    assert (prompt.status, prompt.answered_at, prompt.is_late) == (
        PromptStatus.ANSWERED,
        NOW,
        False,
    )


def test_a_second_different_answer_is_refused(world: World, prompt: Prompt) -> None:
    api = ApiClient(world.patient)
    api.post(answer_path(prompt), {"answers": ANSWERS}, HTTP_IDEMPOTENCY_KEY="a")

    response = api.post(
        answer_path(prompt), {"answers": {**ANSWERS, "sad": 90}}, HTTP_IDEMPOTENCY_KEY="b"
    )

    error = api_error(response, 400)
    assert error["message"] == "This check-in is already answered."
    assert PromptResponse.objects.get().answers["sad"] == ANSWERS["sad"]


@pytest.mark.parametrize(
    ("at", "status"),
    [(amsterdam(10, 30), PromptStatus.PLANNED), (amsterdam(9, 45), PromptStatus.CANCELLED)],
)
def test_a_prompt_not_yet_due_or_cancelled_is_not_open(
    world: World, schedule: Schedule, at: Any, status: str
) -> None:
    prompt = make_prompt(schedule, at, status=status)

    response = ApiClient(world.patient).post(answer_path(prompt), {"answers": ANSWERS})

    assert api_error(response, 400)["message"] == "This check-in is not open."
    prompt.refresh_from_db()
    assert prompt.status == status
    assert not PromptResponse.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"sad": None}, "answers.sad", "Please answer this question."),
        ({"sad": 101}, "answers.sad", "Give a number from 0 to 100."),
        ({"sad": "40"}, "answers.sad", "Give a whole number."),
        ({"sad": True}, "answers.sad", "Give a whole number."),
        ({"activity": "sleeping"}, "answers.activity", "Choose one of the options."),
        ({"activity": ["work"]}, "answers.activity", "Choose one of the options."),
        ({"company": {"who": "x"}}, "answers.company", "Choose one of the options."),
        ({"mood": 3}, "answers.mood", "This is not a question of this check-in."),
    ],
)
def test_a_wrong_answer_is_refused_naming_its_question(
    world: World, prompt: Prompt, change: dict[str, Any], field: str, message: str
) -> None:
    answers = {key: value for key, value in {**ANSWERS, **change}.items() if value is not None}

    response = ApiClient(world.patient).post(answer_path(prompt), {"answers": answers})

    error = api_error(response, 400)
    assert error["fields"] == {field: [message]}
    assert not PromptResponse.objects.exists()
    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.SENT


def test_answers_that_are_not_an_object_are_a_validation_error(
    world: World, prompt: Prompt
) -> None:
    response = ApiClient(world.patient).post(answer_path(prompt), {"answers": [1, 2]})

    assert "answers" in api_error(response, 422)["fields"]


def test_an_answer_after_expiry_is_kept_and_marked_late(
    world: World, prompt: Prompt, frozen_time: time_machine.Coordinates
) -> None:
    # Given the answer window closed at 10:15 and the dispatcher marked it missed
    Prompt.objects.filter(pk=prompt.pk).update(status=PromptStatus.MISSED)
    frozen_time.move_to(amsterdam(21, 30))

    # When the patient answers in the evening
    response = ApiClient(world.patient).post(answer_path(prompt), {"answers": ANSWERS})

    # Then the answer is kept and marked late
    assert response.status_code == 201, response.content
    assert response.json()["is_late"] is True
    prompt.refresh_from_db()
    assert (prompt.status, prompt.is_late) == (PromptStatus.ANSWERED, True)


def test_a_prompt_past_its_local_day_is_refused(
    world: World, prompt: Prompt, frozen_time: time_machine.Coordinates
) -> None:
    # 00:10 the next day in Amsterdam (still the 12th in UTC)
    frozen_time.move_to(amsterdam(0, 10, day=NOW.date() + timedelta(days=1)))

    response = ApiClient(world.patient).post(answer_path(prompt), {"answers": ANSWERS})

    assert api_error(response, 400)["message"] == "This check-in closed at the end of its day."
    assert not PromptResponse.objects.exists()


def test_a_prompt_not_yet_due_cannot_be_answered(world: World, schedule: Schedule) -> None:
    later = make_prompt(schedule, amsterdam(13, 0))

    response = ApiClient(world.patient).post(answer_path(later), {"answers": ANSWERS})

    assert api_error(response, 400)["message"] == "This check-in is not open."


@pytest.mark.parametrize("persona", ["other_patient", "therapist"])
def test_someone_elses_prompt_is_not_found(world: World, prompt: Prompt, persona: str) -> None:
    response = ApiClient(getattr(world, persona)).post(answer_path(prompt), {"answers": ANSWERS})

    assert response.status_code in (403, 404)
    assert not PromptResponse.objects.exists()


def test_every_answer_goes_through_the_risk_rules_in_its_transaction(
    world: World, prompt: Prompt, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[PromptResponse] = []
    monkeypatch.setattr("ema.actions.evaluate_ema_response", seen.append)

    ApiClient(world.patient).post(answer_path(prompt), {"answers": ANSWERS})

    assert [response.answers for response in seen] == [ANSWERS]


def test_a_keyed_answer_takes_a_known_set_of_statements(
    world: World, schedule: Schedule, django_capture_on_commit_callbacks: Any
) -> None:
    # Guards the answer path's round trips (ingest benchmark, bench/ingest.py): the prompt
    # is taken by one conditional update, the patient and clinic come with the token, and
    # the clinic's risk rules from this process's cache once a committed request read them.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from safety.risk import rules_for

    rules_for(world.organisation.pk)  # the clinic's default rules exist
    first = make_prompt(schedule, amsterdam(9, 40), status=PromptStatus.SENT)
    second = make_prompt(schedule, amsterdam(9, 45), status=PromptStatus.SENT)
    api = ApiClient(world.patient)
    with django_capture_on_commit_callbacks(execute=True):
        warm = api.post(answer_path(first), {"answers": ANSWERS}, HTTP_IDEMPOTENCY_KEY="one")
    assert warm.status_code == 201, warm.content

    with CaptureQueriesContext(connection) as queries:
        response = api.post(answer_path(second), {"answers": ANSWERS}, HTTP_IDEMPOTENCY_KEY="two")

    assert response.status_code == 201, response.content
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    work = [s for s in statements if s not in {"SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"}]
    # token; prompt; its conditional update; the answer and the key with its answer, which
    # PostgreSQL takes in one message (core.appends)
    appends = ["INSERT"] if connection.vendor == "postgresql" else ["INSERT", "INSERT"]
    assert work == ["SELECT", "SELECT", "UPDATE", *appends], queries.captured_queries

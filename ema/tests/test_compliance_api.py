"""What the care team reads through the API: compliance per schedule and in total, and the
patient's answers, newest first and paginated."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.testing.api import ApiClient, api_error
from core.testing.personas import World
from ema.models import Prompt, PromptResponse, PromptStatus, Schedule
from ema.tests.checkin_data import ANSWERS, NOW, amsterdam, make_prompt, make_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def days_ago(days: int, hour: int = 9) -> datetime:
    return amsterdam(hour, day=NOW.date() - timedelta(days=days))


def answered(schedule: Schedule, at: datetime, *, late: bool = False, **answers: object) -> Prompt:
    prompt = make_prompt(
        schedule,
        at,
        status=PromptStatus.ANSWERED,
        is_late=late,
        answered_at=at + timedelta(minutes=90 if late else 5),
    )
    PromptResponse.objects.create(
        prompt=prompt,
        answers={**ANSWERS, **answers},
        submitted_at=prompt.answered_at,
        answered_by=schedule.patient.user,
    )
    return prompt


def compliance_path(world: World) -> str:
    return f"/patients/{world.patient_record.public_id}/ema/compliance"


def responses_path(world: World) -> str:
    return f"/patients/{world.patient_record.public_id}/ema/responses"


@pytest.fixture
def hand_made(world: World) -> tuple[Schedule, Schedule]:
    """Two schedules with prompts of every kind over the last five weeks."""
    fixed = make_schedule(world.patient_record)
    random = make_schedule(world.patient_record, kind="random", windows=[["09:00", "21:00"]])
    # fixed: 3 on time, 1 late, 2 missed (one still "sent": its window closed unanswered)
    for days in (1, 2, 3):
        answered(fixed, days_ago(days))
    answered(fixed, days_ago(4), late=True)
    make_prompt(fixed, days_ago(5), status=PromptStatus.MISSED)
    make_prompt(fixed, days_ago(6), status=PromptStatus.SENT)
    # not counted: cancelled, still open, not yet due, older than four weeks
    make_prompt(fixed, days_ago(7), status=PromptStatus.CANCELLED)
    make_prompt(fixed, amsterdam(9, 50), status=PromptStatus.SENT)  # open until 10:20
    make_prompt(fixed, amsterdam(13))
    answered(fixed, days_ago(29))
    # random: 1 on time, 1 missed
    answered(random, days_ago(2, hour=15))
    make_prompt(random, days_ago(3, hour=15), status=PromptStatus.MISSED)
    # another patient's prompts count for them only
    answered(make_schedule(world.other_patient_record), days_ago(1))
    return fixed, random


def test_compliance_counts_each_schedule_and_the_total(
    world: World, hand_made: tuple[Schedule, Schedule]
) -> None:
    fixed, random = hand_made

    response = ApiClient(world.therapist).get(compliance_path(world))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["days"], body["since"], body["until"]) == (
        28,
        "2025-02-12T09:00:00Z",
        "2025-03-12T09:00:00Z",
    )
    assert body["schedules"] == [
        {
            "schedule_id": str(fixed.public_id),
            "kind": "fixed",
            "due": 6,
            "on_time": 3,
            "late": 1,
            "missed": 2,
            "rate": pytest.approx(4 / 6),
        },
        {
            "schedule_id": str(random.public_id),
            "kind": "random",
            "due": 2,
            "on_time": 1,
            "late": 0,
            "missed": 1,
            "rate": 0.5,
        },
    ]
    assert body["total"] == {
        "schedule_id": None,
        "kind": None,
        "due": 8,
        "on_time": 4,
        "late": 1,
        "missed": 3,
        "rate": 0.625,
    }


def test_compliance_over_fewer_days(world: World, hand_made: tuple[Schedule, Schedule]) -> None:
    response = ApiClient(world.facilitator).get(compliance_path(world), {"days": 2})

    total = response.json()["total"]
    # from 10:00 two days ago: yesterday's 09:00 and the 15:00 of two days ago, both answered
    # (09:00 two days ago is just outside)
    assert (total["due"], total["on_time"], total["missed"]) == (2, 2, 0)


def test_compliance_without_prompts_has_no_rate(world: World) -> None:
    body = ApiClient(world.patient).get(compliance_path(world)).json()

    assert body["schedules"] == []
    assert body["total"]["due"] == 0
    assert body["total"]["rate"] is None


@pytest.mark.parametrize("days", [0, 367, "a"])
def test_compliance_days_out_of_range_are_refused(world: World, days: object) -> None:
    response = ApiClient(world.therapist).get(compliance_path(world), {"days": days})

    assert "days" in api_error(response, 422)["fields"]


def test_responses_are_listed_newest_first_with_their_prompt(world: World) -> None:
    schedule = make_schedule(world.patient_record)
    older = answered(schedule, days_ago(2), sad=20)
    newer = answered(schedule, days_ago(1), late=True, sad=70)

    response = ApiClient(world.therapist).get(responses_path(world))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    first = body["items"][0]
    assert first == {
        "prompt_id": str(newer.public_id),
        "scheduled_at": "2025-03-11T08:00:00Z",
        "submitted_at": "2025-03-11T09:30:00Z",
        "is_late": True,
        "questionnaire_id": str(schedule.questionnaire.public_id),
        "answers": {**ANSWERS, "sad": 70},
    }
    assert body["items"][1]["prompt_id"] == str(older.public_id)


def test_responses_are_paginated(world: World) -> None:
    schedule = make_schedule(world.patient_record)
    for days in range(1, 6):
        answered(schedule, days_ago(days))

    page = ApiClient(world.therapist).get(responses_path(world), {"page": 2, "page_size": 2})

    body = page.json()
    assert body["count"] == 5
    assert [item["scheduled_at"][:10] for item in body["items"]] == ["2025-03-09", "2025-03-08"]


def test_the_responses_list_runs_the_same_queries_however_many_answers(world: World) -> None:
    schedule = make_schedule(world.patient_record)
    api = ApiClient(world.therapist)

    def queries() -> int:
        api.get(responses_path(world))  # warm up: token last-used, first-request work
        with CaptureQueriesContext(connection) as captured:
            response = api.get(responses_path(world), {"page_size": 100})
        assert response.status_code == 200
        return len(captured.captured_queries)

    answered(schedule, days_ago(1))
    with_one = queries()
    for days in range(2, 15):
        answered(schedule, days_ago(days))

    assert queries() == with_one

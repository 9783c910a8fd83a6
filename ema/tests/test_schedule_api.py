"""Check-in schedules through the API: a clinician on the care team creates, changes and stops
them; every problem is reported under the field it is about."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.testing.api import ApiClient, api_error
from core.testing.personas import World
from ema.models import Prompt, PromptStatus, Schedule
from ema.tests.checkin_data import NOW, amsterdam, make_prompt, make_schedule

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def path(world: World, *rest: str) -> str:
    return "/".join([f"/patients/{world.patient_record.public_id}/ema/schedules", *rest])


def planned(schedule: Schedule) -> list[tuple[int, time]]:
    """The (day of month, local time) of the schedule's prompts that are still planned."""
    prompts = Prompt.objects.filter(schedule=schedule, status=PromptStatus.PLANNED)
    local = [p.scheduled_at.astimezone(AMSTERDAM) for p in prompts.order_by("scheduled_at")]
    return [(moment.day, moment.time()) for moment in local]


def test_a_therapist_creates_a_fixed_schedule_and_its_prompts_are_planned(world: World) -> None:
    response = ApiClient(world.therapist).post(
        path(world), {"kind": "fixed", "times": ["09:00", "13:00", "20:30"]}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    schedule = Schedule.objects.get()
    assert body["id"] == str(schedule.public_id)
    assert {key: body[key] for key in ("kind", "times", "start_date", "end_date", "active")} == {
        "kind": "fixed",
        "times": ["09:00", "13:00", "20:30"],
        "start_date": "2025-03-12",  # today where the patient lives
        "end_date": None,
        "active": True,
    }
    assert body["expires_after_minutes"] == 30
    assert body["questionnaire"]["name"] == "Right now (momentary check-in)"
    assert schedule.created_by == world.therapist
    # today's 09:00 has passed; then three a day for the next two days
    assert planned(schedule) == [
        (12, time(13)),
        (12, time(20, 30)),
        *[(day, at) for day in (13, 14) for at in (time(9), time(13), time(20, 30))],
    ]


def test_a_random_schedule_plans_its_prompts_inside_the_windows(world: World) -> None:
    response = ApiClient(world.therapist).post(
        path(world),
        {
            "kind": "random",
            "windows": [["09:00", "12:00"], ["14:00", "20:00"]],
            "prompts_per_window": 2,
            "min_gap_minutes": 45,
            "start_date": "2025-03-13",
            "end_date": "2025-03-13",
        },
    )

    assert response.status_code == 201, response.content
    assert response.json()["windows"] == [["09:00", "12:00"], ["14:00", "20:00"]]
    times = planned(Schedule.objects.get())
    assert [day for day, _at in times] == [13] * 4
    assert sum(time(9) <= at < time(12) for _day, at in times) == 2
    assert sum(time(14) <= at < time(20) for _day, at in times) == 2


@pytest.mark.parametrize(
    ("body", "status", "field", "message"),
    [
        ({"kind": "fixed", "times": []}, 400, "times", "Add at least one time."),
        ({"kind": "fixed", "times": ["09:00", "09:00"]}, 400, "times", None),
        ({"kind": "fixed", "times": ["25:00"]}, 422, "times.0", None),
        ({"kind": "random", "windows": []}, 400, "windows", "Add at least one window."),
        (
            {"kind": "random", "windows": [["12:00", "09:00"]]},
            400,
            "windows",
            "The window 12:00–09:00 must end after it starts.",
        ),
        (
            {
                "kind": "random",
                "windows": [["09:00", "10:00"]],
                "prompts_per_window": 3,
                "min_gap_minutes": 45,
            },
            400,
            "windows",
            "The window 09:00–10:00 is too short for 3 prompts at least 45 minutes apart.",
        ),
        (
            {"kind": "interval", "windows": [["09:00", "12:00"], ["13:00", "14:00"]]},
            400,
            "windows",
            "Give one window to prompt in at intervals.",
        ),
        (
            {"kind": "interval", "windows": [["08:00", "22:00"]], "every_minutes": 10},
            400,
            "windows",
            "At most 50 prompts a day are allowed; this schedule gives 85.",
        ),
        (
            {"kind": "interval", "windows": [["08:00", "22:00"]], "every_minutes": 0},
            422,
            None,
            None,
        ),
        (
            {
                "kind": "fixed",
                "times": ["09:00"],
                "start_date": "2025-03-12",
                "end_date": "2025-03-01",
            },
            400,
            "end_date",
            "The last day is before the first.",
        ),
        (
            {"kind": "fixed", "times": ["09:00"], "expires_after_minutes": 2},
            400,
            "expires_after_minutes",
            "Allow from 5 minutes to 24 hours to answer.",
        ),
        ({"kind": "weekly", "times": ["09:00"]}, 422, "kind", None),
    ],
)
def test_a_wrong_schedule_is_refused_naming_the_field(
    world: World, body: dict[str, Any], status: int, field: str | None, message: str | None
) -> None:
    response = ApiClient(world.therapist).post(path(world), body)

    error = api_error(response, status)
    if field is None:
        assert error["fields"]
    else:
        assert field in error["fields"], error
    if message is not None:
        assert error["fields"][field] == [message]
    assert not Schedule.objects.exists()
    assert not Prompt.objects.exists()


def test_the_list_shows_active_schedules_first(world: World) -> None:
    stopped = make_schedule(world.patient_record, active=False)
    active = make_schedule(world.patient_record, start_date=NOW.date())
    make_schedule(world.other_patient_record)

    response = ApiClient(world.facilitator).get(path(world))

    assert response.status_code == 200
    assert [item["id"] for item in response.json()] == [
        str(active.public_id),
        str(stopped.public_id),
    ]


def test_a_change_replans_the_coming_prompts_and_keeps_the_other_fields(world: World) -> None:
    # Given a schedule at 09:00 and 13:00, and an answered prompt this morning
    api = ApiClient(world.therapist)
    created = api.post(
        path(world),
        {"kind": "fixed", "times": ["09:00", "13:00"], "expires_after_minutes": 20},
    ).json()
    schedule = Schedule.objects.get()
    answered = make_prompt(schedule, amsterdam(9), status=PromptStatus.ANSWERED)

    # When the therapist moves it to 11:00 and 15:00
    response = api.put(path(world, created["id"]), {"times": ["11:00", "15:00"]})

    # Then the coming prompts follow the new times; the rest is as it was
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["times"] == ["11:00", "15:00"]
    assert body["expires_after_minutes"] == 20
    assert planned(schedule) == [
        (12, time(11)),
        (12, time(15)),
        *[(day, at) for day in (13, 14) for at in (time(11), time(15))],
    ]
    assert Prompt.objects.filter(pk=answered.pk, status=PromptStatus.ANSWERED).exists()


def test_a_wrong_change_is_refused_and_the_schedule_kept(world: World) -> None:
    schedule = make_schedule(world.patient_record)

    response = ApiClient(world.therapist).put(
        path(world, str(schedule.public_id)), {"kind": "random", "windows": [["10:00", "09:00"]]}
    )

    assert "windows" in api_error(response, 400)["fields"]
    schedule.refresh_from_db()
    assert (schedule.kind, schedule.windows) == ("fixed", [])


def test_an_end_date_can_be_cleared_with_null(world: World) -> None:
    schedule = make_schedule(world.patient_record, end_date=NOW.date())

    response = ApiClient(world.therapist).put(
        path(world, str(schedule.public_id)), {"end_date": None, "kind": None}
    )

    assert response.status_code == 200, response.content
    assert (response.json()["end_date"], response.json()["kind"]) == (None, "fixed")


def test_stopping_cancels_the_coming_prompts_and_keeps_the_past(world: World) -> None:
    schedule = make_schedule(world.patient_record)
    past = make_prompt(schedule, amsterdam(9), status=PromptStatus.MISSED)
    coming = make_prompt(schedule, amsterdam(13))

    response = ApiClient(world.therapist).post(path(world, str(schedule.public_id), "stop"))

    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    statuses = dict(Prompt.objects.values_list("pk", "status"))
    assert statuses == {past.pk: PromptStatus.MISSED, coming.pk: PromptStatus.CANCELLED}


def test_a_facilitator_reads_schedules_but_cannot_create_one(world: World) -> None:
    response = ApiClient(world.facilitator).post(path(world), {"kind": "fixed", "times": ["09:00"]})

    assert api_error(response, 404)
    assert not Schedule.objects.exists()


def test_another_patients_schedule_is_not_found_under_this_patient(world: World) -> None:
    theirs = make_schedule(world.other_patient_record)

    response = ApiClient(world.therapist).post(path(world, str(theirs.public_id), "stop"))

    assert api_error(response, 404)
    theirs.refresh_from_db()
    assert theirs.active

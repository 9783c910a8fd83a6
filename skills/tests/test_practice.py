"""The practice log: validation, the link to the diary card, idempotency through the API,
and the care team's view of it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AccessLog
from care.models import Patient
from core.actions import ActionError
from core.testing.api import ApiClient, api_error
from core.testing.factories import builtin_skill, make_skill
from core.testing.personas import World
from diary.actions import SaveMode, save_card
from diary.cards import CardValues
from diary.models import DiaryCard
from skills.actions import record_practice
from skills.models import Practice, Skill

pytestmark = pytest.mark.django_db

#: Wednesday 12 March 2025, 10:00 in Amsterdam (the persona patient's zone).
NOW = datetime(2025, 3, 12, 9, 0, tzinfo=UTC)
TODAY = date(2025, 3, 12)
YESTERDAY = date(2025, 3, 11)


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def patient(world: World) -> Patient:
    return world.patient_record


@pytest.fixture
def tip() -> Skill:
    return builtin_skill("tip")


def practise(world: World, skill: Skill, **fields: object) -> Practice:
    values: dict[str, object] = {
        "practised_at": NOW - timedelta(minutes=10),
        "distress_before": 80,
        "distress_after": 40,
    }
    return record_practice(world.patient, world.patient_record, skill, **{**values, **fields})  # type: ignore[arg-type]


# --- the diary card ------------------------------------------------------------------------


def test_a_practice_today_adds_the_skill_to_todays_card(world: World, tip: Skill) -> None:
    practice = practise(world, tip, note="Cold water, then breathing.")
    assert practice.day == TODAY
    assert practice.on_card
    card = DiaryCard.objects.get(patient=world.patient_record, date=TODAY)
    assert card.skills == ["TIP"]


def test_the_skill_joins_what_the_card_already_says(world: World, tip: Skill) -> None:
    # Given today's card, filled in with a skill and a note
    save_card(
        world.patient,
        world.patient_record,
        TODAY,
        CardValues(skills=("Wise Mind",), skills_used=4, note="A long day."),
        mode=SaveMode.EDIT,
    )
    # When two practices are logged, one of them of a skill already there
    practise(world, tip)
    practise(world, tip)
    practise(world, builtin_skill("wise-mind"))
    # Then the card lists each skill once, and keeps everything else
    card = DiaryCard.objects.get(patient=world.patient_record, date=TODAY)
    assert card.skills == ["Wise Mind", "TIP"]
    assert card.skills_used == 4
    assert card.note == "A long day."


def test_the_day_is_the_patients_local_day(world: World, tip: Skill) -> None:
    # 23:30 UTC on the 11th is 00:30 on the 12th in Amsterdam.
    practice = practise(world, tip, practised_at=datetime(2025, 3, 11, 23, 30, tzinfo=UTC))
    assert practice.day == TODAY


def test_the_form_shows_and_reads_the_time_on_the_patients_clock(
    world: World, tip: Skill, client_for: object, frozen_time: time_machine.Coordinates
) -> None:
    # Given a patient whose account zone (UTC) is not their diary's (Amsterdam), just after
    # midnight in Amsterdam
    assert world.patient.time_zone != world.patient_record.time_zone
    frozen_time.move_to(datetime(2025, 3, 11, 23, 30, tzinfo=UTC))
    client = client_for(world.patient)  # type: ignore[operator]
    url = f"/skills/{tip.public_id}/practise/"
    # When they open the form, it offers 00:30 on the 12th
    html = client.get(url).content.decode()
    shown = re.search(r'name="practised_at" value="([^"]+)"', html)
    assert shown is not None and shown.group(1) == "2025-03-12T00:30"
    # And saving it as offered puts the practice on the 12th's card, at 23:30 UTC
    fields = {"practised_at": shown.group(1), "distress_before": "80", "distress_after": "40"}
    assert client.post(url, fields).status_code == 302
    practice = Practice.objects.get(patient=world.patient_record)
    assert practice.practised_at == datetime(2025, 3, 11, 23, 30, tzinfo=UTC)
    assert practice.day == TODAY and practice.on_card
    assert DiaryCard.objects.get(patient=world.patient_record, date=TODAY).skills == ["TIP"]


def test_yesterdays_card_is_still_editable(world: World, tip: Skill) -> None:
    practice = practise(world, tip, practised_at=NOW - timedelta(days=1))
    assert practice.day == YESTERDAY and practice.on_card
    assert DiaryCard.objects.get(patient=world.patient_record, date=YESTERDAY).skills == ["TIP"]


def test_an_older_practice_is_stored_without_touching_the_card(world: World, tip: Skill) -> None:
    practice = practise(world, tip, practised_at=NOW - timedelta(days=3))
    assert not practice.on_card
    assert Practice.objects.filter(pk=practice.pk).exists()
    assert not DiaryCard.objects.filter(patient=world.patient_record).exists()


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"distress_before": 101}, "distress_before"),
        ({"distress_after": -1}, "distress_after"),
        ({"practised_at": NOW + timedelta(hours=1)}, "practised_at"),
        ({"practised_at": NOW - timedelta(days=400)}, "practised_at"),
        ({"practised_at": datetime(2025, 3, 12, 8, 0)}, "practised_at"),  # noqa: DTZ001
        ({"note": "x" * 1001}, "note"),
    ],
)
def test_bad_values_are_refused_with_their_field(
    world: World, tip: Skill, fields: dict[str, object], field: str
) -> None:
    with pytest.raises(ActionError) as caught:
        practise(world, tip, **fields)
    assert caught.value.field == field
    assert not Practice.objects.exists()
    assert not DiaryCard.objects.exists()


def test_another_clinics_skill_is_refused(world: World) -> None:
    theirs = make_skill(world.other_organisation)
    with pytest.raises(ActionError) as caught:
        practise(world, theirs)
    assert caught.value.field == "skill"


# --- the API -------------------------------------------------------------------------------


def body(skill: Skill, **fields: object) -> dict[str, object]:
    return {"skill": str(skill.public_id), "distress_before": 70, "distress_after": 30, **fields}


def test_the_api_records_a_practice_once_per_idempotency_key(world: World, tip: Skill) -> None:
    api = ApiClient(world.patient)
    key = {"HTTP_IDEMPOTENCY_KEY": "practice-1"}
    first = api.post("/skills/practices", body(tip, note="At work"), **key)
    again = api.post("/skills/practices", body(tip, note="At work"), **key)
    assert first.status_code == 201, first.content
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Practice.objects.count() == 1
    data = first.json()
    assert data["on_card"] is True
    assert data["day"] == TODAY.isoformat()
    assert data["skill_name"] == "TIP"
    assert DiaryCard.objects.get(date=TODAY).skills == ["TIP"]
    # The same key with a different request is a conflict.
    assert api.post("/skills/practices", body(tip, note="Other"), **key).status_code == 409


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"distress_before": 101}, "distress_before"),
        ({"distress_after": -5}, "distress_after"),
        ({"note": "x" * 1001}, "note"),
        ({"practised_at": "2025-03-12T08:00:00"}, "practised_at"),
    ],
)
def test_the_api_names_each_invalid_field(
    world: World, tip: Skill, payload: dict[str, object], field: str
) -> None:
    response = ApiClient(world.patient).post("/skills/practices", body(tip, **payload))
    assert any(key.endswith(field) for key in api_error(response, 422)["fields"])
    assert not Practice.objects.exists()


def test_the_api_refuses_a_future_time_with_its_field(world: World, tip: Skill) -> None:
    when = (NOW + timedelta(hours=2)).isoformat()
    response = ApiClient(world.patient).post("/skills/practices", body(tip, practised_at=when))
    assert "practised_at" in api_error(response, 400)["fields"]


def test_an_unknown_skill_is_not_found(world: World) -> None:
    response = ApiClient(world.patient).post(
        "/skills/practices", {"skill": str(uuid.uuid4()), "distress_before": 1, "distress_after": 1}
    )
    assert response.status_code == 404


def test_the_patient_lists_their_own_practices(world: World, tip: Skill) -> None:
    practise(world, tip)
    practise(world, tip, practised_at=NOW - timedelta(minutes=1), distress_after=70)
    response = ApiClient(world.patient).get("/skills/practices")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["distress_after"] for item in items] == [70, 40]


# --- the care team ---------------------------------------------------------------------------


def test_the_care_team_sees_how_often_and_the_mean_change_per_skill(
    world: World, tip: Skill, client_for: object
) -> None:
    # Given three practices of TIP and one of Wise Mind
    practise(world, tip, distress_before=80, distress_after=40)
    practise(world, tip, distress_before=60, distress_after=50)
    practise(world, tip, distress_before=50, distress_after=60)
    practise(world, builtin_skill("wise-mind"), distress_before=30, distress_after=20)
    # When the therapist reads the summary through the API
    url = f"/patients/{world.patient_record.public_id}/skills/summary"
    response = ApiClient(world.therapist).get(url)
    # Then TIP comes first with its counts and mean before/after
    assert response.status_code == 200
    first, second = response.json()
    assert (first["skill_name"], first["count"], first["helped"]) == ("TIP", 3, 2)
    assert first["mean_before"] == pytest.approx(63.3)
    assert first["mean_after"] == 50.0
    assert first["mean_change"] == pytest.approx(-13.3)
    assert (second["skill_name"], second["count"]) == ("Wise Mind", 1)
    # And the read is in the access log
    log = AccessLog.objects.filter(resource="skills.view_practices").get()
    assert log.actor_id == world.therapist.pk
    assert log.patient_id == world.patient_record.pk


def test_the_care_team_page_shows_the_summary_and_is_audited(
    world: World, tip: Skill, client_for: object
) -> None:
    practise(world, tip, distress_before=80, distress_after=40, note="<b>hot</b> water")
    client = client_for(world.therapist)  # type: ignore[operator]
    response = client.get(f"/patients/{world.patient_record.public_id}/skills/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "TIP" in html and "−40" in html
    assert "&lt;b&gt;hot&lt;/b&gt;" in html  # the note is escaped
    assert AccessLog.objects.filter(resource="skills.view_practices").count() == 1


def test_someone_elses_practices_are_not_found(world: World, tip: Skill) -> None:
    practise(world, tip)
    url = f"/patients/{world.patient_record.public_id}/skills/practices"
    assert ApiClient(world.outsider_clinician).get(url).status_code == 404
    assert ApiClient(world.therapist).get(url).json()["count"] == 1


def test_the_practice_lists_do_not_grow_with_the_log(world: World, client_for: object) -> None:
    page = client_for(world.therapist)  # type: ignore[operator]
    api = ApiClient(world.therapist)
    record = world.patient_record.public_id
    urls = [f"/patients/{record}/skills/"]
    api_urls = [f"/patients/{record}/skills/practices", f"/patients/{record}/skills/summary"]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert page.get(url).status_code == 200
            found.append(len(queries))
        for url in api_urls:
            with CaptureQueriesContext(connection) as queries:
                assert api.get(url).status_code == 200
            found.append(len(queries))
        return found

    practise(world, builtin_skill("tip"))
    page.get(urls[0])  # warm the session and the token's "last used"
    api.get(api_urls[0])
    few = counts()
    for slug in ("stop", "give", "fast", "please", "observe"):
        practise(world, builtin_skill(slug))
    assert counts() == few

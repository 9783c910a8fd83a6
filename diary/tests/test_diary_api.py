"""The diary API: the day's template, entries (idempotent, merged), edits, lists, settings."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AccessLog, Channel
from care.models import Patient
from core.models import IdempotencyRecord
from core.testing.api import ApiClient, api_error
from core.testing.personas import World
from diary.actions import SaveMode, add_target, ensure_card_items, save_card
from diary.cards import CardValues
from diary.models import CardRevision, CardSource, DiaryCard, Emotion, Target

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
    ensure_card_items(None, world.patient_record)
    return world.patient_record


def item_id(patient: Patient, name: str) -> str:
    item = (
        Target.objects.filter(patient=patient, name=name).first()
        or Emotion.objects.filter(patient=patient, name=name).first()
    )
    assert item is not None, name
    return str(item.public_id)


def rows(body: dict[str, Any], kind: str, value: str) -> dict[str, Any]:
    """{item name: value} of a card in a response (``kind`` is "emotions" or "targets")."""
    return {row["name"]: row[value] for row in body[kind]}


def save_on(
    frozen_time: time_machine.Coordinates, world: World, day: date, values: CardValues
) -> None:
    frozen_time.move_to(datetime(day.year, day.month, day.day, 20, tzinfo=UTC))
    save_card(world.patient, world.patient_record, day, values, mode=SaveMode.EDIT)
    frozen_time.move_to(NOW)


def cards_path(world: World) -> str:
    return f"/patients/{world.patient_record.public_id}/diary/cards"


# --- the template -------------------------------------------------------------------------------


def test_template_lists_the_days_items_and_a_new_patient_gets_the_defaults(world: World) -> None:
    response = ApiClient(world.patient).get("/diary/template")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["date"] == "2025-03-12"
    assert body["editable"] is True
    assert body["card"] is None
    assert [item["name"] for item in body["targets"]] == [
        "Suicide",
        "Self-harm",
        "Alcohol or drugs",
    ]
    assert [item["asks_detail"] for item in body["targets"]] == [False, True, True]
    assert len(body["emotions"]) == 8
    assert body["emotions"][0] == {
        "id": item_id(world.patient_record, "Sadness"),
        "name": "Sadness",
    }


def test_template_holds_the_saved_values_and_says_which_days_are_editable(
    world: World, patient: Patient, frozen_time: time_machine.Coordinates
) -> None:
    sadness = item_id(patient, "Sadness")
    save_card(world.patient, patient, TODAY, CardValues(emotions={sadness: 3}), mode=SaveMode.EDIT)
    save_on(frozen_time, world, TODAY - timedelta(days=2), CardValues(skills_used=4))
    api = ApiClient(world.patient)

    today = api.get("/diary/template").json()
    yesterday = api.get("/diary/template", {"day": "2025-03-11"}).json()
    older = api.get("/diary/template", {"day": "2025-03-10"}).json()

    assert rows(today["card"], "emotions", "rating")["Sadness"] == 3
    assert today["card"]["is_late"] is False
    assert (yesterday["editable"], yesterday["card"]) == (True, None)
    assert older["editable"] is False
    assert older["card"]["skills_used"] == 4


# --- entries --------------------------------------------------------------------------------------


def test_entry_sent_twice_with_one_key_is_stored_once_and_replayed(
    world: World, patient: Patient
) -> None:
    api = ApiClient(world.patient, HTTP_IDEMPOTENCY_KEY="card-2025-03-12-a")
    entry = {
        "date": "2025-03-12",
        "emotions": {item_id(patient, "Sadness"): 4},
        "note": "Sent from the bus.",
    }

    first = api.post("/diary/entries", entry)
    second = api.post("/diary/entries", entry)

    assert first.status_code == second.status_code == 201, first.content
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    card = DiaryCard.objects.get(patient=patient)
    assert card.note == "Sent from the bus."
    assert card.source == CardSource.API
    assert CardRevision.objects.filter(card=card).count() == 1


def _work(queries: CaptureQueriesContext) -> list[str]:
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    # One savepoint: the keyed request's transaction, nested in the test's own.
    assert statements.count("SAVEPOINT") == 1, statements
    return [s for s in statements if s not in {"SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"}]


def test_a_keyed_entry_to_an_existing_card_takes_a_known_set_of_statements(
    world: World, patient: Patient, django_capture_on_commit_callbacks: Any
) -> None:
    # Guards the submission path's round trips (ingest benchmark, bench/ingest.py): the
    # token's owner comes with their patient record and clinic, the action inside the keyed
    # request's transaction takes no savepoint of its own, and the patient's items and the
    # clinic's risk rules come from this process's cache once a committed request read them.
    api = ApiClient(world.patient)
    entry = {"date": "2025-03-12", "emotions": {item_id(patient, "Sadness"): 2}}
    assert api.post("/diary/entries", entry, HTTP_IDEMPOTENCY_KEY="first").status_code == 201
    with CaptureQueriesContext(connection) as cold:
        assert api.post("/diary/entries", entry, HTTP_IDEMPOTENCY_KEY="cold").status_code == 200
    # token; targets, emotions; the card locked with its rows (one query); the clinic's
    # risk rules (which see the rows just written, not read again); then the writes nothing
    # reads back: card update, access log, revision, key with its answer (one message on
    # PostgreSQL: core.appends)
    writes = 1 if connection.vendor == "postgresql" else 4
    assert len(_work(cold)) == 5 + writes, cold.captured_queries

    with django_capture_on_commit_callbacks(execute=True):
        # A committed request fills the caches (the test's transaction never commits).
        api.post("/diary/entries", entry, HTTP_IDEMPOTENCY_KEY="warm")
    with CaptureQueriesContext(connection) as warm:
        response = api.post("/diary/entries", entry, HTTP_IDEMPOTENCY_KEY="second")

    assert response.status_code == 200, response.content
    # token; the card locked with its rows (one query); the writes
    assert len(_work(warm)) == 2 + writes, warm.captured_queries


def test_items_added_after_the_cache_was_filled_are_on_the_card(
    world: World, patient: Patient, django_capture_on_commit_callbacks: Any
) -> None:
    api = ApiClient(world.patient)
    entry = {"date": "2025-03-12", "emotions": {item_id(patient, "Sadness"): 2}}
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post("/diary/entries", entry).status_code == 201

    add_target(world.therapist, patient, name="Bingeing", kind="other", asks_detail=False,
               starting=date(2025, 3, 1))  # fmt: skip
    bingeing = item_id(patient, "Bingeing")
    response = api.post(
        "/diary/entries", {"date": "2025-03-12", "targets": {bingeing: {"urge": 3}}}
    )

    assert response.status_code == 200, response.content
    assert rows(response.json(), "targets", "urge")["Bingeing"] == 3


def test_a_rule_changed_after_the_cache_was_filled_applies_to_the_next_card(
    world: World, patient: Patient, django_capture_on_commit_callbacks: Any
) -> None:
    from safety.configure import RuleInput, change_rule
    from safety.models import Alert, RiskRule

    api = ApiClient(world.patient)
    suicide = item_id(patient, "Suicide")
    with django_capture_on_commit_callbacks(execute=True):
        low = api.post("/diary/entries", {"date": "2025-03-12", "targets": {suicide: {"urge": 2}}})
    assert low.status_code == 201 and not Alert.objects.exists()

    rule = RiskRule.objects.get(organisation=world.organisation, key="diary-suicide-urge")
    change_rule(world.admin, rule, RuleInput(name=rule.name, kind=rule.kind, threshold=2,
                                             target_kind="suicide"))  # fmt: skip
    again = api.post("/diary/entries", {"date": "2025-03-12", "targets": {suicide: {"urge": 2}}})

    assert again.status_code == 200, again.content
    assert again.json()["show_safety_plan"] is True
    assert Alert.objects.filter(patient=patient).count() == 1


def test_same_entry_without_a_key_is_merged_into_the_days_card(
    world: World, patient: Patient
) -> None:
    api = ApiClient(world.patient)
    self_harm = item_id(patient, "Self-harm")

    first = api.post(
        "/diary/entries",
        {"date": "2025-03-12", "targets": {self_harm: {"urge": 4, "acted": True}}, "note": "x"},
    )
    second = api.post(
        "/diary/entries",
        {"date": "2025-03-12", "targets": {self_harm: {"urge": 4, "acted": True}}, "note": "x"},
    )
    third = api.post(
        "/diary/entries",
        {"date": "2025-03-12", "targets": {self_harm: {"urge": 2, "acted": False}}},
    )

    assert (first.status_code, second.status_code, third.status_code) == (201, 200, 200)
    body = third.json()
    assert rows(body, "targets", "urge")["Self-harm"] == 4
    assert rows(body, "targets", "acted")["Self-harm"] is True
    assert body["note"] == "x"
    assert body["id"] == first.json()["id"]
    assert DiaryCard.objects.filter(patient=patient).count() == 1


def test_the_answer_to_each_save_is_the_card_as_stored(world: World, patient: Patient) -> None:
    # (The answer is built from what the save wrote, without reading the card back.)
    api = ApiClient(world.patient)
    sadness, self_harm = item_id(patient, "Sadness"), item_id(patient, "Self-harm")

    def stored() -> dict[str, Any]:
        listed = api.get("/diary/cards", {"from": "2025-03-12", "to": "2025-03-12"}).json()
        [card] = listed["items"]
        return dict(card)

    # A new card, an entry that raises one value, one that changes no row, then (after the
    # clinician added a target during the day) an entry and an edit
    saves = [
        lambda: api.post(
            "/diary/entries", {"date": "2025-03-12", "emotions": {sadness: 2}, "sleep_hours": 7}
        ),
        lambda: api.post(
            "/diary/entries",
            {
                "date": "2025-03-12",
                "emotions": {sadness: 1},
                "targets": {self_harm: {"urge": 3, "acted": False}},
                "sleep_hours": "6.5",
            },
        ),
        lambda: api.post("/diary/entries", {"date": "2025-03-12", "emotions": {sadness: 2}}),
        lambda: add_target(
            world.therapist,
            patient,
            name="Skipping meals",
            kind="other",
            asks_detail=False,
            starting=TODAY,
        ),
        lambda: api.post("/diary/entries", {"date": "2025-03-12", "note": "Later on."}),
        lambda: api.put("/diary/cards/2025-03-12", {"emotions": {sadness: 4}, "sleep_hours": 8}),
    ]
    statuses = []
    for save in saves:
        response = save()
        if not isinstance(response, Target):
            statuses.append(response.status_code)
            saved = response.json()
            assert saved.pop("show_safety_plan") is False
            assert saved == stored()

    assert statuses == [201, 200, 200, 200, 200]
    final = stored()
    assert rows(final, "targets", "urge") == {
        "Suicide": None,
        "Self-harm": None,
        "Alcohol or drugs": None,
        "Skipping meals": None,
    }
    assert rows(final, "emotions", "rating")["Sadness"] == 4
    assert final["sleep_hours"] == "8.0"


def test_offline_entry_filled_yesterday_evening_is_accepted_and_late(
    world: World, patient: Patient
) -> None:
    response = ApiClient(world.patient, HTTP_IDEMPOTENCY_KEY="offline-1").post(
        "/diary/entries",
        {
            "date": "2025-03-11",
            "offline": True,
            "filled_at": "2025-03-11T21:30:00+01:00",
            "skills_used": 5,
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["date"], body["is_late"], body["source"]) == ("2025-03-11", True, "offline")


def test_entry_filled_at_in_the_future_is_refused(world: World, patient: Patient) -> None:
    response = ApiClient(world.patient).post(
        "/diary/entries",
        {"date": "2025-03-12", "filled_at": "2025-03-12T11:00:00+00:00", "skills_used": 5},
    )

    assert api_error(response, 400)["fields"] == {
        "date": ["Only today's and yesterday's cards can be filled in or changed."]
    }
    assert not DiaryCard.objects.exists()


def test_filled_at_without_a_time_zone_is_a_validation_error(
    world: World, patient: Patient
) -> None:
    # A client clock reading without an offset cannot be placed in time
    response = ApiClient(world.patient).post(
        "/diary/entries",
        {"date": "2025-03-11", "filled_at": "2025-03-11T21:30:00", "skills_used": 5},
    )

    assert set(api_error(response, 422)["fields"]) == {"filled_at"}
    assert not DiaryCard.objects.exists()


def test_entry_for_an_old_day_is_refused_on_the_date_field(world: World, patient: Patient) -> None:
    api = ApiClient(world.patient, HTTP_IDEMPOTENCY_KEY="old-day")

    response = api.post("/diary/entries", {"date": "2025-03-09", "skills_used": 5})

    assert set(api_error(response, 400)["fields"]) == {"date"}
    assert not DiaryCard.objects.exists()
    # A refused request stores nothing under its key, so it can be retried
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize(
    ("kind", "value"),
    [("emotions", 6), ("emotions", -1), ("targets", {"urge": 6})],
    ids=["rating 6", "rating -1", "urge 6"],
)
def test_out_of_range_rating_is_a_validation_error_on_its_item(
    world: World, patient: Patient, kind: str, value: Any
) -> None:
    key = item_id(patient, "Sadness" if kind == "emotions" else "Self-harm")

    response = ApiClient(world.patient).post(
        "/diary/entries", {"date": "2025-03-12", kind: {key: value}}
    )

    fields = api_error(response, 422)["fields"]
    field = f"{kind}.{key}" if kind == "emotions" else f"{kind}.{key}.urge"
    assert list(fields) == [field]
    assert not DiaryCard.objects.exists()


@pytest.mark.parametrize(
    "body", [{"skills_used": 8}, {"sleep_hours": "24.5"}, {"note": "x" * 4001}]
)
def test_other_values_out_of_range_are_validation_errors(
    world: World, patient: Patient, body: dict[str, Any]
) -> None:
    response = ApiClient(world.patient).post("/diary/entries", {"date": "2025-03-12", **body})

    assert list(api_error(response, 422)["fields"]) == list(body)


@pytest.mark.parametrize("kind", ["emotions", "targets"])
def test_unknown_item_is_refused_on_its_field(world: World, patient: Patient, kind: str) -> None:
    unknown = str(uuid.uuid4())
    value: Any = 3 if kind == "emotions" else {"urge": 3}

    response = ApiClient(world.patient).post(
        "/diary/entries", {"date": "2025-03-12", kind: {unknown: value}}
    )

    assert list(api_error(response, 400)["fields"]) == [f"{kind}.{unknown}"]
    assert not DiaryCard.objects.exists()


def test_staff_cannot_send_entries(world: World, patient: Patient) -> None:
    response = ApiClient(world.therapist).post(
        "/diary/entries", {"date": "2025-03-12", "skills_used": 3}
    )

    api_error(response, 403)
    assert not DiaryCard.objects.exists()


# --- edits ----------------------------------------------------------------------------------------


def test_put_replaces_the_card_and_can_lower_a_value(world: World, patient: Patient) -> None:
    api = ApiClient(world.patient)
    sadness, joy = item_id(patient, "Sadness"), item_id(patient, "Joy")
    api.post("/diary/entries", {"date": "2025-03-12", "emotions": {sadness: 5, joy: 2}})

    response = api.put("/diary/cards/2025-03-12", {"emotions": {sadness: 1}, "skills_used": 3})

    assert response.status_code == 200, response.content
    body = response.json()
    assert rows(body, "emotions", "rating")["Sadness"] == 1
    assert rows(body, "emotions", "rating")["Joy"] is None
    assert body["skills_used"] == 3
    modes = list(CardRevision.objects.values_list("mode", flat=True))
    assert modes == ["entry", "edit"]


def test_put_of_an_old_card_is_refused(
    world: World, patient: Patient, frozen_time: time_machine.Coordinates
) -> None:
    save_on(frozen_time, world, date(2025, 3, 9), CardValues(skills_used=2))

    response = ApiClient(world.patient).put("/diary/cards/2025-03-09", {"skills_used": 7})

    assert set(api_error(response, 400)["fields"]) == {"date"}
    assert DiaryCard.objects.get(date=date(2025, 3, 9)).skills_used == 2


def test_put_of_a_malformed_date_is_not_found(world: World, patient: Patient) -> None:
    api_error(ApiClient(world.patient).put("/diary/cards/yesterday", {"skills_used": 7}), 404)


# --- lists ----------------------------------------------------------------------------------------


@pytest.fixture
def three_cards(world: World, patient: Patient, frozen_time: time_machine.Coordinates) -> None:
    for day in (date(2025, 2, 1), date(2025, 3, 1), date(2025, 3, 10)):
        save_on(frozen_time, world, day, CardValues(skills_used=day.day % 8))


def test_own_list_defaults_to_four_weeks_and_takes_a_range(world: World, three_cards: None) -> None:
    api = ApiClient(world.patient)

    default = api.get("/diary/cards").json()
    ranged = api.get("/diary/cards", {"from": "2025-01-01", "to": "2025-03-01"}).json()

    assert [card["date"] for card in default["items"]] == ["2025-03-01", "2025-03-10"]
    assert [card["date"] for card in ranged["items"]] == ["2025-02-01", "2025-03-01"]
    assert ranged["count"] == 2


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2024-03-11", "to": "2025-03-12"},
        {"from": "2024-01-01"},
        {"from": "2025-03-12", "to": "2025-03-01"},
    ],
    ids=["367 days", "more than a year until today", "from after to"],
)
def test_range_longer_than_366_days_or_backwards_is_refused(
    world: World, three_cards: None, query: dict[str, str]
) -> None:
    error = api_error(ApiClient(world.patient).get("/diary/cards", query), 400)

    assert list(error["fields"]) == ["from"]


def test_366_days_both_ends_included_are_allowed(world: World, three_cards: None) -> None:
    # 12 March 2024 to 12 March 2025 is 366 days, counting both
    response = ApiClient(world.patient).get(
        "/diary/cards", {"from": "2024-03-12", "to": "2025-03-12"}
    )

    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_clinician_lists_their_patients_cards_and_each_read_is_logged(
    world: World, three_cards: None
) -> None:
    api = ApiClient(world.therapist)

    first = api.get(cards_path(world), {"from": "2025-02-01", "to": "2025-03-12"})
    second = api.get(cards_path(world))

    assert first.status_code == second.status_code == 200
    assert [card["date"] for card in first.json()["items"]] == [
        "2025-02-01",
        "2025-03-01",
        "2025-03-10",
    ]
    card = first.json()["items"][0]
    assert card["skills_used"] == 1
    assert rows(card, "targets", "urge") == {
        "Suicide": None,
        "Self-harm": None,
        "Alcohol or drugs": None,
    }
    logged = AccessLog.objects.filter(resource="diary.view_cards")
    assert logged.count() == 2
    assert {(row.actor, row.patient, row.channel) for row in logged} == {
        (world.therapist, world.patient_record, Channel.API)
    }


@pytest.mark.parametrize(
    "persona", ["outsider_clinician", "other_patient", "supporter", "researcher", "admin"]
)
def test_someone_elses_patient_is_not_found_and_nothing_is_logged(
    world: World, three_cards: None, persona: str
) -> None:
    api = ApiClient(getattr(world, persona))

    not_yours = api.get(cards_path(world))
    unknown = api.get(f"/patients/{uuid.uuid4()}/diary/cards")

    assert api_error(not_yours, 404) == api_error(unknown, 404)
    assert not AccessLog.objects.filter(resource="diary.view_cards").exists()


# --- the card's items ----------------------------------------------------------------------------


def items_path(world: World, what: str = "items") -> str:
    return f"/patients/{world.patient_record.public_id}/diary/{what}"


def test_therapist_adds_a_target_and_an_emotion_that_apply_from_today(
    world: World, patient: Patient
) -> None:
    api = ApiClient(world.therapist)

    target = api.post(
        items_path(world, "targets"),
        {"name": "Skipping meals", "kind": "other", "asks_detail": True},
    )
    emotion = api.post(items_path(world, "emotions"), {"name": "Loneliness"})

    assert target.status_code == emotion.status_code == 201, target.content
    assert target.json()["active_from"] == emotion.json()["active_from"] == "2025-03-12"
    assert target.json()["kind"] == "other"
    assert emotion.json()["kind"] is None
    template = ApiClient(world.patient).get("/diary/template").json()
    assert "Skipping meals" in [item["name"] for item in template["targets"]]
    assert "Loneliness" in [item["name"] for item in template["emotions"]]
    yesterday = ApiClient(world.patient).get("/diary/template", {"day": "2025-03-11"}).json()
    assert "Skipping meals" not in [item["name"] for item in yesterday["targets"]]


def test_duplicate_target_and_bad_kind_are_refused(world: World, patient: Patient) -> None:
    api = ApiClient(world.therapist)

    duplicate = api.post(items_path(world, "targets"), {"name": "SELF-HARM"})
    bad_kind = api.post(items_path(world, "targets"), {"name": "Gaming", "kind": "hobby"})

    assert list(api_error(duplicate, 400)["fields"]) == ["name"]
    assert list(api_error(bad_kind, 422)["fields"]) == ["kind"]
    assert Target.objects.filter(patient=patient).count() == 3


def test_therapist_retires_an_item_and_the_list_keeps_its_dates(
    world: World, patient: Patient
) -> None:
    api = ApiClient(world.therapist)
    suicide = item_id(patient, "Suicide")

    response = api.post(f"{items_path(world)}/{suicide}/retire")
    again = api.post(f"{items_path(world)}/{suicide}/retire")

    assert response.status_code == 200, response.content
    assert response.json()["retired_on"] == "2025-03-12"
    assert again.json()["retired_on"] == "2025-03-12"
    listed = {item["name"]: item for item in api.get(items_path(world)).json()}
    assert listed["Suicide"]["retired_on"] == "2025-03-12"
    assert listed["Self-harm"]["retired_on"] is None
    template = ApiClient(world.patient).get("/diary/template").json()
    assert "Suicide" not in [item["name"] for item in template["targets"]]


@pytest.mark.parametrize("persona", ["facilitator", "outsider_clinician", "patient"])
def test_only_the_care_team_clinician_configures_the_card(
    world: World, patient: Patient, persona: str
) -> None:
    api = ApiClient(getattr(world, persona))
    suicide = item_id(patient, "Suicide")

    responses = [
        api.post(items_path(world, "targets"), {"name": "Skipping meals"}),
        api.post(items_path(world, "emotions"), {"name": "Loneliness"}),
        api.post(f"{items_path(world)}/{suicide}/retire"),
    ]

    for response in responses:
        api_error(response, 404)
    assert Target.objects.filter(patient=patient).count() == 3
    assert Emotion.objects.filter(patient=patient).count() == 8
    assert Target.objects.get(public_id=suicide).retired_on is None


def test_another_patients_item_cannot_be_retired(world: World, patient: Patient) -> None:
    ensure_card_items(None, world.other_patient_record)
    theirs = item_id(world.other_patient_record, "Suicide")

    response = ApiClient(world.therapist).post(f"{items_path(world)}/{theirs}/retire")

    api_error(response, 404)
    assert Target.objects.get(public_id=theirs).retired_on is None

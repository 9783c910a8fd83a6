"""The caseload page: rows, reasons, order, filters, sort, and a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from care.models import TeamRole
from core.testing.factories import make_patient, make_patient_with_login, make_team_place
from core.testing.personas import World
from dashboard.days import rebuild_all
from dashboard.tests.builders import (
    add_alert,
    add_cards,
    add_daily_prompts,
    add_score,
    deterioration,
)
from diary.cards import local_today

pytestmark = pytest.mark.django_db


def on_caseload(world: World, given: str, *, login: bool = True) -> Any:
    make = make_patient_with_login if login else make_patient
    patient = make(world.organisation, given_name=given, family_name="Test")
    make_team_place(patient, world.therapist, TeamRole.PRIMARY_THERAPIST)
    return patient


def build_caseload(world: World) -> dict[str, Any]:
    """Four patients, one per reason, and Pat (the world's patient) filling cards daily."""
    today = local_today(world.patient_record.time_zone)
    add_cards(world.patient_record, today, [1] * 14, [0] * 14)
    people = {
        "alert": on_caseload(world, "Alma"),
        "worse": on_caseload(world, "Wes"),
        "rising": on_caseload(world, "Rita"),
        "missed": on_caseload(world, "Milo"),
    }
    for key in ("alert", "worse"):
        add_cards(people[key], today, [0] * 3)
    add_alert(people["alert"])
    add_score(people["worse"], 17, change=deterioration(8, 17))
    add_cards(people["rising"], today, [0] * 7 + [3] * 7, [1] * 14)
    add_cards(people["missed"], today - timedelta(days=6), [2])
    add_daily_prompts(people["rising"], today, 14)
    rebuild_all()
    return people


def names(response: Any) -> list[str]:
    return [row.patient.given_name for row in response.context["page_obj"]]


def test_the_caseload_is_in_attention_order_with_reasons_in_words(
    world: World, client_for: Callable[..., Client]
) -> None:
    build_caseload(world)
    response = client_for(world.therapist).get(reverse("care:caseload"))
    assert response.status_code == 200
    assert names(response) == ["Alma", "Wes", "Rita", "Milo", "Pat"]
    html = response.content.decode()
    assert "1 open alert (1 not acknowledged)" in html
    assert "Reliable deterioration on PHQ-9 since baseline (8 → 17)" in html
    assert "Suicide urges rising: mean 3.0 over the last 7 days, 0.0 the 7 days before" in html
    assert "No diary card for 5 days" in html
    assert "support your clinical judgement" in html
    assert "4 patients on your caseload need attention." in html


def test_a_row_shows_compliance_the_sparkline_and_its_words(
    world: World, client_for: Callable[..., Client]
) -> None:
    people = build_caseload(world)
    response = client_for(world.therapist).get(reverse("care:caseload"))
    rita = next(r for r in response.context["page_obj"] if r.patient == people["rising"])
    # 13 of the 14 days before today had a card (the cards end today); 6 of 13 check-ins
    assert (rita.diary.done, rita.diary.of) == (13, 14)
    assert (rita.checkins.done, rita.checkins.of) == (6, 13)
    assert rita.suicide_urges[-14:] == [0] * 7 + [3] * 7
    html = response.content.decode()
    assert 'role="img"' in html
    assert "suicide: highest 3, most recent 3, rated on 14 of 28 days" in html
    assert "PHQ-9 17" in html and "Reliable deterioration" in html


def test_filters_needs_attention_and_reason(
    world: World, client_for: Callable[..., Client]
) -> None:
    build_caseload(world)
    client = client_for(world.therapist)
    url = reverse("care:caseload")
    assert names(client.get(url, {"needs": "1"})) == ["Alma", "Wes", "Rita", "Milo"]
    assert names(client.get(url, {"reason": "rising-urges"})) == ["Rita"]
    assert names(client.get(url, {"reason": "missed-cards", "q": "Milo"})) == ["Milo"]
    assert names(client.get(url, {"reason": "nonsense"})) == ["Alma", "Wes", "Rita", "Milo", "Pat"]


def test_sort_by_name_and_by_last_diary_day(
    world: World, client_for: Callable[..., Client]
) -> None:
    build_caseload(world)
    client = client_for(world.therapist)
    url = reverse("care:caseload")
    assert names(client.get(url, {"sort": "name"})) == ["Alma", "Milo", "Pat", "Rita", "Wes"]
    # Longest ago first: Milo (6 days ago), then the rest (today) by name
    assert names(client.get(url, {"sort": "last-diary"})) == ["Milo", "Alma", "Pat", "Rita", "Wes"]


def test_search_keeps_the_filters(world: World, client_for: Callable[..., Client]) -> None:
    build_caseload(world)
    response = client_for(world.therapist).get(reverse("care:caseload"), {"needs": "1"})
    assert 'hx-get="/caseload/?needs=1"' in response.content.decode()


def test_only_the_clinicians_own_caseload_is_shown(
    world: World, client_for: Callable[..., Client]
) -> None:
    build_caseload(world)
    response = client_for(world.outsider_clinician).get(reverse("care:caseload"))
    assert names(response) == ["Olive"]


def test_an_empty_caseload(world: World, client_for: Callable[..., Client]) -> None:
    from care.models import CareTeamMember

    CareTeamMember.objects.filter(member=world.therapist).delete()
    response = client_for(world.therapist).get(reverse("care:caseload"))
    assert "You are not on anyone's care team yet." in response.content.decode()


# --- the query count does not grow with patients or history --------------------------------------


def add_long_histories(world: World, count: int, days: int) -> None:
    today = local_today(world.patient_record.time_zone)
    for index in range(count):
        patient = on_caseload(world, f"Long{index}", login=index % 3 != 0)
        add_cards(patient, today, [index % 6] * days, [(index + 1) % 6] * days, skip=[3, 9])
        add_daily_prompts(patient, today, days)
        add_score(patient, 10 + index, change=deterioration(5, 10 + index) if index % 2 else None)
        add_score(patient, 4, key="gad7")
        if index % 4 == 0:
            add_alert(patient, source=str(index))
    rebuild_all()


def queries_for(client: Client) -> int:
    client.get(reverse("care:caseload"))  # warm up
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("care:caseload"))
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_query_count_does_not_grow_with_patients_or_their_history(
    world: World, client_for: Callable[..., Client]
) -> None:
    client = client_for(world.therapist)
    # Given 2 patients with 60 days of history (plus the world's patient)
    add_long_histories(world, 2, 60)
    small = queries_for(client)
    # When there are 12 more, with 200 days each
    add_long_histories(world, 12, 200)
    large = queries_for(client)
    # Then the page shows them all with the same number of queries
    assert len(client.get(reverse("care:caseload")).context["page_obj"]) == 15
    assert small == large == 7

"""The caseload dashboard API: the page's rows, order, reasons and filters."""

from __future__ import annotations

import pytest

from core.testing.api import ApiClient, api_error
from core.testing.personas import World
from dashboard.tests.test_caseload_page import build_caseload

pytestmark = pytest.mark.django_db


def test_rows_come_in_attention_order_with_reasons(world: World) -> None:
    build_caseload(world)
    response = ApiClient(world.therapist).get("/dashboard/caseload")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [row["name"] for row in items] == [
        "Alma Test",
        "Wes Test",
        "Rita Test",
        "Milo Test",
        "Pat Ient",
    ]
    assert items[0]["reasons"] == [{"kind": "alerts", "text": "1 open alert (1 not acknowledged)"}]
    assert items[0]["open_alerts"] == 1
    worse = items[1]
    assert worse["latest_score"]["change_label"] == "reliable_deterioration"
    assert worse["latest_score"]["against"] == "baseline"
    rita = items[2]
    assert rita["reasons"][0]["kind"] == "rising-urges"
    assert len(rita["urges_28_days"]) == 28
    assert rita["urges_28_days"][-1]["suicide"] == 3
    assert rita["diary_cards_14_days"] == {"done": 13, "of": 14, "share": 13 / 14}
    assert items[-1]["needs_attention"] is False and items[-1]["reasons"] == []


def test_filters_and_sort(world: World) -> None:
    build_caseload(world)
    api = ApiClient(world.therapist)

    def names(**params: object) -> list[str]:
        return [row["name"] for row in api.get("/dashboard/caseload", params).json()["items"]]

    assert names(reason="missed-cards") == ["Milo Test"]
    assert names(needs_attention=True, sort="name") == [
        "Alma Test",
        "Milo Test",
        "Rita Test",
        "Wes Test",
    ]
    assert names(q="Pat") == ["Pat Ient"]


def test_an_unknown_reason_is_refused(world: World) -> None:
    response = ApiClient(world.therapist).get("/dashboard/caseload", {"reason": "nonsense"})
    api_error(response, 422)


def test_a_clinician_sees_only_their_caseload(world: World) -> None:
    build_caseload(world)
    items = ApiClient(world.outsider_clinician).get("/dashboard/caseload").json()["items"]
    assert [row["name"] for row in items] == ["Olive Other"]


@pytest.mark.parametrize("persona", ["researcher", "supporter", "patient", "facilitator", "admin"])
def test_others_are_refused(world: World, persona: str) -> None:
    response = ApiClient(world.user(persona)).get("/dashboard/caseload")
    assert response.status_code == 403

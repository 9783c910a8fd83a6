"""Saving the safety plan (versions, stale edits), its pages and its API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessLog
from core.actions import ActionError
from core.testing.api import ApiClient, api_error
from core.testing.personas import World
from safety.actions import current_version, save_plan
from safety.models import SafetyPlanVersion
from safety.plans import parse_plan

pytestmark = pytest.mark.django_db

PLAN = {
    "warning_signs": ["I stop answering messages"],
    "coping": ["Cold shower", "Walk to the canal"],
    "help": [{"name": "My sister Ana", "phone": "+31 6 5555 0101", "note": "evenings"}],
    "reasons": ["My cat, Pip"],
}


def saved(world: World, data: dict[str, Any] | None = None, **kwargs: Any) -> SafetyPlanVersion:
    number = (current_version(world.patient_record) or SafetyPlanVersion(number=0)).number
    return save_plan(
        world.patient, world.patient_record, parse_plan(data or PLAN), based_on=number, **kwargs
    )


# --- the action -------------------------------------------------------------------------------


def test_each_save_is_a_new_version_and_an_unchanged_save_adds_none(world: World) -> None:
    first = saved(world, shared_sections=frozenset({"coping"}))
    second = saved(world, {**PLAN, "coping": ["Cold shower"]})
    again = saved(world, {**PLAN, "coping": ["Cold shower"]})

    assert (first.number, second.number) == (1, 2)
    assert again.pk == second.pk
    assert second.shared == {"coping"}  # kept when the save does not choose
    assert first.plan.items("coping") == ("Cold shower", "Walk to the canal")  # history intact
    assert second.saved_by == world.patient


def test_a_save_from_an_older_version_is_refused_and_stores_nothing(world: World) -> None:
    saved(world)
    with pytest.raises(ActionError) as refused:
        save_plan(world.therapist, world.patient_record, parse_plan(PLAN), based_on=0)

    assert refused.value.field == "based_on"
    assert SafetyPlanVersion.objects.count() == 1


def test_a_version_is_never_changed_once_saved(world: World) -> None:
    version = saved(world)
    version.content = {}
    with pytest.raises(ValueError, match="never changed"):
        version.save()


# --- pages ------------------------------------------------------------------------------------


def form_data(**extra: str) -> dict[str, str]:
    return {
        "based_on": "0",
        "reasons": "My cat, Pip\nThe sea",
        "warning_signs": "Staying in bed all day",
        "coping": "Cold shower",
        "help-0-name": "Ana",
        "help-0-phone": "+31 6 5555 0101",
        "help-0-note": "",
        **extra,
    }


def test_patient_writes_their_plan_and_reads_it_with_tap_to_call(
    world: World, client_for: Any
) -> None:
    client: Client = client_for(world.patient)

    response = client.post(reverse("safety:edit"), form_data(shared_sections="coping"), follow=True)

    assert response.status_code == 200
    version = current_version(world.patient_record)
    assert version is not None and version.number == 1
    assert version.plan.items("reasons") == ("My cat, Pip", "The sea")
    assert version.shared == {"coping"}
    html = response.content.decode()
    assert 'href="tel:+31655550101"' in html
    assert 'href="sms:+31655550101"' in html
    assert "The sea" in html


def test_a_refused_form_keeps_every_word_typed(world: World, client_for: Any) -> None:
    client: Client = client_for(world.patient)

    response = client.post(
        reverse("safety:edit"), form_data(**{"help-0-phone": "ring Ana", "coping": "Kept text"})
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "digits, spaces" in html
    assert "Kept text" in html and "ring Ana" in html
    assert not SafetyPlanVersion.objects.exists()


def test_an_edit_from_a_stale_page_is_refused_with_the_text_kept(
    world: World, client_for: Any
) -> None:
    saved(world)  # someone saved version 1 after the form was opened at version 0
    response = client_for(world.therapist).post(
        reverse("safety:patient_edit", kwargs={"patient_id": world.patient_record.public_id}),
        form_data(coping="The therapist's words"),
    )

    assert response.status_code == 200
    assert "changed (version 1)" in response.content.decode()
    assert "The therapist&#x27;s words" in response.content.decode()
    assert SafetyPlanVersion.objects.count() == 1


def test_the_clinician_edits_but_what_supporters_see_stays_the_patients_choice(
    world: World, client_for: Any
) -> None:
    saved(world, shared_sections=frozenset({"reasons"}))
    url = reverse("safety:patient_edit", kwargs={"patient_id": world.patient_record.public_id})
    page = client_for(world.therapist).get(url).content.decode()
    assert "shared_sections" not in page

    client_for(world.therapist).post(url, form_data(based_on="1", shared_sections="coping"))

    version = current_version(world.patient_record)
    assert version is not None and version.number == 2
    assert version.saved_by == world.therapist
    assert version.shared == {"reasons"}


def test_supporter_sees_only_the_shared_sections(world: World, client_for: Any) -> None:
    saved(world, shared_sections=frozenset({"reasons", "coping"}))
    url = reverse("safety:shared_plan", kwargs={"patient_id": world.patient_record.public_id})

    html = client_for(world.supporter).get(url).content.decode()

    assert "My cat, Pip" in html and "Cold shower" in html
    assert "I stop answering messages" not in html
    assert "My sister Ana" not in html
    assert "emergency number" in html


def test_clinician_reads_the_plan_and_an_older_version_and_each_read_is_logged(
    world: World, client_for: Any
) -> None:
    saved(world)
    saved(world, {**PLAN, "coping": ["Swim"]})
    url = reverse("safety:patient_plan", kwargs={"patient_id": world.patient_record.public_id})
    client: Client = client_for(world.therapist)

    current = client.get(url).content.decode()
    older = client.get(url, {"version": "1"}).content.decode()

    assert "Swim" in current and "Walk to the canal" not in current
    assert "Walk to the canal" in older and "You are reading version 1" in older
    logged = AccessLog.objects.filter(resource="safety.view_plan", actor=world.therapist)
    assert logged.count() == 2
    assert client.get(url, {"version": "9"}).status_code == 404
    assert client.get(url, {"version": "x"}).status_code == 404


def test_the_plan_is_one_tap_from_patient_pages_and_the_crisis_page(
    world: World, client_for: Any
) -> None:
    client: Client = client_for(world.patient)
    plan_url = reverse("safety:plan")

    for name in ("diary:today", "care:me", "crisis"):
        html = client.get(reverse(name)).content.decode()
        assert f'href="{plan_url}"' in html, name
    staff_page = client_for(world.therapist).get(reverse("care:caseload")).content.decode()
    assert 'data-testid="safety-plan-link"' not in staff_page


def test_the_service_worker_keeps_the_plan_for_offline_use(client: Client) -> None:
    source = client.get(reverse("service_worker")).content.decode()
    assert f'"{reverse("safety:plan")}"' in source


# --- API --------------------------------------------------------------------------------------


def test_api_saves_once_per_key_and_reports_a_stale_version(world: World) -> None:
    api = ApiClient(world.patient, HTTP_IDEMPOTENCY_KEY="plan-1")
    body = {"based_on": 0, **PLAN, "shared_sections": ["reasons"]}

    first = api.put("/safety/plan", body)
    replay = api.put("/safety/plan", body)
    stale = ApiClient(world.patient).put("/safety/plan", {"based_on": 0, "coping": ["x"]})

    assert first.status_code == 200, first.content
    assert replay["Idempotent-Replayed"] == "true"
    assert first.json()["version"] == 1
    assert first.json()["help"] == [PLAN["help"][0]]
    assert first.json()["shared_sections"] == ["reasons"]
    assert SafetyPlanVersion.objects.count() == 1
    assert "based_on" in api_error(stale, 400)["fields"]


def test_api_names_the_bad_field(world: World) -> None:
    response = ApiClient(world.therapist).put(
        f"/patients/{world.patient_record.public_id}/safety-plan",
        {"based_on": 0, "help": [{"name": "Ana", "phone": "ring her"}]},
    )

    assert "help.0.phone" in api_error(response, 400)["fields"]
    assert not SafetyPlanVersion.objects.exists()


def test_api_lists_versions_for_the_care_team(world: World) -> None:
    saved(world)
    saved(world, {**PLAN, "coping": ["Swim"]})

    response = ApiClient(world.therapist).get(
        f"/patients/{world.patient_record.public_id}/safety-plan/versions"
    )

    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["version"] for item in items] == [2, 1]
    assert items[0]["saved_by"] == world.patient.full_name

"""API lists are paginated: ``page``, ``page_size`` (capped), ``count`` and ``items``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings

from accounts.models import Role
from care.models import CareTeamMember, Patient, TeamRole
from core.testing.api import ApiClient, api_error
from core.testing.factories import make_patient_with_login, make_supporter_link, make_user
from core.testing.personas import World

pytestmark = pytest.mark.django_db


def add_patients(world: World, count: int, *, on_team: bool = False) -> list[Patient]:
    """``count`` patients of the organisation, made in bulk (no change log needed here)."""
    patients = Patient.objects.bulk_create(
        Patient(
            organisation=world.organisation,
            given_name=f"Bulk{index:04d}",
            family_name="Paged",
        )
        for index in range(count)
    )
    if on_team:
        CareTeamMember.objects.bulk_create(
            CareTeamMember(patient=patient, member=world.therapist, team_role=TeamRole.PRESCRIBER)
            for patient in patients
        )
    return patients


def ids(response: Any) -> list[str]:
    return [item["public_id"] for item in response.json()["items"]]


def test_pages_cover_the_list_once_in_order(world: World) -> None:
    # Given 11 patients on the therapist's caseload (10 added, plus the world's patient)
    add_patients(world, 10, on_team=True)
    api = ApiClient(world.therapist)

    # When the caseload is read four at a time
    pages = [api.get("/caseload", {"page": page, "page_size": 4}) for page in (1, 2, 3, 4)]

    # Then each page has the total, and together the pages are the whole list, once
    assert [response.json()["count"] for response in pages] == [11, 11, 11, 11]
    assert [len(ids(response)) for response in pages] == [4, 4, 3, 0]
    everything = ids(api.get("/caseload", {"page_size": 50}))
    assert [item for response in pages for item in ids(response)] == everything
    assert len(set(everything)) == 11


def test_default_page_size(world: World) -> None:
    add_patients(world, settings.NINJA_PAGINATION_PER_PAGE + 5)

    body = ApiClient(world.admin).get("/patients").json()

    assert len(body["items"]) == settings.NINJA_PAGINATION_PER_PAGE
    assert body["count"] == settings.NINJA_PAGINATION_PER_PAGE + 5 + 2


def test_page_size_is_capped_at_the_setting(world: World) -> None:
    cap = settings.NINJA_PAGINATION_MAX_PER_PAGE_SIZE
    add_patients(world, cap + 3)

    body = ApiClient(world.admin).get("/patients", {"page_size": cap * 10}).json()

    assert len(body["items"]) == cap
    assert body["count"] == cap + 3 + 2


@pytest.mark.parametrize("params", [{"page": 0}, {"page": -1}, {"page_size": 0}, {"page": "x"}])
def test_invalid_paging_is_a_field_error(world: World, params: dict[str, Any]) -> None:
    response = ApiClient(world.therapist).get("/caseload", params)

    assert set(api_error(response, 422)["fields"]) == set(params)


def add_caseload(world: World, count: int) -> None:
    add_patients(world, count, on_team=True)


def add_directory(world: World, count: int) -> None:
    add_patients(world, count)


def add_supporters(world: World, count: int) -> None:
    for _ in range(count):
        make_supporter_link(world.patient_record, make_user(Role.SUPPORTER, world.organisation))


def add_supported(world: World, count: int) -> None:
    for _ in range(count):
        make_supporter_link(make_patient_with_login(world.organisation), world.supporter)


LISTS: dict[str, tuple[str, str, Callable[[World, int], None]]] = {
    "caseload": ("therapist", "/caseload", add_caseload),
    "list_patients": ("admin", "/patients", add_directory),
    "list_my_supporters": ("patient", "/me/supporters", add_supporters),
    "shared_with_me": ("supporter", "/shared", add_supported),
}


@pytest.mark.parametrize("name", LISTS)
def test_every_list_endpoint_is_paginated(world: World, name: str) -> None:
    persona, path, add = LISTS[name]
    add(world, 3)
    api = ApiClient(getattr(world, persona))

    whole = api.get(path).json()
    first = api.get(path, {"page_size": 2}).json()
    second = api.get(path, {"page": 2, "page_size": 2}).json()

    assert set(whole) == {"items", "count"}
    assert whole["count"] == len(whole["items"]) >= 4
    assert len(first["items"]) == 2
    assert first["count"] == second["count"] == whole["count"]
    assert first["items"] + second["items"] == whole["items"][:4]

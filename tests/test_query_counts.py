"""List pages and API lists run a fixed number of queries, however many patients there are.

Each case is measured with 3 and with 15 patients on the list; both must run exactly
the pinned number of queries. A change that adds a query per patient (an N+1) fails
with 15; a change that adds a fixed query fails the pin, which is then updated on purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from care.models import TeamRole
from core.testing.api import ApiClient
from core.testing.factories import (
    make_patient,
    make_patient_with_login,
    make_team_place,
    make_user,
)
from core.testing.personas import World, log_in

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Case:
    persona: str
    url: str
    api: bool
    queries: int


CASES = {
    # Paginated pages add one COUNT query.
    # The dashboard's caseload: patients, open alerts, the daily table, latest scores.
    "caseload page": Case("therapist", "care:caseload", api=False, queries=7),
    "facilitation page": Case("facilitator", "care:facilitation", api=False, queries=5),
    "patient list page": Case("admin", "care:patient_list", api=False, queries=6),
    "caseload API": Case("therapist", "/caseload", api=True, queries=4),
    "caseload dashboard API": Case("therapist", "/dashboard/caseload", api=True, queries=5),
    "patient list API": Case("admin", "/patients", api=True, queries=4),
}


def add_patients(world: World, count: int) -> None:
    """``count`` patients with varied teams and accounts, on the therapist's caseload."""
    colleague = make_user(Role.CLINICIAN, world.organisation)
    for index in range(count):
        if index % 2:
            patient = make_patient_with_login(world.organisation)
        else:
            patient = make_patient(world.organisation, user=None)
        make_team_place(patient, world.therapist, TeamRole.PRIMARY_THERAPIST)
        make_team_place(patient, world.facilitator, TeamRole.SKILLS_TRAINER)
        if index % 3 == 0:
            make_team_place(patient, colleague, TeamRole.PRESCRIBER)


def fetch(world: World, case: Case) -> Callable[[], Any]:
    user = getattr(world, case.persona)
    if case.api:
        api = ApiClient(user)
        return lambda: api.get(case.url, {"page_size": 100})
    client = log_in(Client(), user)
    return lambda: client.get(reverse(case.url))


def count_queries(request: Callable[[], Any]) -> tuple[int, list[str]]:
    request()  # warm up: first-request work (session touch, token last-used) is not the list
    with CaptureQueriesContext(connection) as context:
        response = request()
    assert response.status_code == 200
    return len(context.captured_queries), [query["sql"] for query in context.captured_queries]


def rows_shown(response: Any, case: Case) -> int:
    if case.api:
        return len(response.json()["items"])
    context = response.context
    return len(context["page_obj"] if "page_obj" in context else context["rows"])


@pytest.mark.parametrize("name", CASES)
def test_query_count_does_not_grow_with_patients(world: World, name: str) -> None:
    case = CASES[name]
    request = fetch(world, case)

    # Given 3 patients on the list (1 from the world, 2 added)
    add_patients(world, 2)
    small, _ = count_queries(request)
    small_rows = rows_shown(request(), case)

    # When there are 15
    add_patients(world, 12)
    large, sql = count_queries(request)
    large_rows = rows_shown(request(), case)

    # Then the list grew and the number of queries did not
    assert large_rows - small_rows == 12
    assert small == large, f"{name}: {small} queries for 3 patients, {large} for 15"
    assert large == case.queries, f"{name}: pinned {case.queries}, ran {large}:\n" + "\n".join(sql)

"""The audit trail page: one organisation's reads, changes and break-glass grants, filtered."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Role
from audit.models import AccessLog
from care import actions
from care.models import Patient
from core.pagination import PAGE_SIZE
from core.testing.factories import make_patient, make_team_place, make_user
from core.testing.personas import World

pytestmark = pytest.mark.django_db

DAY_1 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
DAY_2 = datetime(2026, 1, 6, 10, 0, tzinfo=UTC)
DAY_3 = datetime(2026, 1, 7, 10, 0, tzinfo=UTC)


def read(actor: Any, patient: Patient | None) -> AccessLog:
    return AccessLog.objects.create(
        actor=actor,
        actor_email=actor.email,
        actor_role=actor.role,
        patient=patient,
        resource="care.view_patient",
        object_id=str(patient.public_id) if patient else "",
        channel="web",
        ip_address="127.0.0.1",
    )


def trail(client: Any, **params: Any) -> Any:
    response = client.get(reverse("audit:trail"), params)
    assert response.status_code == 200
    return response


def rows(response: Any) -> list[Any]:
    return list(response.context["page_obj"].object_list)


@pytest.fixture
def foreign(world: World) -> dict[str, Any]:
    """Another organisation's patient, clinician, a read, a change and a grant."""
    clinician = make_user(Role.CLINICIAN, world.other_organisation, email="far@elsewhere.org")
    patient = actions.create_patient(
        world.foreign_admin,
        organisation=world.other_organisation,
        given_name="Faye",
        family_name="Faraway",
    )
    make_team_place(patient, clinician)
    grant = actions.break_glass(world.foreign_admin, patient, reason="A reason long enough here")
    return {"patient": patient, "read": read(clinician, patient), "grant": grant}


def test_admin_sees_only_their_organisations_rows(
    world: World, client_for: Any, foreign: dict[str, Any]
) -> None:
    # Given a read, a change and a grant in each organisation
    own_read = read(world.therapist, world.patient_record)
    own_patient = actions.create_patient(
        world.admin, organisation=world.organisation, given_name="Olga", family_name="Own"
    )
    own_grant = actions.break_glass(world.admin, world.patient_record, reason="x" * 20)
    client = client_for(world.admin)

    # When the admin opens each tab
    reads = rows(trail(client, tab="access"))
    changes = rows(trail(client, tab="changes"))
    grants = rows(trail(client, tab="break-glass"))

    # Then they see their organisation's rows and nothing of the other's
    assert reads == [own_read]
    assert {entry.object_repr for entry in changes} >= {str(own_patient)}
    assert all(entry.actor.organisation_id == world.organisation.pk for entry in changes)
    assert str(foreign["patient"]) not in {entry.object_repr for entry in changes}
    assert grants == [own_grant]


def test_foreign_admin_sees_only_theirs(
    world: World, client_for: Any, foreign: dict[str, Any]
) -> None:
    read(world.therapist, world.patient_record)
    client = client_for(world.foreign_admin)

    assert rows(trail(client)) == [foreign["read"]]
    assert rows(trail(client, tab="break-glass")) == [foreign["grant"]]
    changes = rows(trail(client, tab="changes"))
    assert changes and all(entry.actor == world.foreign_admin for entry in changes)


def test_filter_by_actor_and_patient(world: World, client_for: Any) -> None:
    by_therapist = read(world.therapist, world.patient_record)
    by_facilitator = read(world.facilitator, world.patient_record)
    other = read(world.outsider_clinician, world.other_patient_record)
    client = client_for(world.admin)

    assert rows(trail(client, actor=world.therapist.email.upper())) == [by_therapist]
    assert set(rows(trail(client, patient="ient"))) == {by_therapist, by_facilitator}
    assert rows(trail(client, patient="Olive")) == [other]
    assert rows(trail(client, actor=world.facilitator.email, patient="Other")) == []


def test_filter_changes_and_grants_by_actor_and_patient(world: World, client_for: Any) -> None:
    actions.update_sharing(world.patient, world.supporter_link, scopes=[])
    actions.break_glass(world.admin, world.other_patient_record, reason="x" * 20)
    client = client_for(world.admin)

    changes = rows(trail(client, tab="changes", actor=world.patient.email))
    grants = rows(trail(client, tab="break-glass", patient="Olive"))
    none = rows(trail(client, tab="break-glass", patient="Ient"))

    assert changes and {entry.actor for entry in changes} == {world.patient}
    assert [grant.patient for grant in grants] == [world.other_patient_record]
    assert none == []


def test_filter_by_date(world: World, client_for: Any) -> None:
    made = {}
    for day in (DAY_1, DAY_2, DAY_3):
        with time_machine.travel(day, tick=False):
            made[day] = read(world.therapist, world.patient_record)
    client = client_for(world.admin)

    assert rows(trail(client, since="2026-01-06")) == [made[DAY_3], made[DAY_2]]
    assert rows(trail(client, until="2026-01-05")) == [made[DAY_1]]
    assert rows(trail(client, since="2026-01-06", until="2026-01-06")) == [made[DAY_2]]


def test_dates_are_the_admins_local_dates(world: World, client_for: Any) -> None:
    # Given a read at 23:30 UTC, which is already the next day in Auckland
    with time_machine.travel(datetime(2026, 1, 5, 23, 30, tzinfo=UTC), tick=False):
        late = read(world.therapist, world.patient_record)
    world.admin.time_zone = "Pacific/Auckland"
    world.admin.save(update_fields=["time_zone"])

    response = trail(client_for(world.admin), since="2026-01-06", until="2026-01-06")

    assert rows(response) == [late]


def test_invalid_filter_shows_everything_with_the_error(world: World, client_for: Any) -> None:
    row = read(world.therapist, world.patient_record)

    response = trail(client_for(world.admin), since="not a date")

    assert rows(response) == [row]
    assert "since" in response.context["form"].errors


def test_pagination_keeps_filters(world: World, client_for: Any) -> None:
    # Given more reads than fit on a page, and a few that the filter excludes
    patient = make_patient(world.organisation, family_name="Paginated")
    made = [read(world.therapist, patient) for _ in range(PAGE_SIZE + 7)]
    read(world.therapist, world.patient_record)
    client = client_for(world.admin)

    # When the admin pages through the filtered list
    first = trail(client, patient="Paginated")
    second = trail(client, patient="Paginated", page=2)
    beyond = trail(client, patient="Paginated", page=99)

    # Then every matching row appears exactly once, newest first
    assert first.context["page_obj"].paginator.count == PAGE_SIZE + 7
    assert len(rows(first)) == PAGE_SIZE
    assert len(rows(second)) == 7
    assert rows(first) + rows(second) == sorted(made, key=lambda r: (r.created_at, r.id))[::-1]
    assert rows(beyond) == rows(second)
    # And the links to other pages carry the filter but not the page
    assert "patient=Paginated" in second.context["query_string"]
    assert "page=" not in second.context["query_string"]


def test_break_glass_rows_count_the_reads_made_under_them(world: World, client_for: Any) -> None:
    # Given an admin who breaks glass and then opens the record twice
    admin = client_for(world.admin)
    admin.post(
        reverse("care:break_glass", args=[world.patient_record.public_id]),
        {"reason": "Urgent: the care team cannot be reached tonight"},
    )
    detail = reverse("care:patient_detail", args=[world.patient_record.public_id])
    admin.get(detail)
    admin.get(detail)
    # And a clinician's own read, which is not under the grant
    client_for(world.therapist).get(detail)

    [grant] = rows(trail(admin, tab="break-glass"))

    assert grant.user == world.admin
    assert grant.read_count == 2

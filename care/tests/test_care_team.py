"""Adding people to a patient's care team and removing them, on the page and through the API."""

from __future__ import annotations

from typing import Any

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from accounts.models import Role
from care.models import CareTeamMember, TeamRole
from core.testing.api import ApiClient, api_error
from core.testing.factories import make_user
from core.testing.personas import World

pytestmark = pytest.mark.django_db


def manage_url(world: World) -> str:
    return reverse("care:patient_manage", args=[world.patient_record.public_id])


def team_url(world: World) -> str:
    return f"/patients/{world.patient_record.public_id}/care-team"


def current_places(world: World) -> set[tuple[int, str]]:
    return set(world.patient_record.care_team.current().values_list("member_id", "team_role"))


def log_entries(place: CareTeamMember) -> list[LogEntry]:
    return list(LogEntry.objects.get_for_object(place).order_by("timestamp", "id"))


# --- adding -----------------------------------------------------------------------------------


def test_admin_adds_clinician_on_page(world: World, client_for: Any) -> None:
    # Given a clinician of the organisation who cannot open the record yet
    outsider = client_for(world.outsider_clinician)
    detail = reverse("care:patient_detail", args=[world.patient_record.public_id])
    assert outsider.get(detail).status_code == 404

    # When an admin adds them as case manager
    response = client_for(world.admin).post(
        manage_url(world),
        {"member": str(world.outsider_clinician.public_id), "team_role": TeamRole.CASE_MANAGER},
    )

    # Then the place exists, is attributed, and opens the record on their next request
    assert response.status_code == 302
    place = world.patient_record.care_team.current().get(member=world.outsider_clinician)
    assert place.team_role == TeamRole.CASE_MANAGER
    assert place.added_by == world.admin
    [entry] = log_entries(place)
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == world.admin
    assert outsider.get(detail).status_code == 200


def test_clinician_who_manages_patients_adds_through_api(world: World) -> None:
    response = ApiClient(world.therapist).post(
        team_url(world),
        {"member_id": str(world.outsider_clinician.public_id), "team_role": "prescriber"},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["member_id"] == str(world.outsider_clinician.public_id)
    assert body["team_role"] == "prescriber"
    assert body["full_name"] == world.outsider_clinician.full_name
    place = CareTeamMember.objects.get(public_id=body["public_id"])
    assert place.patient == world.patient_record
    assert place.added_by == world.therapist
    [entry] = log_entries(place)
    assert entry.actor == world.therapist
    assert (
        ApiClient(world.outsider_clinician)
        .get(f"/patients/{world.patient_record.public_id}")
        .status_code
        == 200
    )


@pytest.mark.parametrize("team_role", [TeamRole.PRIMARY_THERAPIST, TeamRole.PRESCRIBER])
def test_facilitator_joins_only_as_skills_trainer(
    world: World, client_for: Any, team_role: str
) -> None:
    # Given a facilitator who is not on the team yet
    facilitator = make_user(Role.FACILITATOR, world.organisation)
    before = current_places(world)

    # When they are added in a clinical role, on the page and through the API
    page = client_for(world.admin).post(
        manage_url(world), {"member": str(facilitator.public_id), "team_role": team_role}
    )
    api = ApiClient(world.admin).post(
        team_url(world), {"member_id": str(facilitator.public_id), "team_role": team_role}
    )

    # Then both refuse beside the role, and nothing changed
    assert page.status_code == 200
    assert list(page.context["form"].errors) == ["team_role"]
    assert api_error(api, 400)["fields"].keys() == {"team_role"}
    assert current_places(world) == before

    # And as skills trainer they join
    ok = ApiClient(world.admin).post(
        team_url(world),
        {"member_id": str(facilitator.public_id), "team_role": TeamRole.SKILLS_TRAINER},
    )
    assert ok.status_code == 201


def test_clinician_of_another_organisation_is_refused(world: World, client_for: Any) -> None:
    foreign = make_user(Role.CLINICIAN, world.other_organisation)
    before = current_places(world)

    page = client_for(world.admin).post(
        manage_url(world),
        {"member": str(foreign.public_id), "team_role": TeamRole.PRIMARY_THERAPIST},
    )
    api = ApiClient(world.admin).post(
        team_url(world),
        {"member_id": str(foreign.public_id), "team_role": TeamRole.PRIMARY_THERAPIST},
    )

    assert page.status_code == 200
    assert list(page.context["form"].errors) == ["member"]
    assert api_error(api, 400)["fields"].keys() == {"member_id"}
    assert current_places(world) == before
    assert not CareTeamMember.objects.filter(member=foreign).exists()


@pytest.mark.parametrize("persona", ["researcher", "supporter", "admin", "patient"])
def test_people_who_are_not_clinical_staff_are_refused(
    world: World, client_for: Any, persona: str
) -> None:
    member = getattr(world, persona)
    before = current_places(world)

    page = client_for(world.admin).post(
        manage_url(world), {"member": str(member.public_id), "team_role": TeamRole.CASE_MANAGER}
    )
    api = ApiClient(world.admin).post(
        team_url(world), {"member_id": str(member.public_id), "team_role": TeamRole.CASE_MANAGER}
    )

    assert list(page.context["form"].errors) == ["member"]
    # The API names the input as its body does.
    assert api_error(api, 400)["fields"].keys() == {"member_id"}
    assert current_places(world) == before


def test_inactive_clinician_is_refused(world: World) -> None:
    former = make_user(Role.CLINICIAN, world.organisation, is_active=False)

    response = ApiClient(world.admin).post(
        team_url(world), {"member_id": str(former.public_id), "team_role": "prescriber"}
    )

    assert api_error(response, 400)["fields"].keys() == {"member_id"}
    assert not CareTeamMember.objects.filter(member=former).exists()


def test_same_role_twice_is_refused_but_another_role_is_not(world: World, client_for: Any) -> None:
    # Given the therapist, already primary therapist of the patient
    before = current_places(world)

    # When they are added as primary therapist again
    page = client_for(world.admin).post(
        manage_url(world),
        {"member": str(world.therapist.public_id), "team_role": TeamRole.PRIMARY_THERAPIST},
    )
    api = ApiClient(world.admin).post(
        team_url(world),
        {"member_id": str(world.therapist.public_id), "team_role": "primary_therapist"},
    )

    # Then both are refused and the team is as it was
    assert page.status_code == 200
    assert page.context["form"].errors
    assert api_error(api, 400)["fields"].keys() == {"member_id"}
    assert current_places(world) == before

    # And a second, different role for the same person is allowed
    other_role = ApiClient(world.admin).post(
        team_url(world), {"member_id": str(world.therapist.public_id), "team_role": "prescriber"}
    )
    assert other_role.status_code == 201
    assert (world.therapist.pk, TeamRole.PRESCRIBER) in current_places(world)


def test_unknown_team_role_is_a_field_error(world: World) -> None:
    response = ApiClient(world.admin).post(
        team_url(world),
        {"member_id": str(world.outsider_clinician.public_id), "team_role": "surgeon"},
    )

    assert api_error(response, 422)["fields"].keys() == {"team_role"}


# --- removing ---------------------------------------------------------------------------------


def test_removal_on_page_takes_effect_at_once(world: World, client_for: Any) -> None:
    # Given the therapist, who can open the record
    therapist = client_for(world.therapist)
    therapist_api = ApiClient(world.therapist)
    detail = reverse("care:patient_detail", args=[world.patient_record.public_id])
    assert therapist.get(detail).status_code == 200

    # When an admin removes them from the care team
    response = client_for(world.admin).post(
        reverse(
            "care:team_remove",
            args=[world.patient_record.public_id, world.team_place.public_id],
        )
    )

    # Then their very next request for the record is answered 404, on the page and the API
    assert response.status_code == 302
    assert therapist.get(detail).status_code == 404
    api_error(therapist_api.get(f"/patients/{world.patient_record.public_id}"), 404)
    caseload = therapist.get(reverse("care:caseload"))
    assert world.patient_record not in list(caseload.context["page_obj"])

    # And the place is ended (kept for the record), with the admin as the author
    world.team_place.refresh_from_db()
    assert world.team_place.ended_at is not None
    entry = log_entries(world.team_place)[-1]
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor == world.admin
    assert "ended_at" in entry.changes_dict


def test_removal_through_api_takes_effect_at_once(world: World, client_for: Any) -> None:
    facilitator_place = world.patient_record.care_team.current().get(member=world.facilitator)
    facilitator = client_for(world.facilitator)
    detail = reverse("care:patient_detail", args=[world.patient_record.public_id])
    assert facilitator.get(detail).status_code == 200

    response = ApiClient(world.therapist).delete(f"{team_url(world)}/{facilitator_place.public_id}")

    assert response.status_code == 204
    assert facilitator.get(detail).status_code == 404
    assert log_entries(facilitator_place)[-1].actor == world.therapist
    # Removing again: the place is no longer current, so it is not found.
    again = ApiClient(world.therapist).delete(f"{team_url(world)}/{facilitator_place.public_id}")
    api_error(again, 404)


def test_removed_clinician_can_be_added_back(world: World) -> None:
    api = ApiClient(world.admin)
    api.delete(f"{team_url(world)}/{world.team_place.public_id}")

    response = api.post(
        team_url(world),
        {"member_id": str(world.therapist.public_id), "team_role": "primary_therapist"},
    )

    assert response.status_code == 201
    assert world.patient_record.care_team.filter(member=world.therapist).count() == 2


def test_place_of_another_patient_cannot_be_removed_through_this_patient(
    world: World, client_for: Any
) -> None:
    # Given a place on the other patient's team (the admin manages both patients)
    other_place = world.other_patient_record.care_team.current().get()

    # When it is addressed under this patient's URL
    page = client_for(world.admin).post(
        reverse("care:team_remove", args=[world.patient_record.public_id, other_place.public_id])
    )
    api = ApiClient(world.admin).delete(f"{team_url(world)}/{other_place.public_id}")

    # Then it is not found, and the place is still current
    assert page.status_code == 404
    api_error(api, 404)
    other_place.refresh_from_db()
    assert other_place.ended_at is None

"""A clinic admin manages their organisation's staff: role, access, patient management."""

from __future__ import annotations

from typing import Any

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User
from accounts.tests.flows import ClientFor, post_login, signed_in_user
from core.testing.factories import make_totp_device, make_user
from core.testing.personas import World

STAFF_LIST = reverse("accounts:staff_list")
SELF_ERROR = "You cannot remove your own admin role or deactivate yourself."


def edit_url(user: User) -> str:
    return reverse("accounts:staff_edit", args=[user.public_id])


def edit(client: Client, user: User, **changes: Any) -> Any:
    """Submit the staff form for ``user`` with their current values, changed by ``changes``."""
    data: dict[str, Any] = {
        "full_name": user.full_name,
        "role": user.role,
        "is_active": user.is_active,
        "can_manage_patients": user.can_manage_patients,
        **changes,
    }
    form = {name: value for name, value in data.items() if value is not False}
    return client.post(edit_url(user), form)


def test_admin_changes_role_and_patient_management(world: World, client_for: ClientFor) -> None:
    response = edit(
        client_for(world.admin),
        world.outsider_clinician,
        full_name="Otto Renamed",
        can_manage_patients=True,
    )

    assert response["Location"] == STAFF_LIST
    otto = User.objects.get(pk=world.outsider_clinician.pk)
    assert (otto.full_name, otto.role, otto.can_manage_patients) == (
        "Otto Renamed",
        Role.CLINICIAN,
        True,
    )
    assert otto.has_perm("care.create_patient")


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.RESEARCHER, Role.ADMIN])
def test_patient_management_only_sticks_for_clinicians(
    world: World, client_for: ClientFor, role: str
) -> None:
    edit(client_for(world.admin), world.therapist, role=role, can_manage_patients=True)

    therapist = User.objects.get(pk=world.therapist.pk)
    assert therapist.role == role
    assert therapist.can_manage_patients is False


def test_role_change_takes_effect_on_the_next_request(world: World, client_for: ClientFor) -> None:
    therapist = client_for(world.therapist)
    assert therapist.get(reverse("care:caseload")).status_code == 200

    edit(client_for(world.admin), world.therapist, role=Role.RESEARCHER)

    assert therapist.get(reverse("care:caseload")).status_code == 403
    assert therapist.get(reverse("accounts:research_home")).status_code == 200


def test_deactivated_staff_are_signed_out_and_cannot_log_in(
    world: World, client_for: ClientFor
) -> None:
    # Given a therapist who is signed in
    therapist = client_for(world.therapist)

    # When their admin deactivates them
    response = edit(client_for(world.admin), world.therapist, is_active=False)
    assert response["Location"] == STAFF_LIST
    assert not User.objects.get(pk=world.therapist.pk).is_active

    # Then their session ends and their password no longer lets them in
    assert signed_in_user(therapist) is None
    assert therapist.get(reverse("care:caseload"))["Location"].startswith(reverse("accounts:login"))
    assert post_login(Client(), world.therapist.email).status_code == 200


def test_admin_reactivates_staff(world: World, client_for: ClientFor) -> None:
    User.objects.filter(pk=world.therapist.pk).update(is_active=False)
    world.therapist.refresh_from_db()

    edit(client_for(world.admin), world.therapist, is_active=True)

    assert post_login(Client(), world.therapist.email).status_code == 302


@pytest.mark.parametrize(
    "changes",
    [{"role": Role.CLINICIAN}, {"is_active": False}, {"role": Role.RESEARCHER, "is_active": False}],
    ids=["demote", "deactivate", "both"],
)
def test_admin_cannot_demote_or_deactivate_themselves(
    world: World, client_for: ClientFor, changes: dict[str, Any]
) -> None:
    response = edit(client_for(world.admin), world.admin, **changes)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [SELF_ERROR]
    admin = User.objects.get(pk=world.admin.pk)
    assert (admin.role, admin.is_active) == (Role.ADMIN, True)


def test_admin_may_rename_themselves(world: World, client_for: ClientFor) -> None:
    response = edit(client_for(world.admin), world.admin, full_name="Ada Renamed")

    assert response["Location"] == STAFF_LIST
    assert User.objects.get(pk=world.admin.pk).full_name == "Ada Renamed"


def test_staff_cannot_be_given_a_non_staff_role(world: World, client_for: ClientFor) -> None:
    response = edit(client_for(world.admin), world.therapist, role=Role.PATIENT)

    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert User.objects.get(pk=world.therapist.pk).role == Role.CLINICIAN


@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_of_another_organisation_are_not_found(
    world: World, client_for: ClientFor, method: str
) -> None:
    foreign_admin = client_for(world.foreign_admin)

    response = getattr(foreign_admin, method)(edit_url(world.therapist), {"role": Role.ADMIN})

    assert response.status_code == 404
    assert User.objects.get(pk=world.therapist.pk).role == Role.CLINICIAN


def test_foreign_admin_cannot_resend_an_invitation(world: World, client_for: ClientFor) -> None:
    url = reverse("accounts:staff_resend_invitation", args=[world.invited_user.public_id])

    assert client_for(world.foreign_admin).post(url).status_code == 404


@pytest.mark.parametrize("persona", ["patient", "supporter"])
def test_non_staff_accounts_are_not_found_on_staff_pages(
    world: World, client_for: ClientFor, persona: str
) -> None:
    user = world.user(persona)
    assert user is not None

    response = edit(client_for(world.admin), user, role=Role.ADMIN)

    assert response.status_code == 404
    assert User.objects.get(pk=user.pk).role == persona


def test_staff_list_shows_own_organisation_staff_only(world: World, client_for: ClientFor) -> None:
    response = client_for(world.admin).get(STAFF_LIST)

    listed = {row["user"] for row in response.context["rows"]}
    assert listed == {
        world.therapist,
        world.outsider_clinician,
        world.facilitator,
        world.researcher,
        world.admin,
        world.invited_user,
    }


def test_staff_list_query_count_does_not_grow_with_staff(
    world: World, client_for: ClientFor
) -> None:
    client = client_for(world.admin)
    client.get(STAFF_LIST)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(STAFF_LIST).status_code == 200
        return len(captured)

    before = queries()
    for _ in range(5):
        make_totp_device(make_user(Role.FACILITATOR, world.organisation))

    assert queries() == before


# --- change history -----------------------------------------------------------------------------


def test_changes_are_recorded_with_the_admin_as_actor(world: World, client_for: ClientFor) -> None:
    edit(client_for(world.admin), world.therapist, role=Role.FACILITATOR, is_active=False)

    entry = LogEntry.objects.get_for_object(world.therapist).latest("timestamp")
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor == world.admin
    assert entry.changes_dict["role"] == [Role.CLINICIAN, Role.FACILITATOR]
    assert entry.changes_dict["is_active"] == ["True", "False"]
    assert entry.changes_dict["can_manage_patients"] == ["True", "False"]


def test_refused_self_demotion_records_nothing(world: World, client_for: ClientFor) -> None:
    before = LogEntry.objects.get_for_object(world.admin).count()

    edit(client_for(world.admin), world.admin, role=Role.CLINICIAN)

    assert LogEntry.objects.get_for_object(world.admin).count() == before


def test_second_factor_reset_is_recorded_with_the_admin_as_actor(
    world: World, client_for: ClientFor
) -> None:
    device = make_totp_device(world.therapist)

    client_for(world.admin).post(
        reverse("accounts:staff_reset_2fa", args=[world.therapist.public_id])
    )

    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    entry = LogEntry.objects.get_for_object(device).get(action=LogEntry.Action.DELETE)
    assert entry.actor == world.admin

"""A patient invites supporters, chooses what to share with them, and can withdraw at once."""

from __future__ import annotations

from itertools import combinations
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role, User
from care import actions
from care.models import SharingScope, SupporterLink
from core.testing.api import ApiClient, api_error
from core.testing.personas import World

pytestmark = pytest.mark.django_db

NEW_EMAIL = "robin.supporter@example.org"
ALL_SUBSETS = [
    list(subset)
    for size in range(len(SharingScope.values) + 1)
    for subset in combinations(SharingScope.values, size)
]


def shared_scopes(user: User, world: World) -> set[str]:
    return {
        scope
        for scope in SharingScope.values
        if user.has_perm(f"care.view_shared_{scope}", world.patient_record)
    }


def shared_page(world: World) -> str:
    return reverse("care:shared_detail", args=[world.patient_record.public_id])


def shared_api(world: World) -> str:
    return f"/shared/{world.patient_record.public_id}"


# --- inviting ---------------------------------------------------------------------------------


def test_patient_invites_a_new_supporter_on_page(
    world: World, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # When the patient invites someone new and shares two things
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(world.patient).post(
            reverse("care:my_supporters"),
            {
                "full_name": "Robin Supporter",
                "email": NEW_EMAIL,
                "relationship": "sister",
                "scopes": [SharingScope.CARE_TEAM, SharingScope.SAFETY_PLAN],
            },
        )

    # Then a supporter account is invited and the link holds exactly those scopes
    assert response.status_code == 302
    supporter = User.objects.get(email=NEW_EMAIL)
    assert supporter.role == Role.SUPPORTER
    assert supporter.organisation == world.organisation
    assert supporter.is_invitation_pending
    link = SupporterLink.objects.current().get(supporter=supporter)
    assert link.patient == world.patient_record
    assert link.relationship == "sister"
    assert link.scopes == [SharingScope.SAFETY_PLAN, SharingScope.CARE_TEAM]
    assert len(callbacks) == 1
    assert [message.to for message in mail.outbox] == [[NEW_EMAIL]]
    assert shared_scopes(supporter, world) == {SharingScope.SAFETY_PLAN, SharingScope.CARE_TEAM}


def test_patient_invites_through_api(world: World) -> None:
    response = ApiClient(world.patient).post(
        "/me/supporters",
        {"full_name": "Robin Supporter", "email": NEW_EMAIL, "scopes": ["diary_summary"]},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["supporter_email"] == NEW_EMAIL
    assert body["scopes"] == ["diary_summary"]
    supporter = User.objects.get(email=NEW_EMAIL)
    assert shared_scopes(supporter, world) == {SharingScope.DIARY_SUMMARY}


def test_existing_supporter_account_is_linked_without_a_new_account(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # Given the supporter of one patient
    users_before = User.objects.count()

    # When another patient invites them
    with django_capture_on_commit_callbacks(execute=True):
        response = ApiClient(world.other_patient).post(
            "/me/supporters",
            {"full_name": "Sue", "email": world.supporter.email.upper(), "scopes": ["safety_plan"]},
        )

    # Then they support both, each with that patient's own choices
    assert response.status_code == 201, response.content
    assert User.objects.count() == users_before
    link = SupporterLink.objects.current().get(patient=world.other_patient_record)
    assert link.supporter == world.supporter
    assert link.scopes == ["safety_plan"]
    assert world.supporter.has_perm("care.view_shared_safety_plan", world.other_patient_record)
    assert not world.supporter.has_perm("care.view_shared_care_team", world.other_patient_record)
    # and they are told, not linked silently (with nothing clinical in the e-mail)
    [message] = mail.outbox
    assert message.to == [world.supporter.email]
    assert world.other_patient_record.display_name in message.subject
    assert "/shared/" in message.body


@pytest.mark.parametrize("persona", ["therapist", "admin", "other_patient", "researcher"])
def test_address_of_an_account_that_cannot_support_is_refused(
    world: World, client_for: Any, persona: str
) -> None:
    email = getattr(world, persona).email
    links_before = SupporterLink.objects.count()

    page = client_for(world.patient).post(
        reverse("care:my_supporters"), {"full_name": "Someone", "email": email, "scopes": []}
    )
    api = ApiClient(world.patient).post("/me/supporters", {"full_name": "Someone", "email": email})

    assert page.status_code == 200
    assert list(page.context["form"].errors) == ["email"]
    assert api_error(api, 400)["fields"].keys() == {"email"}
    assert SupporterLink.objects.count() == links_before


def test_own_address_and_current_supporter_are_refused(world: World) -> None:
    api = ApiClient(world.patient)

    own = api.post("/me/supporters", {"full_name": "Me", "email": world.patient.email})
    twice = api.post("/me/supporters", {"full_name": "Sue", "email": world.supporter.email})

    assert api_error(own, 400)["fields"].keys() == {"email"}
    assert api_error(twice, 400)["fields"].keys() == {"email"}
    assert (
        world.patient_record.supporter_links.current().filter(supporter=world.supporter).count()
        == 1
    )


def test_unknown_scope_is_a_field_error(world: World) -> None:
    response = ApiClient(world.patient).post(
        "/me/supporters", {"full_name": "Robin", "email": NEW_EMAIL, "scopes": ["diagnosis"]}
    )

    fields = api_error(response, 422)["fields"]
    assert fields and all(name.startswith("scopes") for name in fields)
    assert not User.objects.filter(email=NEW_EMAIL).exists()


# --- what the supporter may see ----------------------------------------------------------------


@pytest.mark.parametrize("scopes", ALL_SUBSETS, ids=lambda s: "+".join(s) or "nothing")
def test_permissions_follow_the_shared_scopes(world: World, scopes: list[str]) -> None:
    actions.update_sharing(world.patient, world.supporter_link, scopes=scopes)

    assert shared_scopes(world.supporter, world) == set(scopes)
    # Only for this patient; and a withdrawn link shares nothing, whatever it held.
    assert not any(
        world.supporter.has_perm(f"care.view_shared_{scope}", world.other_patient_record)
        for scope in SharingScope.values
    )
    assert shared_scopes(world.supporter_without_consent, world) == set()
    # Nobody but a supporter holds these permissions.
    assert shared_scopes(world.therapist, world) == set()
    assert shared_scopes(world.patient, world) == set()


def test_care_team_is_shown_only_with_the_care_team_scope(world: World, client_for: Any) -> None:
    supporter = client_for(world.supporter)

    # Given everything but the care team is shared
    others = [scope for scope in SharingScope.values if scope != SharingScope.CARE_TEAM]
    actions.update_sharing(world.patient, world.supporter_link, scopes=others)
    without = supporter.get(shared_page(world))

    # When the patient adds the care team
    actions.update_sharing(world.patient, world.supporter_link, scopes=[SharingScope.CARE_TEAM])
    with_team = supporter.get(shared_page(world))

    assert without.status_code == 200
    assert without.context["team"] is None
    assert world.therapist.full_name not in without.content.decode()
    assert with_team.status_code == 200
    assert {place.member for place in with_team.context["team"]} == {
        world.therapist,
        world.facilitator,
    }
    assert world.therapist.full_name in with_team.content.decode()


def test_supporter_never_gets_the_clinical_record(world: World, client_for: Any) -> None:
    detail = reverse("care:patient_detail", args=[world.patient_record.public_id])

    assert client_for(world.supporter).get(detail).status_code == 404
    api_error(ApiClient(world.supporter).get(f"/patients/{world.patient_record.public_id}"), 404)


# --- changing and withdrawing -------------------------------------------------------------------


def test_updating_sharing_on_page_applies_to_the_next_request(
    world: World, client_for: Any
) -> None:
    supporter_api = ApiClient(world.supporter)
    assert set(supporter_api.get(shared_api(world)).json()["scopes"]) == set(SharingScope.values)

    response = client_for(world.patient).post(
        reverse("care:supporter_sharing", args=[world.supporter_link.public_id]),
        {"scopes": [SharingScope.DIARY_SUMMARY]},
    )

    assert response.status_code == 302
    assert supporter_api.get(shared_api(world)).json()["scopes"] == ["diary_summary"]
    assert shared_scopes(world.supporter, world) == {SharingScope.DIARY_SUMMARY}
    page = client_for(world.supporter).get(shared_page(world))
    assert page.context["team"] is None


def test_updating_sharing_through_api_applies_to_the_next_request(
    world: World, client_for: Any
) -> None:
    supporter = client_for(world.supporter)
    actions.update_sharing(world.patient, world.supporter_link, scopes=[])
    assert supporter.get(shared_page(world)).context["team"] is None

    response = ApiClient(world.patient).put(
        f"/me/supporters/{world.supporter_link.public_id}/sharing", {"scopes": ["care_team"]}
    )

    assert response.status_code == 200, response.content
    assert response.json()["scopes"] == ["care_team"]
    assert supporter.get(shared_page(world)).context["team"]


def test_withdrawal_on_page_takes_effect_at_once(world: World, client_for: Any) -> None:
    # Given a supporter who can see what the patient shares
    supporter = client_for(world.supporter)
    supporter_api = ApiClient(world.supporter)
    assert supporter.get(shared_page(world)).status_code == 200
    assert supporter_api.get(shared_api(world)).status_code == 200

    # When the patient withdraws their consent
    response = client_for(world.patient).post(
        reverse("care:supporter_withdraw", args=[world.supporter_link.public_id])
    )

    # Then the supporter's next requests find nothing, on the page and in the API
    assert response.status_code == 302
    assert supporter.get(shared_page(world)).status_code == 404
    api_error(supporter_api.get(shared_api(world)), 404)
    assert supporter_api.get("/shared").json()["items"] == []
    assert list(supporter.get(reverse("care:shared_list")).context["links"]) == []
    assert shared_scopes(world.supporter, world) == set()
    world.supporter_link.refresh_from_db()
    assert world.supporter_link.withdrawn_at is not None


def test_withdrawal_through_api_takes_effect_at_once(world: World, client_for: Any) -> None:
    supporter = client_for(world.supporter)
    assert supporter.get(shared_page(world)).status_code == 200

    response = ApiClient(world.patient).delete(f"/me/supporters/{world.supporter_link.public_id}")

    assert response.status_code == 204
    assert supporter.get(shared_page(world)).status_code == 404
    api_error(ApiClient(world.supporter).get(shared_api(world)), 404)
    # The withdrawn link can no longer be changed either.
    stale = ApiClient(world.patient).put(
        f"/me/supporters/{world.supporter_link.public_id}/sharing", {"scopes": ["care_team"]}
    )
    api_error(stale, 404)


def test_withdrawn_supporter_can_be_invited_again_with_fresh_choices(world: World) -> None:
    response = ApiClient(world.patient).post(
        "/me/supporters",
        {
            "full_name": "Walt",
            "email": world.supporter_without_consent.email,
            "scopes": ["safety_plan"],
        },
    )

    assert response.status_code == 201, response.content
    assert shared_scopes(world.supporter_without_consent, world) == {SharingScope.SAFETY_PLAN}


def test_patient_cannot_change_someone_elses_link(world: World, client_for: Any) -> None:
    response = client_for(world.other_patient).post(
        reverse("care:supporter_withdraw", args=[world.supporter_link.public_id])
    )
    api = ApiClient(world.other_patient).put(
        f"/me/supporters/{world.supporter_link.public_id}/sharing", {"scopes": []}
    )

    assert response.status_code == 404
    api_error(api, 404)
    world.supporter_link.refresh_from_db()
    assert world.supporter_link.withdrawn_at is None
    assert world.supporter_link.scopes == list(SharingScope.values)


def test_supporter_page_shows_the_crisis_numbers(world: World, client_for: Any) -> None:
    response = client_for(world.supporter).get(shared_page(world))

    assert response.status_code == 200
    assert response.context["crisis"].emergency_number == world.organisation.emergency_number
    assert 'href="tel:112"' in response.content.decode()

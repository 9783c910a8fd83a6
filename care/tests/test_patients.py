"""Creating a patient, on the page and through the API, with and without an invitation."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Role, User
from care.models import Patient
from core.testing.api import ApiClient, api_error
from core.testing.factories import make_patient
from core.testing.personas import World

pytestmark = pytest.mark.django_db

NEW_EMAIL = "new.patient@example.org"


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "given_name": "Nova",
        "family_name": "Newcomer",
        "preferred_name": "",
        "date_of_birth": "1990-05-17",
        "record_number": "NS-100",
        "email": "",
        "time_zone": "Europe/London",
    }
    data.update(overrides)
    return data


def api_payload(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"given_name": "Nova", "family_name": "Newcomer"}
    data.update(overrides)
    return data


def invitation_link_prefix(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("accounts:accept_invitation", kwargs={"uidb64": uid, "token": "t"})
    return settings.SITE_URL + path.removesuffix("t/")


# --- the page ------------------------------------------------------------------------------


def test_page_creates_patient_without_invitation(
    world: World, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin).post(reverse("care:patient_new"), form_data())

    patient = Patient.objects.get(record_number="NS-100")
    assert response.status_code == 302
    assert response["Location"] == reverse("care:patient_manage", args=[patient.public_id])
    assert patient.organisation == world.organisation
    assert patient.created_by == world.admin
    assert patient.time_zone == "Europe/London"
    assert str(patient.date_of_birth) == "1990-05-17"
    assert patient.user is None
    assert mail.outbox == []


def test_page_creates_patient_and_sends_invitation_after_commit(
    world: World, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Given an admin who adds a patient and ticks "send an invitation"
    client = client_for(world.admin)
    data = form_data(email="  New.Patient@Example.org ", invite="on")

    # When the request runs, the e-mail waits for the commit
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("care:patient_new"), data)
    assert response.status_code == 302
    assert mail.outbox == [], "the invitation must not be sent before the data is committed"
    assert len(callbacks) == 1

    # Then, once committed, the invitation goes to the new patient's (normalised) address
    callbacks[0]()
    patient = Patient.objects.select_related("user").get(record_number="NS-100")
    user = patient.user
    assert user is not None
    assert user.email == NEW_EMAIL == patient.email
    assert user.role == Role.PATIENT
    assert user.organisation == world.organisation
    assert user.is_invitation_pending
    assert user.time_zone == "Europe/London"
    assert [message.to for message in mail.outbox] == [[NEW_EMAIL]]
    assert invitation_link_prefix(user) in mail.outbox[0].body


def test_page_refuses_invitation_without_email(world: World, client_for: Any) -> None:
    response = client_for(world.admin).post(reverse("care:patient_new"), form_data(invite="on"))

    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not Patient.objects.filter(record_number="NS-100").exists()


def test_clinician_who_manages_patients_creates_in_own_organisation(
    world: World, client_for: Any
) -> None:
    response = client_for(world.therapist).post(reverse("care:patient_new"), form_data())

    assert response.status_code == 302
    patient = Patient.objects.get(record_number="NS-100")
    assert patient.organisation == world.organisation
    assert patient.created_by == world.therapist


# --- the API --------------------------------------------------------------------------------


def test_api_creates_patient_without_invitation(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = ApiClient(world.admin).post("/patients", api_payload(record_number="NS-7"))

    assert response.status_code == 201, response.content
    body = response.json()
    patient = Patient.objects.get(public_id=body["public_id"])
    assert body["given_name"] == "Nova"
    assert body["record_number"] == "NS-7"
    assert body["care_team"] == []
    # Without a time zone, the organisation's applies.
    assert body["time_zone"] == world.organisation.time_zone == patient.time_zone
    assert patient.organisation == world.organisation
    assert patient.created_by == world.admin
    assert patient.user is None
    assert mail.outbox == []


def test_api_creates_patient_and_invites(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = ApiClient(world.therapist).post(
            "/patients", api_payload(email=NEW_EMAIL, invite=True)
        )

    assert response.status_code == 201, response.content
    patient = Patient.objects.select_related("user").get(public_id=response.json()["public_id"])
    assert patient.user is not None
    assert patient.user.email == NEW_EMAIL
    assert patient.user.role == Role.PATIENT
    assert patient.user.is_invitation_pending
    assert len(callbacks) == 1
    assert [message.to for message in mail.outbox] == [[NEW_EMAIL]]
    assert invitation_link_prefix(patient.user) in mail.outbox[0].body


# --- record numbers ---------------------------------------------------------------------------


def test_record_number_taken_in_organisation_is_a_field_error_on_page(
    world: World, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Given a patient of the organisation with record number NS-100
    make_patient(world.organisation, record_number="NS-100")
    patients_before = Patient.objects.count()

    # When an admin adds another patient with that number and asks to invite them
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin).post(
            reverse("care:patient_new"), form_data(email=NEW_EMAIL, invite="on")
        )

    # Then the form shows the error beside the record number, and nothing was written
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["record_number"]
    assert "Constraint" not in errors["record_number"][0]
    assert Patient.objects.count() == patients_before
    assert not User.objects.filter(email=NEW_EMAIL).exists()
    assert mail.outbox == []


def test_record_number_taken_is_a_field_error_in_api(world: World) -> None:
    make_patient(world.organisation, record_number="NS-7")
    patients_before = Patient.objects.count()

    response = ApiClient(world.admin).post(
        "/patients", api_payload(record_number=" NS-7 ", email=NEW_EMAIL, invite=True)
    )

    error = api_error(response, 400)
    assert list(error["fields"]) == ["record_number"]
    assert "Constraint" not in error["message"]
    assert Patient.objects.count() == patients_before
    assert not User.objects.filter(email=NEW_EMAIL).exists()


def test_record_number_may_repeat_across_organisations_and_be_blank(world: World) -> None:
    make_patient(world.other_organisation, record_number="NS-7")
    api = ApiClient(world.admin)

    responses = [
        api.post("/patients", api_payload(record_number="NS-7")),
        api.post("/patients", api_payload(record_number="")),
        api.post("/patients", api_payload(record_number="")),
    ]

    assert [response.status_code for response in responses] == [201, 201, 201]


# --- nothing half-written -----------------------------------------------------------------------


def test_failed_invitation_leaves_no_patient_on_page(
    world: World, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Given an e-mail address that already belongs to an account (the therapist's)
    patients_before = Patient.objects.count()
    users_before = User.objects.count()

    # When an admin adds a patient and invites them at that address
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin).post(
            reverse("care:patient_new"), form_data(email=world.therapist.email, invite="on")
        )

    # Then the form says why, and neither the patient nor an account was created
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["email"]
    assert Patient.objects.count() == patients_before
    assert User.objects.count() == users_before
    assert mail.outbox == []


def test_failed_invitation_leaves_no_patient_in_api(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    patients_before = Patient.objects.count()
    users_before = User.objects.count()
    api = ApiClient(world.admin)

    with django_capture_on_commit_callbacks(execute=True):
        taken = api.post("/patients", api_payload(email=world.patient.email, invite=True))
        missing = api.post("/patients", api_payload(invite=True))

    assert api_error(taken, 400)["fields"].keys() == {"email"}
    assert api_error(missing, 400)["fields"].keys() == {"email"}
    assert Patient.objects.count() == patients_before
    assert User.objects.count() == users_before
    assert mail.outbox == []


# --- validation -------------------------------------------------------------------------------


def test_api_validation_errors_name_each_field(world: World) -> None:
    api = ApiClient(world.admin)

    missing = api.post("/patients", {})
    invalid = api.post(
        "/patients",
        {
            "given_name": "",
            "family_name": "x" * 101,
            "email": "not an address",
            "date_of_birth": "17/05/1990",
        },
    )

    error = api_error(missing, 422)
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"given_name", "family_name"}
    error = api_error(invalid, 422)
    assert set(error["fields"]) == {"given_name", "family_name", "email", "date_of_birth"}
    assert not Patient.objects.filter(family_name__startswith="xxx").exists()


def test_api_refuses_unknown_time_zone_by_field(world: World) -> None:
    response = ApiClient(world.admin).post("/patients", api_payload(time_zone="Mars/Olympus"))

    assert api_error(response, 400)["fields"].keys() == {"time_zone"}
    assert not Patient.objects.filter(given_name="Nova").exists()


def test_longest_names_still_get_an_invitation(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # Two names of 100 characters are longer than an account's full name may be.
    with django_capture_on_commit_callbacks(execute=True):
        response = ApiClient(world.admin).post(
            "/patients",
            api_payload(given_name="A" * 100, family_name="B" * 100, email=NEW_EMAIL, invite=True),
        )

    assert response.status_code == 201, response.content
    user = User.objects.get(email=NEW_EMAIL)
    assert user.full_name.startswith("A" * 100 + " B")
    assert [message.to for message in mail.outbox] == [[NEW_EMAIL]]


# --- inviting a patient later -------------------------------------------------------------------


def test_invite_later_on_page_to_a_corrected_address(
    world: World, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    patient = make_patient(world.organisation, email="old@example.org")
    url = reverse("care:patient_invite", args=[patient.public_id])

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin).post(url, {"email": NEW_EMAIL})

    patient.refresh_from_db()
    assert response.status_code == 302
    assert patient.user is not None
    assert patient.user.email == NEW_EMAIL == patient.email
    assert [message.to for message in mail.outbox] == [[NEW_EMAIL]]


def test_mistyped_address_on_page_sends_nothing(
    world: World, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Given a patient with a stored address, and an admin who types a new one wrongly
    patient = make_patient(world.organisation, email="old@example.org")
    url = reverse("care:patient_invite", args=[patient.public_id])

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin).post(url, {"email": "new.patient@"}, follow=True)

    # Then the invitation does not silently go to the old address
    patient.refresh_from_db()
    assert patient.user is None
    assert mail.outbox == []
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_invite_later_through_api(world: World, django_capture_on_commit_callbacks: Any) -> None:
    patient = make_patient(world.organisation, email="")
    api = ApiClient(world.admin)
    path = f"/patients/{patient.public_id}/invite"

    with django_capture_on_commit_callbacks(execute=True):
        invalid = api.post(path, {"email": "not an address"})
        missing = api.post(path, {})
        sent = api.post(path, {"email": NEW_EMAIL})
        resent = api.post(path, {})

    assert api_error(invalid, 422)["fields"].keys() == {"email"}
    assert api_error(missing, 400)["fields"].keys() == {"email"}
    assert sent.status_code == resent.status_code == 202
    patient.refresh_from_db()
    assert patient.user is not None and patient.user.is_invitation_pending
    # The pending invitation is sent again (the link in the first may have expired).
    assert [message.to for message in mail.outbox] == [[NEW_EMAIL], [NEW_EMAIL]]

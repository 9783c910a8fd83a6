"""Staff pass a second factor (TOTP) before they see anything; patients and supporters do not."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.fixtures import Settings

from accounts.models import Role, User
from accounts.tests.flows import ClientFor, post_login, signed_in_user, totp_code
from core.testing.factories import make_totp_device, make_user
from core.testing.personas import World

SETUP = reverse("accounts:2fa_setup")
VERIFY = reverse("accounts:2fa_verify")
CASELOAD = reverse("care:caseload")


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def password_only(user: User) -> Client:
    """A browser where ``user`` has given their password and nothing more."""
    client = Client()
    assert post_login(client, user.email).status_code == 302
    return client


def set_up_device(client: Client, user: User, next_url: str = CASELOAD) -> TOTPDevice:
    """Open the set-up page and confirm the new device with the code it shows."""
    assert client.get(SETUP, {"next": next_url}).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SETUP, {"code": totp_code(device), "next": next_url})
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == next_url
    device.refresh_from_db()
    return device


# --- staff without a device ------------------------------------------------------------------


def test_staff_without_device_are_sent_to_set_up(world: World) -> None:
    client = password_only(world.therapist)

    response = client.get(CASELOAD)

    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next={CASELOAD}"


def test_staff_without_device_cannot_reach_clinical_pages(world: World) -> None:
    client = password_only(world.therapist)
    record = reverse("care:patient_detail", args=[world.patient_record.public_id])

    response = client.get(record)

    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    assert "Ient" not in response.text


@pytest.mark.parametrize("url_name", ["me", "caseload", "list_patients"])
def test_staff_without_second_factor_cannot_use_the_session_api(
    world: World, url_name: str
) -> None:
    client = password_only(world.therapist)

    response = client.get(reverse(f"api:{url_name}"))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_staff_without_second_factor_cannot_read_a_record_through_the_api(world: World) -> None:
    client = password_only(world.therapist)

    response = client.get(reverse("api:get_patient", args=[world.patient_record.public_id]))

    assert response.status_code == 401
    assert "Ient" not in response.text


def test_set_up_with_the_right_code_verifies_the_session(world: World) -> None:
    # Given a therapist who has only given their password
    client = password_only(world.therapist)

    # When they set up an authenticator app and enter its code
    device = set_up_device(client, world.therapist)

    # Then the device is confirmed and they reach their pages and the session API
    assert device.confirmed
    assert client.get(CASELOAD).status_code == 200
    assert client.get(reverse("api:me")).status_code == 200


def test_set_up_page_shows_the_key_the_device_holds(world: World) -> None:
    client = password_only(world.therapist)

    response = client.get(SETUP)

    device = TOTPDevice.objects.get(user=world.therapist, confirmed=False)
    assert response.context["secret"].replace(" ", "") in device.config_url
    assert "<svg" in response.text


def test_set_up_with_a_wrong_code_is_refused_with_a_message(world: World) -> None:
    client = password_only(world.therapist)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=world.therapist)

    response = client.post(SETUP, {"code": wrong(totp_code(device)), "next": CASELOAD})

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "That code is not right. Check the time on your phone and try again."
    ]
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(CASELOAD)["Location"].startswith(SETUP)


def test_set_up_next_cannot_point_to_another_host(world: World) -> None:
    client = password_only(world.therapist)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=world.therapist)

    response = client.post(SETUP, {"code": totp_code(device), "next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_password_alone_cannot_replace_a_confirmed_device(world: World) -> None:
    # Given a therapist with a confirmed device, and someone who knows only their password
    device = make_totp_device(world.therapist)
    client = password_only(world.therapist)

    # When that someone opens the set-up page to enrol their own app
    response = client.get(SETUP)

    # Then they are sent to enter a code from the existing device, and nothing is enrolled
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert list(TOTPDevice.objects.filter(user=world.therapist)) == [device]


def test_next_with_a_query_string_survives_the_way_through_set_up(world: World) -> None:
    # Given staff with a device, sent from a search page to the set-up page
    make_totp_device(world.therapist)
    client = password_only(world.therapist)
    wanted = reverse("care:patient_list") + "?q=ient&page=1"

    # When the set-up page sends them on to enter a code
    response = client.get(SETUP, {"next": wanted})

    # Then the whole address they wanted goes with them
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == VERIFY
    assert parse_qs(location.query) == {"next": [wanted]}


# --- staff with a device --------------------------------------------------------------------


def test_next_log_in_asks_for_a_code_and_accepts_the_right_one(world: World) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        set_up_device(password_only(world.therapist), world.therapist)

    # Given the therapist logs in again later in a new browser
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        client = password_only(world.therapist)

        # When they open a page, they are asked for a code
        response = client.get(CASELOAD)
        assert response.status_code == 302
        assert response["Location"] == f"{VERIFY}?next={CASELOAD}"

        # Then the code from their app lets them through to the page they wanted
        device = TOTPDevice.objects.get(user=world.therapist)
        response = client.post(VERIFY, {"code": totp_code(device), "next": CASELOAD})
        assert response["Location"] == CASELOAD
        assert client.get(CASELOAD).status_code == 200


def test_verify_refuses_a_wrong_code_with_a_message(world: World) -> None:
    device = make_totp_device(world.therapist)
    client = password_only(world.therapist)

    response = client.post(VERIFY, {"code": wrong(totp_code(device)), "next": CASELOAD})

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "That code is not right. Wait for a new code and try again."
    ]
    assert client.get(CASELOAD)["Location"].startswith(VERIFY)


def test_verify_refuses_a_code_that_was_already_used(world: World) -> None:
    # Given a code that has just been used to log in
    device = make_totp_device(world.therapist)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        code = totp_code(device)
        first = password_only(world.therapist)
        assert first.post(VERIFY, {"code": code})["Location"] == reverse("home")

        # When someone who saw it types it in another browser within the same time step
        second = password_only(world.therapist)
        response = second.post(VERIFY, {"code": code})

    # Then it is refused
    assert response.status_code == 200
    assert second.get(CASELOAD)["Location"].startswith(VERIFY)


def test_verify_slows_down_guessing(world: World) -> None:
    device = make_totp_device(world.therapist)
    client = password_only(world.therapist)
    start = timezone.now()

    # Given two wrong codes in a row
    with time_machine.travel(start, tick=False):
        client.post(VERIFY, {"code": wrong(totp_code(device))})
        client.post(VERIFY, {"code": wrong(totp_code(device))})

        # When the right code follows at once, it is refused too
        response = client.post(VERIFY, {"code": totp_code(device)})
        assert response.context["form"].errors["code"] == [
            "Too many wrong codes. Wait a minute, then try again."
        ]

    # Then after a wait the right code works
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        response = client.post(VERIFY, {"code": totp_code(device)})
    assert response.status_code == 302


def test_verify_next_cannot_point_to_another_host(world: World) -> None:
    device = make_totp_device(world.therapist)
    client = password_only(world.therapist)

    response = client.post(VERIFY, {"code": totp_code(device), "next": "//evil.example/"})

    assert response["Location"] == reverse("home")


def test_verify_without_a_device_goes_to_set_up(world: World) -> None:
    client = password_only(world.therapist)
    wanted = reverse("care:patient_list") + "?q=ient&page=1"

    response = client.get(VERIFY, {"next": wanted})

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == SETUP
    assert parse_qs(location.query) == {"next": [wanted]}


# --- who is asked ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "home"),
    [("patient", "diary:today"), ("supporter", "care:shared_list")],
)
def test_patients_and_supporters_are_not_asked(world: World, persona: str, home: str) -> None:
    user = world.user(persona)
    assert user is not None
    client = password_only(user)

    response = client.get(reverse("home"), follow=True)

    assert response.redirect_chain == [(reverse(home), 302)]
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists()


@pytest.mark.parametrize("persona", ["therapist", "facilitator", "researcher", "admin"])
def test_every_staff_role_is_asked(world: World, persona: str) -> None:
    user = world.user(persona)
    assert user is not None
    client = password_only(user)

    response = client.get(reverse("home"))

    assert response["Location"].startswith(SETUP)


@pytest.mark.parametrize(
    ("relaxed", "is_demo", "asked"),
    [(True, True, False), (True, False, True), (False, True, True), (False, False, True)],
    ids=["demo setting and demo user", "real user", "demo user, setting off", "neither"],
)
def test_demo_relaxation_needs_the_setting_and_a_demo_user(
    world: World, settings: Settings, relaxed: bool, is_demo: bool, asked: bool
) -> None:
    settings.DEMO_RELAX_STAFF_2FA = relaxed
    clinician = make_user(Role.CLINICIAN, world.organisation, is_demo=is_demo)
    client = password_only(clinician)

    page = client.get(CASELOAD)
    api = client.get(reverse("api:caseload"))

    if asked:
        assert page.status_code == 302
        assert page["Location"].startswith(SETUP)
        assert api.status_code == 401
    else:
        assert page.status_code == 200
        assert api.status_code == 200


# --- admin reset --------------------------------------------------------------------------


def test_admin_resets_someones_second_factor(world: World, client_for: ClientFor) -> None:
    # Given a therapist signed in with their device, and their admin
    therapist = client_for(world.therapist)
    assert therapist.get(CASELOAD).status_code == 200
    admin = client_for(world.admin)

    # When the admin resets the therapist's two-factor authentication
    response = admin.post(reverse("accounts:staff_reset_2fa", args=[world.therapist.public_id]))

    # Then the device is gone, and the therapist must set up a new one before going on
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.therapist).exists()
    assert signed_in_user(therapist) == world.therapist
    assert therapist.get(CASELOAD)["Location"].startswith(SETUP)


def test_admin_cannot_reset_the_second_factor_in_another_organisation(
    world: World, client_for: ClientFor
) -> None:
    make_totp_device(world.therapist)

    response = client_for(world.foreign_admin).post(
        reverse("accounts:staff_reset_2fa", args=[world.therapist.public_id])
    )

    assert response.status_code == 404
    assert TOTPDevice.objects.filter(user=world.therapist).exists()


def test_only_admins_reset_second_factors(world: World, client_for: ClientFor) -> None:
    make_totp_device(world.outsider_clinician)

    response = client_for(world.therapist).post(
        reverse("accounts:staff_reset_2fa", args=[world.outsider_clinician.public_id])
    )

    assert response.status_code in (403, 404)
    assert TOTPDevice.objects.filter(user=world.outsider_clinician).exists()

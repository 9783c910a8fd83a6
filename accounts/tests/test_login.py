"""Logging in with an e-mail address and password, and where the log-in page sends you."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from accounts.models import User
from accounts.tests.flows import LOGIN_URL, ClientFor, post_login, signed_in_user
from core.testing.factories import TEST_PASSWORD
from core.testing.personas import World

DEMO_NOTICE = "Demo mode."


def test_logs_in_with_email_and_password(world: World, client: Client) -> None:
    response = post_login(client, world.patient.email)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user(client) == world.patient


def test_email_letter_case_does_not_matter(world: World, client: Client) -> None:
    shouted = "  " + world.patient.email.upper() + " "

    post_login(client, shouted)

    assert signed_in_user(client) == world.patient


def test_wrong_password_is_refused_with_a_message(world: World, client: Client) -> None:
    response = post_login(client, world.patient.email, "not the password at all")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "correct e-mail address and password" in response.text
    assert signed_in_user(client) is None


def test_unknown_address_gets_the_same_answer_as_a_wrong_password(
    world: World, client: Client
) -> None:
    wrong_password = post_login(client, world.patient.email, "not the password at all")
    unknown = post_login(Client(), "nobody@example.org")

    assert unknown.status_code == wrong_password.status_code == 200
    assert unknown.context["form"].non_field_errors() == (
        wrong_password.context["form"].non_field_errors()
    )


def test_inactive_user_is_refused(world: World, client: Client) -> None:
    User.objects.filter(pk=world.therapist.pk).update(is_active=False)

    response = post_login(client, world.therapist.email)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert signed_in_user(client) is None


def test_safe_next_is_followed(world: World, client: Client) -> None:
    target = reverse("accounts:profile")

    response = post_login(client, world.patient.email, next=target)

    assert response["Location"] == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example.com/phish",
        "//evil.example.com/phish",
        "http://testserver.evil.example.com/",
        "javascript:alert(1)",
        "/\\evil.example.com",
    ],
)
def test_next_to_another_host_is_ignored(world: World, client: Client, target: str) -> None:
    response = post_login(client, world.patient.email, next=target)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user(client) == world.patient


def test_protected_page_sends_anonymous_visitor_to_login_and_back(
    world: World, client: Client
) -> None:
    # Given an anonymous visitor who opens a protected page
    profile = reverse("accounts:profile")
    refused = client.get(profile)
    assert refused.status_code == 302
    assert refused["Location"] == f"{LOGIN_URL}?next={profile}"

    # When they log in from the page they were sent to
    login_page = client.get(refused["Location"])
    response = post_login(client, world.patient.email, next=login_page.context["next"])

    # Then they land on the page they wanted
    assert response["Location"] == profile


def test_signed_in_user_visiting_login_is_sent_on(world: World, client_for: ClientFor) -> None:
    client = client_for(world.patient)

    response = client.get(LOGIN_URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_logout_needs_post_and_ends_the_session(world: World, client_for: ClientFor) -> None:
    client = client_for(world.patient)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert signed_in_user(client) == world.patient

    response = client.post(reverse("accounts:logout"))

    assert response["Location"] == LOGIN_URL
    assert signed_in_user(client) is None


def test_login_page_hides_demo_notice_by_default(client: Client, settings: Settings) -> None:
    settings.DEMO_RELAX_STAFF_2FA = False

    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    assert DEMO_NOTICE not in response.text


def test_login_page_shows_demo_notice_when_demo_relaxes_2fa(
    client: Client, settings: Settings
) -> None:
    settings.DEMO_RELAX_STAFF_2FA = True

    response = client.get(LOGIN_URL)

    assert DEMO_NOTICE in response.text


def test_password_is_stored_hashed(world: World) -> None:
    user = User.objects.get(pk=world.patient.pk)

    assert TEST_PASSWORD not in user.password
    assert user.check_password(TEST_PASSWORD)


def test_log_in_starts_a_new_session(world: World, client: Client) -> None:
    # Given a session id planted before log-in (session fixation)
    client.get(LOGIN_URL)
    session = client.session
    session["planted"] = True
    session.save()
    planted_key = session.session_key

    # When the user logs in
    post_login(client, world.patient.email)

    # Then the signed-in session has a different id, and the planted one signs nobody in
    assert client.session.session_key != planted_key
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = planted_key
    assert signed_in_user(stolen) is None

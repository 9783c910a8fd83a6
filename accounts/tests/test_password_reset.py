"""Resetting a forgotten password by e-mail."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from django.conf import settings
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from accounts.models import User
from accounts.tests.flows import ClientFor, link_path, post_login, signed_in_user
from core.testing.factories import TEST_PASSWORD
from core.testing.personas import World

RESET_URL = reverse("accounts:password_reset")
SENT_URL = reverse("accounts:password_reset_done")
NEW_PASSWORD = "a brand new long passphrase"


def ask_for_reset(client: Client, email: str) -> None:
    """Ask for a reset link; the form always leads to the "sent" page."""
    response = client.post(RESET_URL, {"email": email}, follow=True)
    assert response.redirect_chain == [(SENT_URL, 302)]
    assert response.status_code == 200


def set_password_via(client: Client, path: str, password: str = NEW_PASSWORD) -> Client:
    """Open the link from the e-mail and choose ``password`` on the page it leads to."""
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"], "the reset link was refused"
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == reverse("accounts:password_reset_complete")
    return client


def test_reset_email_is_sent_with_a_working_link(
    world: World, client: Client, mailoutbox: list[EmailMessage]
) -> None:
    ask_for_reset(client, world.patient.email.upper())

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [world.patient.email]
    assert message.subject == "Reset your wisemind password"
    link = client.get(link_path(message), follow=True)
    assert link.status_code == 200
    assert link.context["validlink"] is True


def test_unknown_address_sends_nothing_but_shows_the_same_page(
    world: World, mailoutbox: list[EmailMessage]
) -> None:
    known = Client().post(RESET_URL, {"email": world.patient.email})
    unknown = Client().post(RESET_URL, {"email": "nobody-here@example.org"})

    assert mailoutbox[0].to == [world.patient.email]
    assert len(mailoutbox) == 1
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"] == SENT_URL


def test_inactive_account_gets_no_reset_email(
    world: World, client: Client, mailoutbox: list[EmailMessage]
) -> None:
    User.objects.filter(pk=world.therapist.pk).update(is_active=False)

    ask_for_reset(client, world.therapist.email)

    assert mailoutbox == []


def test_link_sets_a_new_password_and_the_old_one_stops_working(
    world: World, mailoutbox: list[EmailMessage]
) -> None:
    # Given a reset link sent to the patient
    ask_for_reset(Client(), world.patient.email)

    # When they choose a new password through it
    set_password_via(Client(), link_path(mailoutbox[0]))

    # Then the new password logs in and the old one does not
    old = Client()
    assert post_login(old, world.patient.email, TEST_PASSWORD).status_code == 200
    assert signed_in_user(old) is None
    new = Client()
    assert post_login(new, world.patient.email, NEW_PASSWORD).status_code == 302
    assert signed_in_user(new) == world.patient


def test_used_link_does_not_work_again(world: World, mailoutbox: list[EmailMessage]) -> None:
    # Given a link that was used to set a password
    ask_for_reset(Client(), world.patient.email)
    path = link_path(mailoutbox[0])
    set_password_via(Client(), path)

    # When it is opened again, in the same browser or another
    again = Client().get(path, follow=True)

    # Then it is refused and the password stays as it was set
    assert again.context["validlink"] is False
    assert "This link no longer works" in again.text
    assert User.objects.get(pk=world.patient.pk).check_password(NEW_PASSWORD)


def test_link_expires_after_the_reset_timeout(world: World, mailoutbox: list[EmailMessage]) -> None:
    ask_for_reset(Client(), world.patient.email)
    path = link_path(mailoutbox[0])

    later = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later, tick=False):
        response = Client().get(path, follow=True)

    assert response.context["validlink"] is False


def test_reset_logs_out_sessions_that_knew_the_old_password(
    world: World, client_for: ClientFor, mailoutbox: list[EmailMessage]
) -> None:
    # Given the patient signed in on another device (perhaps not theirs)
    elsewhere = client_for(world.patient)
    assert elsewhere.get(reverse("care:me")).status_code == 200

    # When the password is reset
    ask_for_reset(Client(), world.patient.email)
    set_password_via(Client(), link_path(mailoutbox[0]))

    # Then the other session is signed out
    response = elsewhere.get(reverse("care:me"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_new_password_must_pass_the_password_rules(
    world: World, mailoutbox: list[EmailMessage]
) -> None:
    ask_for_reset(Client(), world.patient.email)
    client = Client()
    form_page = client.get(link_path(mailoutbox[0]), follow=True)
    set_url = form_page.redirect_chain[-1][0]

    response = client.post(set_url, {"new_password1": "short", "new_password2": "short"})

    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    assert User.objects.get(pk=world.patient.pk).check_password(TEST_PASSWORD)


def test_link_uses_the_site_address_not_the_requests_host(
    world: World, settings: Settings, mailoutbox: list[EmailMessage]
) -> None:
    # Given a site served under its public address, also reachable under another name
    settings.SITE_URL = "https://care.example.org"
    settings.ALLOWED_HOSTS = ["care.example.org", "internal.example.net"]

    # When a reset is asked for through the other name
    Client().post(RESET_URL, {"email": world.patient.email}, HTTP_HOST="internal.example.net")

    # Then the e-mailed link points at the public address
    (link,) = re.findall(r"https?://\S+", mailoutbox[0].body)
    assert link.startswith("https://care.example.org/accounts/password-reset/")

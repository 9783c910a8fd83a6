"""An admin invites staff by e-mail; the link lets them choose a password, once."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Role, User
from accounts.tasks import send_invitation
from accounts.tests.flows import ClientFor, link_path, post_login, signed_in_user
from core.testing.factories import TEST_PASSWORD
from core.testing.personas import World

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]

INVITE = reverse("accounts:staff_invite")
PASSWORD = "a long and private passphrase"


def invite(
    client: Client, capture: CaptureOnCommit, email: str, role: str = Role.CLINICIAN, **extra: Any
) -> Any:
    """Submit the invitation form and run what the action enqueues once it commits."""
    data = {"full_name": "Nina New", "email": email, "role": role, **extra}
    with capture(execute=True):
        return client.post(INVITE, data)


def accept(client: Client, path: str, password: str = PASSWORD) -> Any:
    return client.post(path, {"new_password1": password, "new_password2": password})


def test_admin_invites_staff_who_set_a_password_and_log_in(
    world: World,
    client_for: ClientFor,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    mailoutbox: list[EmailMessage],
) -> None:
    # Given an admin who invites a new clinician
    response = invite(
        client_for(world.admin), django_capture_on_commit_callbacks, "Nina@Example.org"
    )
    assert response["Location"] == reverse("accounts:staff_list")
    nina = User.objects.get(email="nina@example.org")
    assert nina.organisation == world.organisation
    assert nina.is_invitation_pending

    # Then an e-mail with a link to the public site goes to them
    assert len(mailoutbox) == 1
    (message,) = mailoutbox
    assert message.to == ["nina@example.org"]
    assert world.organisation.name in message.subject
    assert settings.SITE_URL + link_path(message) in message.body

    # When they open the link and choose a password
    browser = Client()
    path = link_path(message)
    assert browser.get(path).status_code == 200
    response = accept(browser, path)

    # Then they are signed in and (as staff) sent on to set up two-factor authentication
    assert response["Location"] == reverse("home")
    assert signed_in_user(browser) == nina
    assert browser.get(reverse("home"))["Location"].startswith(reverse("accounts:2fa_setup"))

    # And the password works for the next log-in, while the link no longer does
    assert post_login(Client(), "nina@example.org", PASSWORD).status_code == 302
    again = Client().get(path)
    assert again.status_code == 400
    assert "This invitation link no longer works" in again.text


def test_link_cannot_set_a_second_password(
    world: World,
    client_for: ClientFor,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    mailoutbox: list[EmailMessage],
) -> None:
    invite(client_for(world.admin), django_capture_on_commit_callbacks, "nina@example.org")
    path = link_path(mailoutbox[0])
    accept(Client(), path)

    response = accept(Client(), path, "an attacker's new passphrase")

    assert response.status_code == 400
    assert User.objects.get(email="nina@example.org").check_password(PASSWORD)


def test_weak_password_is_refused(world: World) -> None:
    path = reverse("accounts:accept_invitation", kwargs=world.invitation_kwargs())

    response = accept(Client(), path, "password")

    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    world.invited_user.refresh_from_db()
    assert not world.invited_user.has_usable_password()


def test_link_expires(world: World) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        path = reverse("accounts:accept_invitation", kwargs=world.invitation_kwargs())

    later = start + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later, tick=False):
        response = accept(Client(), path)

    assert response.status_code == 400
    world.invited_user.refresh_from_db()
    assert not world.invited_user.has_usable_password()


def test_link_of_a_deactivated_invitee_does_not_work(world: World) -> None:
    path = reverse("accounts:accept_invitation", kwargs=world.invitation_kwargs())
    User.objects.filter(pk=world.invited_user.pk).update(is_active=False)

    assert Client().get(path).status_code == 400


@pytest.mark.parametrize("uidb64", ["not-base64!", "OTk5OTk5", ""])
def test_tampered_link_does_not_work(world: World, uidb64: str) -> None:
    kwargs = world.invitation_kwargs()
    path = reverse("accounts:accept_invitation", kwargs=kwargs).replace(kwargs["uidb64"], uidb64)

    assert Client().get(path).status_code in (400, 404)


def test_link_does_not_work_for_someone_who_has_a_password(world: World) -> None:
    # A valid token for an account with a password must not open the "choose a password" page.
    kwargs = {
        "uidb64": urlsafe_base64_encode(force_bytes(world.therapist.pk)),
        "token": default_token_generator.make_token(world.therapist),
    }

    response = accept(Client(), reverse("accounts:accept_invitation", kwargs=kwargs))

    assert response.status_code == 400
    world.therapist.refresh_from_db()
    assert world.therapist.check_password(TEST_PASSWORD)


@pytest.mark.parametrize("email", ["thea-existing@example.org", "THEA-EXISTING@example.org"])
def test_inviting_an_existing_address_is_a_field_error(
    world: World,
    client_for: ClientFor,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    mailoutbox: list[EmailMessage],
    email: str,
) -> None:
    User.objects.filter(pk=world.therapist.pk).update(email="thea-existing@example.org")

    response = invite(client_for(world.admin), django_capture_on_commit_callbacks, email)

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "An account with this e-mail address already exists."
    ]
    assert mailoutbox == []


def test_only_staff_roles_can_be_invited_here(
    world: World,
    client_for: ClientFor,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    response = invite(
        client_for(world.admin), django_capture_on_commit_callbacks, "p@example.org", "patient"
    )

    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(email="p@example.org").exists()


def test_patient_management_is_granted_only_to_invited_clinicians(
    world: World,
    client_for: ClientFor,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    admin = client_for(world.admin)
    invite(admin, django_capture_on_commit_callbacks, "c@example.org", can_manage_patients="on")
    invite(
        admin,
        django_capture_on_commit_callbacks,
        "r@example.org",
        Role.RESEARCHER,
        can_manage_patients="on",
    )

    assert User.objects.get(email="c@example.org").can_manage_patients
    assert not User.objects.get(email="r@example.org").can_manage_patients


def test_admin_resends_an_invitation(
    world: World,
    client_for: ClientFor,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    mailoutbox: list[EmailMessage],
) -> None:
    url = reverse("accounts:staff_resend_invitation", args=[world.invited_user.public_id])
    later = timezone.now() + timedelta(days=2)

    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin).post(url, follow=True)

    assert "The invitation is sent again." in response.text
    assert [message.to for message in mailoutbox] == [[world.invited_user.email]]
    world.invited_user.refresh_from_db()
    assert world.invited_user.invited_at == later
    assert accept(Client(), link_path(mailoutbox[0]))["Location"] == reverse("home")


def test_resending_to_someone_who_accepted_is_refused(
    world: World,
    client_for: ClientFor,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    mailoutbox: list[EmailMessage],
) -> None:
    url = reverse("accounts:staff_resend_invitation", args=[world.therapist.public_id])

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin).post(url, follow=True)

    assert "This person has already accepted the invitation." in response.text
    assert mailoutbox == []


def test_invitation_task_sends_nothing_once_the_password_is_set(
    world: World, mailoutbox: list[EmailMessage]
) -> None:
    # Given an invitation job still queued when the invitee has already chosen a password
    path = reverse("accounts:accept_invitation", kwargs=world.invitation_kwargs())
    accept(Client(), path)

    # When the job runs
    result = send_invitation.call(world.invited_user.pk)

    # Then it does nothing
    assert result is False
    assert mailoutbox == []


def test_invitation_task_can_run_twice(world: World, mailoutbox: list[EmailMessage]) -> None:
    assert send_invitation.call(world.invited_user.pk) is True
    assert send_invitation.call(world.invited_user.pk) is True

    first, second = (link_path(message) for message in mailoutbox)
    assert accept(Client(), first)["Location"] == reverse("home")
    assert Client().get(second).status_code == 400

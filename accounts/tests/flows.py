"""Small steps that several account tests share: log in through the form, read a code or a link."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.contrib.auth import get_user
from django.core.mail import EmailMessage
from django.urls import reverse
from django_otp.oath import TOTP

from core.testing.factories import TEST_PASSWORD

if TYPE_CHECKING:
    from django.http import HttpResponse
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User

LOGIN_URL = reverse("accounts:login")

#: The ``client_for`` fixture: a client signed in as the user (anonymous for ``None``).
ClientFor = Callable[["User | None"], "Client"]


def post_login(
    client: Client, email: str, password: str = TEST_PASSWORD, **extra: str
) -> HttpResponse:
    """Submit the log-in form, as a browser would (through django-axes and the real backends)."""
    return client.post(LOGIN_URL, {"username": email, "password": password, **extra})


def signed_in_user(client: Client) -> User | None:
    """The user the client's session belongs to, or ``None`` when it is anonymous."""
    user = get_user(client)  # type: ignore[arg-type]
    return user if user.is_authenticated else None  # type: ignore[return-value]


def totp_code(device: TOTPDevice) -> str:
    """The code an authenticator app holding ``device``'s key shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def link_path(message: EmailMessage) -> str:
    """The path of the one link in an e-mail's body."""
    links = re.findall(r"https?://\S+", message.body)
    assert len(links) == 1, links
    return urlsplit(links[0]).path

"""A session left idle longer than ``IDLE_TIMEOUT`` is logged out; activity keeps it alive."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tests.flows import LOGIN_URL, ClientFor, post_login, signed_in_user
from core.middleware import LAST_SEEN_KEY
from core.testing.factories import make_token
from core.testing.personas import World

CASELOAD = reverse("care:caseload")
ME_API = reverse("api:me")


def test_idle_session_is_logged_out_with_a_message(world: World, client_for: ClientFor) -> None:
    # Given a therapist who was last active at ``start``
    start = timezone.now()
    client = client_for(world.therapist)
    with time_machine.travel(start, tick=False):
        assert client.get(CASELOAD).status_code == 200

    # When they come back just after the idle time-out
    with time_machine.travel(start + settings.IDLE_TIMEOUT + timedelta(seconds=1), tick=False):
        response = client.get(CASELOAD)

        # Then they are sent to log in (and back afterwards), with a message saying why
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN_URL}?next={CASELOAD}"
        assert signed_in_user(client) is None
        login_page = client.get(response["Location"])

    assert login_page.status_code == 200
    assert "logged out after a period of inactivity" in login_page.text


def test_idle_time_counts_from_the_log_in(world: World) -> None:
    # Given someone who logged in but never opened a page afterwards
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        assert post_login(client, world.patient.email).status_code == 302

    # When the session is used after the idle time-out
    with time_machine.travel(start + settings.IDLE_TIMEOUT + timedelta(minutes=1), tick=False):
        response = client.get(reverse("care:me"))

    # Then it has expired like any idle session
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert signed_in_user(client) is None


def test_session_is_kept_just_inside_the_time_out(world: World, client_for: ClientFor) -> None:
    start = timezone.now()
    client = client_for(world.therapist)
    with time_machine.travel(start, tick=False):
        client.get(CASELOAD)

    with time_machine.travel(start + settings.IDLE_TIMEOUT - timedelta(seconds=1), tick=False):
        response = client.get(CASELOAD)

    assert response.status_code == 200
    assert signed_in_user(client) == world.therapist


def test_steady_activity_keeps_the_session_alive(world: World, client_for: ClientFor) -> None:
    # Given requests every 50 seconds (under the one-minute write resolution of last-seen)
    # and every few minutes, over three times the idle time-out in total
    client = client_for(world.therapist)
    start = timezone.now()
    offsets = [timedelta(seconds=50 * i) for i in range(6)]
    gap = settings.IDLE_TIMEOUT * 0.6
    offsets += [offsets[-1] + gap * i for i in range(1, 6)]
    assert offsets[-1] > settings.IDLE_TIMEOUT * 3

    # When each request comes
    for offset in offsets:
        with time_machine.travel(start + offset, tick=False):
            response = client.get(CASELOAD)

            # Then none of them is logged out
            assert response.status_code == 200, offset
    assert signed_in_user(client) == world.therapist


def test_last_seen_is_written_at_most_once_a_minute(world: World, client_for: ClientFor) -> None:
    client = client_for(world.patient)
    start = timezone.now()
    home = reverse("care:me")

    def last_seen() -> datetime:
        return datetime.fromisoformat(client.session[LAST_SEEN_KEY])

    with time_machine.travel(start, tick=False):
        client.get(home)
    assert last_seen() == start

    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        client.get(home)
    assert last_seen() == start

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        client.get(home)
    assert last_seen() == start + timedelta(seconds=61)


def test_idle_api_session_request_is_unauthenticated(world: World, client_for: ClientFor) -> None:
    # Given a browser session that used the API, then went idle
    client = client_for(world.therapist)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert client.get(ME_API).status_code == 200

    # When the API is called after the idle time-out
    with time_machine.travel(start + settings.IDLE_TIMEOUT + timedelta(minutes=1), tick=False):
        response = client.get(ME_API)

    # Then it gets the API's 401 (not a redirect to a log-in page), and the session is over
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert signed_in_user(client) is None


def test_idle_time_out_does_not_touch_bearer_tokens(world: World, client: Client) -> None:
    _token, secret = make_token(world.researcher)
    start = timezone.now()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    with time_machine.travel(start, tick=False):
        assert client.get(ME_API, **auth).status_code == 200

    with time_machine.travel(start + settings.IDLE_TIMEOUT * 2, tick=False):
        response = client.get(ME_API, **auth)

    assert response.status_code == 200


def test_idle_logout_ends_the_old_session_for_good(world: World, client_for: ClientFor) -> None:
    # Given a session that went idle
    client = client_for(world.patient)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(reverse("care:me"))
    old_key = client.session.session_key
    assert old_key is not None

    # When its next request is logged out
    with time_machine.travel(start + settings.IDLE_TIMEOUT * 2, tick=False):
        client.get(reverse("care:me"))

    # Then the old session id is gone from the store: a copy of the cookie is worthless
    assert not SessionStore().exists(old_key)
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = old_key
    assert signed_in_user(stolen) is None

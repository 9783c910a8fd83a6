"""Repeated failed log-ins lock the account for a while (django-axes)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.tests.flows import post_login, signed_in_user
from core.testing.personas import World

WRONG = "definitely not the password"


def fail_until_locked(email: str) -> list[int]:
    """Fail to log in ``AXES_FAILURE_LIMIT`` times, each from a fresh browser; the statuses."""
    return [
        post_login(Client(), email, WRONG).status_code for _ in range(settings.AXES_FAILURE_LIMIT)
    ]


def test_failures_below_the_limit_do_not_lock(world: World, client: Client) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(Client(), world.therapist.email, WRONG).status_code == 200

    response = post_login(client, world.therapist.email)

    assert response.status_code == 302
    assert signed_in_user(client) == world.therapist


def test_limit_of_failures_locks_even_the_right_password(world: World, client: Client) -> None:
    # Given five failed attempts, the last of which is already answered with the lock
    statuses = fail_until_locked(world.therapist.email)
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]

    # When the right password is then given
    response = post_login(client, world.therapist.email)

    # Then the lock page answers and nobody is signed in
    assert response.status_code == 429
    assert "This account is locked for a while" in response.text
    assert f"Try again in {settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in response.text
    assert signed_in_user(client) is None


def test_letter_case_does_not_get_around_the_lock(world: World, client: Client) -> None:
    email = world.therapist.email
    variants = [email.upper(), email.title(), email.swapcase(), email, email.upper()]
    assert len(variants) == settings.AXES_FAILURE_LIMIT
    for variant in variants:
        post_login(Client(), variant, WRONG)

    response = post_login(client, email)

    assert response.status_code == 429
    assert signed_in_user(client) is None


@pytest.mark.parametrize(
    ("after", "status"),
    [
        (timedelta(minutes=1), 429),
        (settings.AXES_COOLOFF_TIME - timedelta(seconds=5), 429),
        (settings.AXES_COOLOFF_TIME + timedelta(seconds=5), 302),
    ],
    ids=["a minute later", "just before the cool-off", "after the cool-off"],
)
def test_lock_passes_after_the_cool_off(
    world: World, client: Client, after: timedelta, status: int
) -> None:
    # Given a locked account
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail_until_locked(world.therapist.email)

    # When the right password is given some time later
    with time_machine.travel(start + after, tick=False):
        response = post_login(client, world.therapist.email)

    # Then it is refused until the cool-off time has passed
    assert response.status_code == status
    assert signed_in_user(client) == (world.therapist if status == 302 else None)


def test_another_account_is_not_affected(world: World, client: Client) -> None:
    fail_until_locked(world.therapist.email)

    response = post_login(client, world.outsider_clinician.email)

    assert response.status_code == 302
    assert signed_in_user(client) == world.outsider_clinician


def test_successful_log_in_clears_earlier_failures(world: World) -> None:
    # Given failures just below the limit, then a successful log-in
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        post_login(Client(), world.therapist.email, WRONG)
    assert post_login(Client(), world.therapist.email).status_code == 302

    # When another failure follows
    response = post_login(Client(), world.therapist.email, WRONG)

    # Then it counts from zero again and does not lock
    assert response.status_code == 200
    assert post_login(Client(), world.therapist.email).status_code == 302

"""Fixtures shared by every test: the persona world and signed-in clients."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from django.test import Client

from accounts.models import User
from core.testing.personas import World, build_world, log_in

# Playwright's sync API runs an event loop in the test thread; Django must still
# allow ORM calls from that thread in browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    """A fresh test client signed in as ``user`` (anonymous for ``None``)."""

    def make(user: User | None) -> Client:
        client = Client()
        return log_in(client, user) if user is not None else client

    return make

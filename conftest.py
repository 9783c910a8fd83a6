"""Fixtures shared by every test: the persona world and signed-in clients."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from accounts.models import User
from core.testing.personas import World, build_world, log_in

# Playwright's sync API runs an event loop in the test thread; Django must still
# allow ORM calls from that thread in browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Property tests explore new random examples on every local run; CI (.ci/run) uses the
# "ci" profile: the same examples every run, so that a red run is reproducible and a
# busy machine cannot fail a test on time alone.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
hypothesis_settings.load_profile(os.environ.get("WISEMIND_HYPOTHESIS_PROFILE", "default"))


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

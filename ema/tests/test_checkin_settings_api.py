"""The patient's check-in settings through the API (quiet hours re-plan the coming prompts),
and web push: the server's public key, subscribing and unsubscribing a browser."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import LazySettings

from core.testing.api import ApiClient, api_error
from core.testing.personas import World
from ema.actions import create_schedule
from ema.models import EmaSettings, Prompt, PushSubscription
from ema.push import generate_keys
from ema.tests.checkin_data import NOW, TODAY

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ENDPOINT = "https://push.example.org/send/abc123"
SUBSCRIPTION = {"endpoint": ENDPOINT, "keys": {"p256dh": "BNc-key", "auth": "tBHI-auth"}}


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# --- settings -----------------------------------------------------------------------------------


def test_a_patient_without_settings_gets_the_defaults(world: World) -> None:
    response = ApiClient(world.patient).get("/ema/settings")

    assert response.status_code == 200
    assert response.json() == {
        "sleep_start": None,
        "sleep_end": None,
        "push_enabled": True,
        "email_enabled": False,
    }


def test_settings_are_saved_and_read_back(world: World) -> None:
    api = ApiClient(world.patient)
    wanted = {
        "sleep_start": "22:30",
        "sleep_end": "07:15",
        "push_enabled": False,
        "email_enabled": True,
    }

    saved = api.put("/ema/settings", wanted)

    assert saved.status_code == 200, saved.content
    assert saved.json() == wanted
    assert api.get("/ema/settings").json() == wanted
    stored = EmaSettings.objects.get(patient=world.patient_record)
    assert (stored.sleep_start, stored.sleep_end) == (time(22, 30), time(7, 15))


def test_new_quiet_hours_replan_the_coming_prompts(world: World) -> None:
    # Given a schedule at 07:00, 12:00 and 23:30, planned for today and the next two days
    create_schedule(
        world.therapist,
        world.patient_record,
        kind="fixed",
        times=["07:00", "12:00", "23:30"],
        start_date=TODAY,
    )
    assert Prompt.objects.count() == 8  # today's 07:00 has passed

    # When the patient says they sleep from 23:00 to 08:00
    response = ApiClient(world.patient).put(
        "/ema/settings", {"sleep_start": "23:00", "sleep_end": "08:00"}
    )

    # Then only the noon prompts are left, none inside the quiet hours
    assert response.status_code == 200, response.content
    local = [p.scheduled_at.astimezone(AMSTERDAM) for p in Prompt.objects.order_by("scheduled_at")]
    assert [(p.day, p.time()) for p in local] == [(12 + n, time(12)) for n in range(3)]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"sleep_start": "23:00"}, 400, "sleep_end"),
        ({"sleep_start": "11pm", "sleep_end": "07:00"}, 422, "sleep_start"),
        ({"sleep_start": "23:00", "sleep_end": "24:00"}, 422, "sleep_end"),
        ({"push_enabled": "sometimes"}, 422, "push_enabled"),
    ],
)
def test_wrong_settings_are_refused_naming_the_field(
    world: World, body: dict[str, Any], status: int, field: str
) -> None:
    response = ApiClient(world.patient).put("/ema/settings", body)

    assert field in api_error(response, status)["fields"]
    assert not EmaSettings.objects.exists()


# --- web push ------------------------------------------------------------------------------------


def test_the_public_key_is_the_configured_one(world: World, settings: LazySettings) -> None:
    keys = generate_keys()
    settings.VAPID_PRIVATE_KEY = keys.private_pem
    settings.VAPID_PUBLIC_KEY = keys.public_key

    response = ApiClient(world.patient).get("/ema/push/key")

    assert response.status_code == 200
    assert response.json() == {"public_key": keys.public_key}


def test_without_keys_the_public_key_is_not_found(
    world: World, settings: LazySettings, tmp_path: Path
) -> None:
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    settings.DATA_DIR = tmp_path

    response = ApiClient(world.patient).get("/ema/push/key")

    assert api_error(response, 404)["message"] == (
        "Phone notifications are not set up on this server."
    )


def test_a_browser_subscribes_once_and_unsubscribes(world: World) -> None:
    api = ApiClient(world.patient)

    first = api.post("/ema/push/subscriptions", SUBSCRIPTION)
    again = api.post("/ema/push/subscriptions", SUBSCRIPTION)

    assert first.status_code == again.status_code == 201, first.content
    assert first.json() == {"endpoint": ENDPOINT, "created_at": "2025-03-12T09:00:00Z"}
    subscription = PushSubscription.objects.get()
    assert (subscription.user, subscription.p256dh, subscription.auth) == (
        world.patient,
        "BNc-key",
        "tBHI-auth",
    )
    assert subscription.revoked_at is None

    response = api.request("DELETE", "/ema/push/subscriptions", {"endpoint": ENDPOINT})

    assert response.status_code == 204
    subscription.refresh_from_db()
    assert subscription.revoked_at == NOW


def test_subscribing_again_after_unsubscribing_turns_it_back_on(world: World) -> None:
    api = ApiClient(world.patient)
    api.post("/ema/push/subscriptions", SUBSCRIPTION)
    api.request("DELETE", "/ema/push/subscriptions", {"endpoint": ENDPOINT})

    api.post("/ema/push/subscriptions", SUBSCRIPTION)

    assert PushSubscription.objects.get().revoked_at is None


def test_unsubscribing_an_unknown_or_someone_elses_browser_changes_nothing(
    world: World,
) -> None:
    ApiClient(world.patient).post("/ema/push/subscriptions", SUBSCRIPTION)

    response = ApiClient(world.other_patient).request(
        "DELETE", "/ema/push/subscriptions", {"endpoint": ENDPOINT}
    )
    unknown = ApiClient(world.patient).request(
        "DELETE", "/ema/push/subscriptions", {"endpoint": ENDPOINT + "-other"}
    )

    assert response.status_code == unknown.status_code == 204
    assert PushSubscription.objects.get().revoked_at is None


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://push.example.org/send/1",
        "https://127.0.0.1/send/1",
        "https://[::1]/send/1",
        "https://localhost/send/1",
        "https://metadata/computeMetadata",
        "not a url",
    ],
)
def test_only_a_push_services_https_address_is_accepted(world: World, endpoint: str) -> None:
    response = ApiClient(world.patient).post(
        "/ema/push/subscriptions", {**SUBSCRIPTION, "endpoint": endpoint}
    )

    assert "endpoint" in api_error(response, 422)["fields"]
    assert not PushSubscription.objects.exists()

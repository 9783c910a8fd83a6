"""Each user's own profile: name, time zone and language, and dates shown in their time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.flows import ClientFor
from core.testing.factories import make_token
from core.testing.personas import World

PROFILE = reverse("accounts:profile")

# 20:00 UTC on 10 January: already the next morning in Tokyo, still the same day in New York.
EVENING_UTC = datetime(2025, 1, 10, 20, 0, tzinfo=UTC)


def save_profile(client: Client, user: User, **changes: str) -> Any:
    data = {
        "full_name": user.full_name,
        "time_zone": user.time_zone,
        "language": user.language,
        **changes,
    }
    return client.post(PROFILE, data)


def test_user_changes_time_zone_language_and_name(world: World, client_for: ClientFor) -> None:
    client = client_for(world.patient)

    response = save_profile(
        client, world.patient, full_name="  Pat Renamed ", time_zone="Asia/Tokyo", language="en"
    )

    assert response["Location"] == PROFILE
    user = User.objects.get(pk=world.patient.pk)
    assert (user.full_name, user.time_zone, user.language) == ("Pat Renamed", "Asia/Tokyo", "en")
    assert "Your profile is saved." in client.get(PROFILE).text


@pytest.mark.parametrize("bad", ["Mars/Olympus_Mons", "asia/tokyo", "", "UTC+2"])
def test_invalid_time_zone_is_a_field_error(world: World, client_for: ClientFor, bad: str) -> None:
    response = save_profile(client_for(world.patient), world.patient, time_zone=bad)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["time_zone"]
    assert User.objects.get(pk=world.patient.pk).time_zone == world.patient.time_zone


def test_unknown_language_is_a_field_error(world: World, client_for: ClientFor) -> None:
    response = save_profile(client_for(world.patient), world.patient, language="xx")

    assert list(response.context["form"].errors) == ["language"]
    assert User.objects.get(pk=world.patient.pk).language == "en"


def test_profile_edits_only_ones_own_account(world: World, client_for: ClientFor) -> None:
    save_profile(client_for(world.patient), world.other_patient, time_zone="Asia/Tokyo")

    assert User.objects.get(pk=world.other_patient.pk).time_zone == world.other_patient.time_zone
    assert User.objects.get(pk=world.patient.pk).time_zone == "Asia/Tokyo"


@pytest.mark.parametrize(
    ("time_zone", "shown"),
    [
        ("UTC", "Feb. 9, 2025"),
        ("Asia/Tokyo", "Feb. 10, 2025"),
        ("America/New_York", "Feb. 9, 2025"),
    ],
)
def test_token_expiry_is_shown_in_the_users_time_zone(
    world: World, client_for: ClientFor, time_zone: str, shown: str
) -> None:
    # Given a token that expires at 20:00 UTC on 9 February
    with time_machine.travel(EVENING_UTC, tick=False):
        make_token(world.patient, days=30)

    # When the patient's time zone is set on their profile, and they look at their tokens
    client = client_for(world.patient)
    save_profile(client, world.patient, time_zone=time_zone)
    response = client.get(reverse("accounts:tokens"))

    # Then the expiry date is the date in their time zone
    assert f"<td>{shown}</td>" in response.text


def test_last_use_time_is_shown_in_the_users_time_zone(world: World, client_for: ClientFor) -> None:
    with time_machine.travel(EVENING_UTC, tick=False):
        _token, secret = make_token(world.patient)
        Client().get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {secret}")
    User.objects.filter(pk=world.patient.pk).update(time_zone="Asia/Tokyo")

    response = client_for(world.patient).get(reverse("accounts:tokens"))

    assert "Jan. 11, 2025, 5 a.m." in response.text


def test_api_reports_the_users_preferences(world: World, client_for: ClientFor) -> None:
    client = client_for(world.patient)
    save_profile(client, world.patient, time_zone="Asia/Tokyo")

    body = client.get(reverse("api:me")).json()

    assert (body["time_zone"], body["language"]) == ("Asia/Tokyo", "en")


def test_a_stored_unknown_time_zone_falls_back_to_utc(world: World, client_for: ClientFor) -> None:
    # Given a time zone that is no longer known (as after a tz database update)
    with time_machine.travel(EVENING_UTC, tick=False):
        make_token(world.patient, days=30)
    User.objects.filter(pk=world.patient.pk).update(time_zone="Atlantis/Lost")

    # When the patient opens a page with dates, it still renders, in UTC
    response = client_for(world.patient).get(reverse("accounts:tokens"))

    assert response.status_code == 200
    assert "<td>Feb. 9, 2025</td>" in response.text

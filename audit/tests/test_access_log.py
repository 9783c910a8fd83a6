"""Every read of a clinical record writes one access-log row; refusals and lists write none."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from audit.models import AccessLog, Channel
from core.testing.api import ApiClient, api_error
from core.testing.personas import World

pytestmark = pytest.mark.django_db


def detail_url(world: World) -> str:
    return reverse("care:patient_detail", args=[world.patient_record.public_id])


def api_path(world: World) -> str:
    return f"/api/v1/patients/{world.patient_record.public_id}"


def test_clinician_opening_the_page_writes_one_row(world: World, client_for: Any) -> None:
    response = client_for(world.therapist).get(detail_url(world) + "?from=caseload")

    assert response.status_code == 200
    [row] = AccessLog.objects.all()
    assert row.actor == world.therapist
    assert row.actor_email == world.therapist.email
    assert row.actor_role == "clinician"
    assert row.patient == world.patient_record
    assert row.resource == "care.view_patient"
    assert row.object_id == str(world.patient_record.public_id)
    assert row.channel == Channel.WEB
    assert row.ip_address == "127.0.0.1"
    assert row.path == detail_url(world) + "?from=caseload"
    assert row.break_glass is None


def test_clinician_reading_through_the_api_writes_one_row(world: World) -> None:
    response = ApiClient(world.facilitator, REMOTE_ADDR="192.0.2.44").get(api_path(world))

    assert response.status_code == 200
    [row] = AccessLog.objects.all()
    assert row.actor == world.facilitator
    assert row.actor_role == "facilitator"
    assert row.patient == world.patient_record
    assert row.channel == Channel.API
    assert row.ip_address == "192.0.2.44"
    assert row.path == api_path(world)


def test_every_read_is_a_row(world: World, client_for: Any) -> None:
    client = client_for(world.therapist)

    for _ in range(3):
        client.get(detail_url(world))

    assert AccessLog.objects.filter(actor=world.therapist).count() == 3


def test_patient_reading_their_own_record_is_logged(world: World, client_for: Any) -> None:
    page = client_for(world.patient).get(reverse("care:me"))
    api = ApiClient(world.patient).get("/me/patient")

    assert page.status_code == api.status_code == 200
    rows = AccessLog.objects.order_by("id")
    assert [(row.actor, row.patient, row.channel) for row in rows] == [
        (world.patient, world.patient_record, Channel.WEB),
        (world.patient, world.patient_record, Channel.API),
    ]


def test_supporter_reading_what_is_shared_is_logged(world: World, client_for: Any) -> None:
    page = client_for(world.supporter).get(
        reverse("care:shared_detail", args=[world.patient_record.public_id])
    )
    api = ApiClient(world.supporter).get(f"/shared/{world.patient_record.public_id}")

    assert page.status_code == api.status_code == 200
    rows = AccessLog.objects.order_by("id")
    assert [(row.actor, row.patient, row.resource, row.channel) for row in rows] == [
        (world.supporter, world.patient_record, "care.view_as_supporter", Channel.WEB),
        (world.supporter, world.patient_record, "care.view_as_supporter", Channel.API),
    ]


@pytest.mark.parametrize(
    ("forwarded", "proxies", "expected"),
    [
        # No trusted proxy: the header is the client's own words and is ignored.
        ("203.0.113.9", 0, "10.0.0.2"),
        # One proxy: the entry it appended (the last) is the client.
        ("198.51.100.1, 203.0.113.9", 1, "203.0.113.9"),
        # Two proxies: the outer one appended the client before the inner one's entry.
        ("198.51.100.1, 203.0.113.9, 10.0.0.1", 2, "203.0.113.9"),
        # Fewer entries than proxies: only the connecting address is known.
        ("203.0.113.9", 2, "10.0.0.2"),
        # A forged value that is not an address is never recorded.
        ("not-an-address", 1, "10.0.0.2"),
        ("2001:db8::7", 1, "2001:db8::7"),
    ],
)
def test_address_follows_trusted_proxy_count(
    world: World, forwarded: str, proxies: int, expected: str
) -> None:
    api = ApiClient(world.therapist, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        response = api.get(api_path(world))

    assert response.status_code == 200
    assert AccessLog.objects.get().ip_address == expected


def test_forwarded_address_on_a_page(world: World, client_for: Any) -> None:
    client = client_for(world.therapist)

    with override_settings(TRUSTED_PROXY_COUNT=1):
        client.get(detail_url(world), HTTP_X_FORWARDED_FOR="203.0.113.50")

    assert AccessLog.objects.get().ip_address == "203.0.113.50"


@pytest.mark.parametrize(
    "persona", ["outsider_clinician", "other_patient", "supporter", "researcher", "admin"]
)
def test_denied_attempt_writes_nothing(world: World, client_for: Any, persona: str) -> None:
    user = getattr(world, persona)

    page = client_for(user).get(detail_url(world))
    api = ApiClient(user).get(api_path(world))

    assert page.status_code in (403, 404)
    assert api.status_code in (403, 404)
    assert not AccessLog.objects.exists()


def test_unknown_or_malformed_id_writes_nothing(world: World, client_for: Any) -> None:
    client = client_for(world.therapist)

    client.get(reverse("care:patient_detail", args=[uuid.uuid4()]))
    client.get(reverse("care:patient_detail", args=["not-a-uuid"]))
    api_error(ApiClient(world.therapist).get(f"/patients/{uuid.uuid4()}"), 404)

    assert not AccessLog.objects.exists()


def test_lists_and_admin_pages_write_no_per_patient_rows(world: World, client_for: Any) -> None:
    # Given a clinician and an admin who open every list (and the non-clinical admin page)
    therapist = client_for(world.therapist)
    admin = client_for(world.admin)
    responses = [
        therapist.get(reverse("care:caseload")),
        therapist.get(reverse("care:patient_list")),
        admin.get(reverse("care:patient_list")),
        admin.get(reverse("care:patient_manage", args=[world.patient_record.public_id])),
        client_for(world.facilitator).get(reverse("care:facilitation")),
        ApiClient(world.therapist).get("/caseload"),
        ApiClient(world.admin).get("/patients"),
    ]

    # Then nothing was read from a clinical record, so nothing is logged
    assert [response.status_code for response in responses] == [200] * len(responses)
    assert not AccessLog.objects.exists()

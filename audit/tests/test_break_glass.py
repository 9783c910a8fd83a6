"""Break-glass: an admin opens one patient's record for a limited time, with a recorded reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from accounts.models import Role
from audit.models import AccessLog
from care.models import BreakGlassGrant
from core.testing.api import ApiClient, api_error
from core.testing.factories import make_user
from core.testing.personas import World

pytestmark = pytest.mark.django_db

REASON = "Patient's partner called: urgent safety concern tonight"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def detail_url(world: World) -> str:
    return reverse("care:patient_detail", args=[world.patient_record.public_id])


def break_glass_url(world: World) -> str:
    return reverse("care:break_glass", args=[world.patient_record.public_id])


def api_path(world: World) -> str:
    return f"/patients/{world.patient_record.public_id}"


def test_admin_without_a_grant_gets_not_found(world: World, client_for: Any) -> None:
    page = client_for(world.admin).get(detail_url(world))
    api = ApiClient(world.admin).get(api_path(world))

    assert page.status_code == 404
    api_error(api, 404)
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("reason", ["", "too short", "     padded     ", " " * 20 + "x"])
def test_reason_must_be_long_enough_on_page(world: World, client_for: Any, reason: str) -> None:
    response = client_for(world.admin).post(break_glass_url(world), {"reason": reason})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["reason"]
    assert not BreakGlassGrant.objects.exists()


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        ("too short", 422),
        # Long enough for the schema, but only one character once the padding is removed.
        (" " * 20 + "x", 400),
    ],
)
def test_reason_must_be_long_enough_in_api(world: World, reason: str, status: int) -> None:
    response = ApiClient(world.admin).post(f"{api_path(world)}/break-glass", {"reason": reason})

    assert api_error(response, status)["fields"].keys() == {"reason"}
    assert not BreakGlassGrant.objects.exists()


def test_grant_on_page_opens_the_record_and_links_each_read(world: World, client_for: Any) -> None:
    # Given an admin who records a reason
    client = client_for(world.admin)
    with time_machine.travel(START, tick=False):
        response = client.post(break_glass_url(world), {"reason": f"  {REASON}  "})

        # Then they are sent to the record, which opens
        assert response.status_code == 302
        assert response["Location"] == detail_url(world)
        grant = BreakGlassGrant.objects.get()
        assert grant.user == world.admin
        assert grant.patient == world.patient_record
        assert grant.reason == REASON
        assert grant.created_at == START
        assert grant.expires_at == START + settings.BREAK_GLASS_DURATION
        assert client.get(detail_url(world)).status_code == 200

    # And the read is logged against the grant
    [row] = AccessLog.objects.all()
    assert row.actor == world.admin
    assert row.actor_role == "admin"
    assert row.break_glass == grant


def test_grant_through_api_opens_the_record_and_links_each_read(world: World) -> None:
    api = ApiClient(world.admin)

    response = api.post(f"{api_path(world)}/break-glass", {"reason": REASON})

    assert response.status_code == 201, response.content
    body = response.json()
    grant = BreakGlassGrant.objects.get(public_id=body["public_id"])
    assert body["patient_id"] == str(world.patient_record.public_id)
    assert api.get(api_path(world)).status_code == 200
    [row] = AccessLog.objects.all()
    assert row.break_glass == grant
    assert row.channel == "api"


def test_reads_by_the_care_team_are_not_linked_to_an_admins_grant(
    world: World, client_for: Any
) -> None:
    ApiClient(world.admin).post(f"{api_path(world)}/break-glass", {"reason": REASON})

    client_for(world.therapist).get(detail_url(world))

    assert AccessLog.objects.get(actor=world.therapist).break_glass is None


def test_grant_expires_and_access_ends(world: World, client_for: Any) -> None:
    # Given a grant made at START
    with time_machine.travel(START, tick=False):
        api = ApiClient(world.admin)
        assert api.post(f"{api_path(world)}/break-glass", {"reason": REASON}).status_code == 201
    duration = settings.BREAK_GLASS_DURATION

    # When the admin reads just before it expires (fresh sign-ins, so that the idle
    # time-out of an old session cannot be what refuses them)
    with time_machine.travel(START + duration - timedelta(minutes=1), tick=False):
        before_page = client_for(world.admin).get(detail_url(world))
        before_api = api.get(api_path(world))

    # And again just after
    with time_machine.travel(START + duration + timedelta(seconds=1), tick=False):
        after_page = client_for(world.admin).get(detail_url(world))
        after_api = api.get(api_path(world))

    # Then the first reads succeed and the later ones find nothing
    assert before_page.status_code == 200
    assert before_api.status_code == 200
    assert after_page.status_code == 404
    api_error(after_api, 404)
    assert AccessLog.objects.count() == 2


def test_grant_opens_only_that_patient_for_only_that_admin(world: World, client_for: Any) -> None:
    second_admin = make_user(Role.ADMIN, world.organisation)
    ApiClient(world.admin).post(f"{api_path(world)}/break-glass", {"reason": REASON})

    other_patient = client_for(world.admin).get(
        reverse("care:patient_detail", args=[world.other_patient_record.public_id])
    )
    colleague = client_for(second_admin).get(detail_url(world))

    assert other_patient.status_code == 404
    assert colleague.status_code == 404


def test_admin_of_another_organisation_cannot_break_glass(world: World, client_for: Any) -> None:
    client = client_for(world.foreign_admin)
    api = ApiClient(world.foreign_admin)

    form = client.get(break_glass_url(world))
    page = client.post(break_glass_url(world), {"reason": REASON})
    api_response = api.post(f"{api_path(world)}/break-glass", {"reason": REASON})

    assert form.status_code == 404
    assert page.status_code == 404
    api_error(api_response, 404)
    assert not BreakGlassGrant.objects.exists()
    assert client.get(detail_url(world)).status_code == 404
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("persona", ["therapist", "outsider_clinician", "researcher"])
def test_only_admins_break_glass(world: World, client_for: Any, persona: str) -> None:
    user = getattr(world, persona)

    page = client_for(user).post(break_glass_url(world), {"reason": REASON})
    api = ApiClient(user).post(f"{api_path(world)}/break-glass", {"reason": REASON})

    assert page.status_code in (403, 404)
    assert api.status_code in (403, 404)
    assert not BreakGlassGrant.objects.exists()

"""Every API error has one JSON shape: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client, override_settings

from core.testing.api import ApiClient, api_error
from core.testing.factories import expire, make_token
from core.testing.personas import World

pytestmark = pytest.mark.django_db


def test_401_without_or_with_a_bad_token(world: World) -> None:
    _token, secret = make_token(world.therapist)
    token, expired_secret = make_token(world.therapist)
    expire(token)

    responses = [
        ApiClient(None).get("/caseload"),
        ApiClient(None, HTTP_AUTHORIZATION="Bearer wm_not-a-real-token").get("/caseload"),
        ApiClient(None, HTTP_AUTHORIZATION=f"Bearer {expired_secret}").get("/caseload"),
        ApiClient(None, HTTP_AUTHORIZATION=f"Basic {secret}").get("/caseload"),
    ]

    for response in responses:
        assert api_error(response, 401)["code"] == "not_authenticated"


def test_403_for_a_permission_the_user_lacks(world: World) -> None:
    error = api_error(ApiClient(world.patient).get("/caseload"), 403)

    assert error["code"] == "forbidden"
    assert error["fields"] == {}


def test_404_is_the_same_for_unknown_malformed_and_not_yours(world: World) -> None:
    api = ApiClient(world.outsider_clinician)

    unknown = api.get(f"/patients/{uuid.uuid4()}")
    malformed = api.get("/patients/not-a-uuid")
    not_yours = api.get(f"/patients/{world.patient_record.public_id}")

    errors = [api_error(response, 404) for response in (unknown, malformed, not_yours)]
    assert errors[0]["code"] == "not_found"
    assert errors[0] == errors[1] == errors[2], "ids must not be probeable"


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_unknown_api_path_answers_json_404(world: World, debug: bool, method: str) -> None:
    api = ApiClient(world.therapist)

    with override_settings(DEBUG=debug):
        responses = [
            api.request(method, "/no-such-thing"),
            api.request(method, "/patients/a/b/c/d"),
            api.request(method, "/"),
        ]

    for response in responses:
        assert api_error(response, 404)["code"] == "not_found"


def test_unknown_page_is_still_an_html_page(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/patients/{id}/care-team", {"POST"}),
        ("PATCH", "/patients/{id}", {"GET"}),
        ("PUT", "/caseload", {"GET"}),
    ],
)
def test_405_names_the_allowed_methods(
    world: World, method: str, path: str, allowed: set[str]
) -> None:
    url = path.replace("{id}", str(world.patient_record.public_id))

    response = ApiClient(world.admin).request(method, url, {})

    assert api_error(response, 405)["code"] == "method_not_allowed"
    assert {part.strip() for part in response["Allow"].split(",")} == allowed


def test_422_names_each_invalid_field(world: World) -> None:
    response = ApiClient(world.admin).post(
        "/patients", {"family_name": "", "date_of_birth": "yesterday"}
    )

    error = api_error(response, 422)
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"given_name", "family_name", "date_of_birth"}


def test_422_for_query_parameters_names_the_parameter(world: World) -> None:
    response = ApiClient(world.therapist).get("/caseload", {"page": "0"})

    assert set(api_error(response, 422)["fields"]) == {"page"}


def test_400_for_a_body_that_is_not_json(world: World) -> None:
    response = ApiClient(world.admin).post("/patients", "{not json")

    assert api_error(response, 400)["code"] == "bad_request"


def test_400_action_error_names_its_field(world: World) -> None:
    response = ApiClient(world.admin).post(
        "/patients", {"given_name": "A", "family_name": "B", "invite": True}
    )

    error = api_error(response, 400)
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["email"]
    assert error["fields"]["email"] == [error["message"]]


def test_400_action_error_without_a_field(world: World) -> None:
    # The patient already has an account: the refusal is about the whole request.
    response = ApiClient(world.admin).post(f"/patients/{world.patient_record.public_id}/invite", {})

    error = api_error(response, 400)
    assert error["fields"] == {}


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_413_for_a_body_over_the_limit(world: World) -> None:
    body = json.dumps({"given_name": "A" * 2000, "family_name": "B"})

    response = ApiClient(world.admin).post("/patients", body)

    assert api_error(response, 413)["code"] == "too_large"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_body_at_the_limit_is_read(world: World) -> None:
    body = json.dumps({"given_name": "A", "family_name": "B"})
    body += " " * (1024 - len(body))

    response = ApiClient(world.admin).post("/patients", body)

    assert response.status_code == 201


def test_409_is_in_the_same_shape(world: World) -> None:
    api = ApiClient(world.admin, HTTP_IDEMPOTENCY_KEY="k-409")
    api.post("/patients", {"given_name": "A", "family_name": "B"})

    response = api.post("/patients", {"given_name": "A", "family_name": "C"})

    assert api_error(response, 409)["code"] == "conflict"

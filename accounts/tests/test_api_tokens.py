"""Personal API tokens: created once, stored hashed, limited to their owner's permissions."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.tests.flows import ClientFor
from core.testing.factories import expire, make_token
from core.testing.personas import World, log_in

TOKENS_PAGE = reverse("accounts:tokens")
ME = reverse("api:me")
TOKENS_API = reverse("api:create_token")


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def assert_not_authenticated(response: HttpResponse) -> None:
    assert response.status_code == 401
    body = response.json()
    assert body == {
        "error": {"code": "not_authenticated", "message": body["error"]["message"], "fields": {}}
    }
    assert body["error"]["message"]


def post_json(client: Client, url: str, data: dict[str, Any], **extra: Any) -> HttpResponse:
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


# --- creating a token on the page ------------------------------------------------------------


def test_token_is_shown_once_and_only_its_hash_is_stored(
    world: World, client_for: ClientFor
) -> None:
    # Given the researcher on their tokens page
    client = client_for(world.researcher)

    # When they create a token
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        response = client.post(TOKENS_PAGE, {"name": "study laptop", "days": 30})

    # Then its secret is shown on the page
    secret = response.context["new_secret"]
    assert secret.startswith("wm_")
    assert len(secret) > 40
    assert secret in response.text

    # And only a SHA-256 hash of it is stored
    token = ApiToken.objects.get(user=world.researcher)
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = json.dumps(model_to_dict(token), default=str)
    assert secret not in stored
    assert secret.startswith(token.prefix)
    assert token.expires_at == start + timedelta(days=30)

    # And it is not shown again
    assert secret not in client.get(TOKENS_PAGE).text


def test_token_created_on_the_page_works_on_the_api(world: World, client_for: ClientFor) -> None:
    client = client_for(world.researcher)
    secret = client.post(TOKENS_PAGE, {"name": "script", "days": 7}).context["new_secret"]

    response = Client().get(ME, **bearer(secret))

    assert response.status_code == 200
    assert response.json()["email"] == world.researcher.email


def test_token_lifetime_is_bounded(world: World, client_for: ClientFor) -> None:
    client = client_for(world.researcher)

    response = client.post(
        TOKENS_PAGE, {"name": "forever", "days": settings.API_TOKEN_MAX_DAYS + 1}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["days"]
    assert response.context["new_secret"] is None
    assert not ApiToken.objects.filter(user=world.researcher).exists()


# --- using a token ----------------------------------------------------------------------------


def test_bearer_token_authenticates_as_its_owner(world: World, client: Client) -> None:
    _token, secret = make_token(world.patient)

    response = client.get(ME, **bearer(secret))

    assert response.status_code == 200
    body = response.json()
    assert body["public_id"] == str(world.patient.public_id)
    assert body["role"] == "patient"


def test_token_requests_leave_no_session_behind(world: World, client: Client) -> None:
    _token, secret = make_token(world.patient)

    response = client.get(ME, **bearer(secret))

    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    "header",
    ["Bearer wm_not-a-real-token", "Bearer ", "Token {secret}", "{secret}", "Bearer " + "x" * 300],
)
def test_malformed_or_unknown_token_is_refused(world: World, client: Client, header: str) -> None:
    _token, secret = make_token(world.patient)

    response = client.get(ME, HTTP_AUTHORIZATION=header.format(secret=secret))

    assert_not_authenticated(response)


def test_no_credentials_get_the_json_error(client: Client) -> None:
    assert_not_authenticated(client.get(ME))


def test_expired_token_is_refused(world: World, client: Client) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _token, secret = make_token(world.researcher, days=1)

    with time_machine.travel(start + timedelta(days=1, seconds=-1), tick=False):
        assert client.get(ME, **bearer(secret)).status_code == 200
    with time_machine.travel(start + timedelta(days=1, seconds=1), tick=False):
        assert_not_authenticated(client.get(ME, **bearer(secret)))


def test_expired_token_marked_in_the_database_is_refused(world: World, client: Client) -> None:
    token, secret = make_token(world.researcher)
    expire(token)

    assert_not_authenticated(client.get(ME, **bearer(secret)))


def test_revoked_token_is_refused(world: World, client_for: ClientFor) -> None:
    # Given a token in use
    token, secret = make_token(world.researcher)
    assert Client().get(ME, **bearer(secret)).status_code == 200

    # When its owner revokes it on the tokens page
    response = client_for(world.researcher).post(
        reverse("accounts:token_revoke", args=[token.public_id])
    )
    assert response["Location"] == TOKENS_PAGE

    # Then it no longer works
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert_not_authenticated(Client().get(ME, **bearer(secret)))


def test_revoking_through_the_api(world: World, client: Client) -> None:
    token, secret = make_token(world.researcher)
    _other, other_secret = make_token(world.researcher, name="other")

    response = client.delete(
        reverse("api:revoke_token", args=[token.public_id]), **bearer(other_secret)
    )

    assert response.status_code == 204
    assert_not_authenticated(client.get(ME, **bearer(secret)))
    assert client.get(ME, **bearer(other_secret)).status_code == 200


def test_nobody_can_revoke_someone_elses_token(world: World, client_for: ClientFor) -> None:
    token, secret = make_token(world.patient)
    _, other_secret = make_token(world.admin)

    page = client_for(world.admin).post(reverse("accounts:token_revoke", args=[token.public_id]))
    api = Client().delete(
        reverse("api:revoke_token", args=[token.public_id]), **bearer(other_secret)
    )

    assert page.status_code == 404
    assert api.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert Client().get(ME, **bearer(secret)).status_code == 200


def test_token_of_a_deactivated_user_is_refused(world: World, client: Client) -> None:
    _token, secret = make_token(world.therapist)
    User.objects.filter(pk=world.therapist.pk).update(is_active=False)

    assert_not_authenticated(client.get(ME, **bearer(secret)))


def test_last_used_is_recorded_at_most_once_a_minute(world: World, client: Client) -> None:
    token, secret = make_token(world.researcher)
    assert token.last_used_at is None
    start = timezone.now()

    def last_used_after_call_at(moment: timedelta) -> object:
        with time_machine.travel(start + moment, tick=False):
            assert client.get(ME, **bearer(secret)).status_code == 200
        token.refresh_from_db()
        return token.last_used_at

    assert last_used_after_call_at(timedelta(0)) == start
    assert last_used_after_call_at(timedelta(seconds=30)) == start
    assert last_used_after_call_at(timedelta(minutes=2)) == start + timedelta(minutes=2)


# --- creating tokens through the API ----------------------------------------------------------


def test_a_token_cannot_create_tokens(world: World, client: Client) -> None:
    _token, secret = make_token(world.researcher)

    response = post_json(client, TOKENS_API, {"name": "child", "days": 365}, **bearer(secret))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert ApiToken.objects.filter(user=world.researcher).count() == 1


def test_verified_browser_session_creates_a_token_with_csrf(world: World) -> None:
    # Given a signed-in, verified browser that enforces CSRF like a real one
    client = log_in(Client(enforce_csrf_checks=True), world.researcher)
    client.get(TOKENS_PAGE)
    csrf = client.cookies[settings.CSRF_COOKIE_NAME].value

    # When it posts without the CSRF token, it is refused
    refused = post_json(client, TOKENS_API, {"name": "forged"})
    assert refused.status_code == 403
    assert not ApiToken.objects.filter(user=world.researcher).exists()

    # Then with the CSRF token the token is created and its secret returned once
    response = post_json(client, TOKENS_API, {"name": "notebook"}, HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 201
    body = response.json()
    token = ApiToken.objects.get(user=world.researcher)
    assert body["public_id"] == str(token.public_id)
    assert token.key_hash == hashlib.sha256(body["secret"].encode()).hexdigest()
    assert Client().get(ME, **bearer(body["secret"])).status_code == 200


def test_token_list_never_shows_secrets_or_hashes(world: World, client: Client) -> None:
    token, secret = make_token(world.researcher)

    response = client.get(reverse("api:list_tokens"), **bearer(secret))

    assert response.status_code == 200
    assert [item["public_id"] for item in response.json()["items"]] == [str(token.public_id)]
    assert secret not in response.text
    assert token.key_hash not in response.text


@pytest.mark.parametrize("days", [0, settings.API_TOKEN_MAX_DAYS + 1])
def test_api_refuses_a_lifetime_out_of_bounds(
    world: World, client_for: ClientFor, days: int
) -> None:
    client = client_for(world.researcher)

    response = post_json(client, TOKENS_API, {"name": "x", "days": days})

    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["days"]


# --- a token carries its owner's permissions, no more --------------------------------------


def test_patient_token_cannot_list_patients(world: World, client: Client) -> None:
    _token, secret = make_token(world.patient)

    response = client.get(reverse("api:list_patients"), **bearer(secret))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_patient_token_reads_only_the_patients_own_record(world: World, client: Client) -> None:
    _token, secret = make_token(world.patient)

    own = client.get(reverse("api:my_patient_record"), **bearer(secret))
    other = client.get(
        reverse("api:get_patient", args=[world.other_patient_record.public_id]), **bearer(secret)
    )

    assert own.status_code == 200
    assert own.json()["public_id"] == str(world.patient_record.public_id)
    assert other.status_code == 404


def test_clinician_token_sees_only_their_caseload(world: World, client: Client) -> None:
    _token, secret = make_token(world.outsider_clinician)

    caseload = client.get(reverse("api:caseload"), **bearer(secret))
    not_theirs = client.get(
        reverse("api:get_patient", args=[world.patient_record.public_id]), **bearer(secret)
    )

    assert [p["public_id"] for p in caseload.json()["items"]] == [
        str(world.other_patient_record.public_id)
    ]
    assert not_theirs.status_code == 404


def test_token_loses_permissions_its_owner_loses(world: World, client: Client) -> None:
    # Given a clinician allowed to manage patients, with a token
    _token, secret = make_token(world.therapist)
    assert client.get(reverse("api:list_patients"), **bearer(secret)).status_code == 200

    # When that permission is taken away
    User.objects.filter(pk=world.therapist.pk).update(can_manage_patients=False)

    # Then the token loses it at once
    assert client.get(reverse("api:list_patients"), **bearer(secret)).status_code == 403

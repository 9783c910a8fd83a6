"""Web push delivery: what is sent, what is logged, and what a failing push service changes."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import http_ece
import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.core import mail
from pytest_django.fixtures import Settings
from pywebpush import WebPushException

from accounts.models import User
from care.models import Patient
from ema.dispatch import dispatch_due
from ema.models import Channel, Delivery, DeliveryOutcome, Prompt, PromptStatus, PushSubscription
from ema.push import VapidKeys, encode_private_key, generate_keys
from ema.questionnaires import DEFAULT_QUESTIONS
from ema.tests.builders import make_ema_patient, make_prompt, make_schedule, minutes

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)
CONTACT = "mailto:privacy@clinic.example"
DISCREET = {"title": "wisemind", "body": "You have a check-in waiting.", "url": "/checkins/"}


@pytest.fixture
def vapid(settings: Settings, tmp_path: Path) -> VapidKeys:
    """A server configured with VAPID keys from the environment (as in production)."""
    keys = generate_keys()
    settings.DATA_DIR = tmp_path
    settings.VAPID_PRIVATE_KEY = encode_private_key(keys.private_pem)
    settings.VAPID_PUBLIC_KEY = keys.public_key
    settings.VAPID_CONTACT = CONTACT
    return keys


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Browser:
    """A browser's push subscription: its key pair and auth secret, as a real one has."""

    def __init__(self, user: User, endpoint: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.subscription = PushSubscription.objects.create(
            user=user, endpoint=endpoint, p256dh=b64url(public), auth=b64url(self.auth)
        )

    def decrypt(self, body: bytes) -> Any:
        return json.loads(
            http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm")
        )


@pytest.fixture
def patient() -> Patient:
    return make_ema_patient(push_enabled=True, email_enabled=True)


def subscribe(patient: Patient, name: str = "phone") -> Browser:
    assert patient.user is not None
    return Browser(patient.user, f"https://push.example.net/send/{name}")


def due_prompt(patient: Patient) -> Prompt:
    return make_prompt(make_schedule(patient), NOW - minutes(1))


def deliveries(prompt: Prompt) -> list[tuple[str, str]]:
    return [(d.channel, d.outcome) for d in Delivery.objects.filter(prompt=prompt)]


def accepted() -> mock.Mock:
    return mock.Mock(status_code=201, text="", headers={})


def refused(status: int) -> WebPushException:
    return WebPushException(f"Push failed: {status}", response=mock.Mock(status_code=status))


@pytest.fixture
def webpush() -> Iterator[mock.Mock]:
    """pywebpush.webpush, which ema.push imports when it sends, replaced by a mock."""
    with mock.patch("pywebpush.webpush", return_value=accepted()) as fake:
        yield fake


# --- a push the service accepts ---------------------------------------------------------------


def test_an_accepted_push_is_logged_and_marks_the_subscription_working(
    vapid: VapidKeys, patient: Patient, webpush: mock.Mock
) -> None:
    # Given a phone whose earlier pushes failed twice
    phone = subscribe(patient)
    PushSubscription.objects.filter(pk=phone.subscription.pk).update(failures=2)
    prompt = due_prompt(patient)

    # When the prompt is dispatched and the push service accepts the push
    dispatch_due(NOW)

    # Then the push is logged as sent and the subscription as working again
    assert deliveries(prompt) == [
        (Channel.IN_APP, DeliveryOutcome.SENT),
        (Channel.PUSH, DeliveryOutcome.SENT),
        (Channel.EMAIL, DeliveryOutcome.SENT),
    ]
    phone.subscription.refresh_from_db()
    assert phone.subscription.last_success_at == NOW
    assert phone.subscription.failures == 0

    # And the push went to that phone, signed with the server's key, saying nothing clinical
    [call] = webpush.call_args_list
    kwargs = call.kwargs
    assert kwargs["subscription_info"] == {
        "endpoint": phone.subscription.endpoint,
        "keys": {"p256dh": phone.subscription.p256dh, "auth": phone.subscription.auth},
    }
    assert json.loads(kwargs["data"]) == DISCREET
    assert kwargs["vapid_claims"] == {"sub": CONTACT}
    assert (
        b64url(
            kwargs["vapid_private_key"].public_key.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )
        == vapid.public_key
    )


def test_the_push_the_phone_decrypts_is_discreet_and_signed_with_the_servers_key(
    vapid: VapidKeys, patient: Patient
) -> None:
    # Given a phone subscribed to notifications, and the real pywebpush (only HTTP is faked)
    phone = subscribe(patient)
    prompt = due_prompt(patient)
    with mock.patch("pywebpush.requests.post", return_value=accepted()) as post:
        # When the prompt is dispatched
        dispatch_due(NOW)

    # Then what the phone decrypts is only "a check-in is waiting" and where
    [call] = post.call_args_list
    assert call.args[0] == phone.subscription.endpoint
    payload = phone.decrypt(call.kwargs["data"])
    assert payload == DISCREET
    text = json.dumps(payload)
    for question in DEFAULT_QUESTIONS:
        assert question["text"] not in text
    assert patient.given_name not in text and prompt.questionnaire.name not in text

    # And the push service can check the VAPID signature against the server's public key
    headers = call.kwargs["headers"]
    token, key = (part.split("=", 1)[1] for part in headers["Authorization"][6:].split(","))
    assert headers["Authorization"].startswith("vapid ")
    assert key.strip() == vapid.public_key
    signed, _, signature = token.strip().rpartition(".")
    public = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), unb64url(vapid.public_key)
    )
    raw = unb64url(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, signed.encode(), ec.ECDSA(hashes.SHA256()))
    claims = json.loads(unb64url(signed.split(".")[1]))
    assert claims["aud"] == "https://push.example.net"
    assert claims["sub"] == CONTACT
    assert deliveries(prompt)[1] == (Channel.PUSH, DeliveryOutcome.SENT)


# --- a push the service refuses -------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_service_says_is_gone_is_revoked(
    vapid: VapidKeys, patient: Patient, webpush: mock.Mock, status: int
) -> None:
    # Given a phone that has unsubscribed (the push service answers 404 or 410)
    phone = subscribe(patient)
    webpush.side_effect = refused(status)
    prompt = due_prompt(patient)

    # When a prompt is dispatched
    assert dispatch_due(NOW) == 1

    # Then the failure is logged, the subscription revoked, and the other channels still work
    assert deliveries(prompt) == [
        (Channel.IN_APP, DeliveryOutcome.SENT),
        (Channel.PUSH, DeliveryOutcome.FAILED),
        (Channel.EMAIL, DeliveryOutcome.SENT),
    ]
    assert Delivery.objects.get(prompt=prompt, channel=Channel.PUSH).detail == (
        f"subscription gone: {status}"
    )
    phone.subscription.refresh_from_db()
    assert phone.subscription.revoked_at == NOW
    assert len(mail.outbox) == 1

    # And the next prompt is not pushed to it any more
    webpush.reset_mock()
    later = make_prompt(prompt.schedule, NOW + minutes(30))
    dispatch_due(NOW + minutes(31))
    assert deliveries(later)[1] == (Channel.PUSH, DeliveryOutcome.SKIPPED)
    webpush.assert_not_called()


@pytest.mark.parametrize(
    "error",
    [refused(500), refused(429), requests.ConnectionError("push service unreachable")],
    ids=["500", "429", "unreachable"],
)
def test_any_other_push_failure_counts_against_the_subscription_and_delivery_goes_on(
    vapid: VapidKeys, patient: Patient, webpush: mock.Mock, error: Exception
) -> None:
    phone = subscribe(patient)
    webpush.side_effect = error
    prompt = due_prompt(patient)

    assert dispatch_due(NOW) == 1

    assert deliveries(prompt) == [
        (Channel.IN_APP, DeliveryOutcome.SENT),
        (Channel.PUSH, DeliveryOutcome.FAILED),
        (Channel.EMAIL, DeliveryOutcome.SENT),
    ]
    assert str(error)[:50] in Delivery.objects.get(channel=Channel.PUSH).detail
    phone.subscription.refresh_from_db()
    assert phone.subscription.failures == 1
    assert phone.subscription.revoked_at is None
    assert phone.subscription.last_success_at is None
    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.SENT
    assert len(mail.outbox) == 1


def test_each_subscription_of_the_patient_gets_its_own_attempt(
    vapid: VapidKeys, patient: Patient, webpush: mock.Mock
) -> None:
    # Given a phone that has gone, a laptop that works, and a revoked old tablet
    phone, laptop, tablet = (subscribe(patient, name) for name in ("phone", "laptop", "tablet"))
    PushSubscription.objects.filter(pk=tablet.subscription.pk).update(revoked_at=NOW)

    def service(*, subscription_info: dict[str, Any], **kwargs: Any) -> mock.Mock:
        if subscription_info["endpoint"] == phone.subscription.endpoint:
            raise refused(410)
        return accepted()

    webpush.side_effect = service
    prompt = due_prompt(patient)

    dispatch_due(NOW)

    pushes = Delivery.objects.filter(prompt=prompt, channel=Channel.PUSH)
    assert sorted(pushes.values_list("outcome", flat=True)) == [
        DeliveryOutcome.FAILED,
        DeliveryOutcome.SENT,
    ]
    assert webpush.call_count == 2
    laptop.subscription.refresh_from_db()
    assert laptop.subscription.last_success_at == NOW


# --- a server without web push ----------------------------------------------------------------


def test_without_vapid_keys_push_is_skipped_and_the_subscription_not_blamed(
    settings: Settings, tmp_path: Path, patient: Patient, webpush: mock.Mock
) -> None:
    # Given a server with no keys in the environment and no development key file
    settings.DATA_DIR = tmp_path
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    phone = subscribe(patient)
    prompt = due_prompt(patient)

    dispatch_due(NOW)

    assert deliveries(prompt) == [
        (Channel.IN_APP, DeliveryOutcome.SENT),
        (Channel.PUSH, DeliveryOutcome.SKIPPED),
        (Channel.EMAIL, DeliveryOutcome.SENT),
    ]
    assert "not configured" in Delivery.objects.get(channel=Channel.PUSH).detail
    webpush.assert_not_called()
    phone.subscription.refresh_from_db()
    assert phone.subscription.failures == 0


def test_with_a_broken_key_in_the_environment_prompts_are_still_delivered(
    settings: Settings, tmp_path: Path, patient: Patient, webpush: mock.Mock
) -> None:
    settings.DATA_DIR = tmp_path
    settings.VAPID_PRIVATE_KEY = "not a key"
    settings.VAPID_PUBLIC_KEY = generate_keys().public_key
    subscribe(patient)
    prompt = due_prompt(patient)

    assert dispatch_due(NOW) == 1

    assert deliveries(prompt)[1] == (Channel.PUSH, DeliveryOutcome.SKIPPED)
    assert "misconfigured" in Delivery.objects.get(channel=Channel.PUSH).detail
    webpush.assert_not_called()


def test_a_patient_who_turned_notifications_off_gets_no_push(
    vapid: VapidKeys, webpush: mock.Mock
) -> None:
    patient = make_ema_patient(push_enabled=False, email_enabled=False)
    subscribe(patient)
    prompt = due_prompt(patient)

    dispatch_due(NOW + timedelta(seconds=1))

    assert deliveries(prompt) == [(Channel.IN_APP, DeliveryOutcome.SENT)]
    webpush.assert_not_called()

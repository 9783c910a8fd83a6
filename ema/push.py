"""Web push with VAPID (pywebpush). Keys come from the environment in production, and are
created once under the data directory in development (``wisemind vapid_keys``).

An environment variable holds one line, so ``WISEMIND_VAPID_PRIVATE_KEY`` carries the
private key's PEM text base64-encoded (standard alphabet, no line breaks), as
``wisemind vapid_keys --print`` prints it. A PEM pasted as is (with real line breaks, or
with ``\\n`` written out) is accepted too. ``WISEMIND_VAPID_PUBLIC_KEY`` is the matching
application server key (the uncompressed P-256 point, base64url without padding).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from ema.models import PushSubscription


class PushGone(Exception):
    """The push service says this subscription no longer exists (404/410)."""


@dataclass(frozen=True)
class VapidKeys:
    private_pem: str
    #: The application server key browsers subscribe with (uncompressed point, base64url).
    public_key: str


def keys_file() -> Path:
    return Path(settings.DATA_DIR) / "vapid.json"


def _load_private_key(pem: str) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"The VAPID private key cannot be read: {exc}") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ImproperlyConfigured("The VAPID private key must be an EC P-256 (prime256v1) key.")
    return key


def public_key_of(private_pem: str) -> str:
    """The application server key (base64url, unpadded) that belongs to ``private_pem``."""
    raw = (
        _load_private_key(private_pem)
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def generate_keys() -> VapidKeys:
    key = ec.generate_private_key(ec.SECP256R1())
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return VapidKeys(private_pem, public_key_of(private_pem))


def encode_private_key(private_pem: str) -> str:
    """The private key as one environment line: its PEM text, base64-encoded."""
    return base64.b64encode(private_pem.encode()).decode()


def decode_private_key(value: str) -> str:
    """The PEM text of ``WISEMIND_VAPID_PRIVATE_KEY`` (see the module docstring)."""
    text = value.strip()
    if not text.startswith("-----BEGIN"):
        try:
            compact = "".join(text.split())
            text = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True).decode()
        except (binascii.Error, ValueError) as exc:
            raise ImproperlyConfigured(
                "WISEMIND_VAPID_PRIVATE_KEY must be the base64-encoded PEM that "
                "'wisemind vapid_keys --print' prints."
            ) from exc
    pem = text.strip().replace("\\n", "\n") + "\n"
    _load_private_key(pem)
    return pem


def ensure_keys_file() -> tuple[VapidKeys, bool]:
    """Create the development key pair once; return it and whether it was created."""
    path = keys_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Created readable by the owner only, and only if no other process made it first.
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        data = json.loads(path.read_text())
        return VapidKeys(data["private_pem"], data["public_key"]), False
    keys = generate_keys()
    with os.fdopen(handle, "w") as file:
        json.dump({"private_pem": keys.private_pem, "public_key": keys.public_key}, file)
    vapid_keys.cache_clear()
    return keys, True


@cache
def vapid_keys() -> VapidKeys | None:
    """The configured keys: the environment first, then the development key file."""
    private, public = settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY
    if private or public:
        if not (private and public):
            raise ImproperlyConfigured(
                "Set both WISEMIND_VAPID_PRIVATE_KEY and WISEMIND_VAPID_PUBLIC_KEY, or neither."
            )
        pem = decode_private_key(private)
        if public_key_of(pem) != public.strip().rstrip("="):
            raise ImproperlyConfigured(
                "WISEMIND_VAPID_PUBLIC_KEY does not belong to WISEMIND_VAPID_PRIVATE_KEY."
            )
        return VapidKeys(pem, public.strip().rstrip("="))
    path = keys_file()
    if path.exists():
        data = json.loads(path.read_text())
        return VapidKeys(data["private_pem"], data["public_key"])
    return None


@receiver(setting_changed)
def _forget_keys(*, setting: str, **kwargs: Any) -> None:
    if setting in {"VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY", "DATA_DIR"}:
        vapid_keys.cache_clear()


def send_push(subscription: PushSubscription, payload: str) -> None:
    from py_vapid import Vapid02
    from pywebpush import WebPushException, webpush

    keys = vapid_keys()
    if keys is None:
        raise ImproperlyConfigured("Web push needs VAPID keys: run 'wisemind vapid_keys'.")
    try:
        webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=payload,
            # A key object (RFC 8292 "vapid t=…, k=…"): pywebpush reads a string as a file
            # name or as raw/DER base64, not as PEM.
            vapid_private_key=Vapid02(_load_private_key(keys.private_pem)),
            vapid_claims={"sub": settings.VAPID_CONTACT},
            ttl=3600,
            timeout=10,
        )
    except WebPushException as exc:
        status = getattr(exc.response, "status_code", None)
        if status in (404, 410):
            raise PushGone(str(status)) from exc
        raise

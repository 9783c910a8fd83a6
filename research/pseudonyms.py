"""Pseudonymous person ids: a keyed HMAC of the patient's id with the organisation's key.

``pseudonym(key, public_id)`` = ``"p_"`` + the first 16 hex digits (64 bits) of
HMAC-SHA256(key, ``b"wisemind-research-person:" + public_id.bytes``) (RFC 2104). The
same patient gets the same pseudonym in every export of one organisation; without the key
it cannot be computed from the patient's id, and two organisations' keys give unrelated
pseudonyms. 64 bits make a collision within one clinic vanishingly unlikely (about
n² / 2⁶⁵: 10⁻¹¹ for 10,000 patients).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

from django.db import IntegrityError, transaction

from research.models import PseudonymKey

KEY_BYTES = 32
_CONTEXT = b"wisemind-research-person:"


def pseudonym(key: bytes, public_id: uuid.UUID) -> str:
    """The pseudonym of the patient with ``public_id`` under ``key``."""
    digest = hmac.new(key, _CONTEXT + public_id.bytes, hashlib.sha256).hexdigest()
    return f"p_{digest[:16]}"


def organisation_key(organisation_id: int) -> bytes:
    """The organisation's pseudonym key, made (from ``secrets``) on first use."""
    found = PseudonymKey.objects.filter(organisation_id=organisation_id).first()
    if found is not None:
        return bytes(found.key)
    try:
        with transaction.atomic():
            made = PseudonymKey.objects.create(
                organisation_id=organisation_id, key=secrets.token_bytes(KEY_BYTES)
            )
    except IntegrityError:  # another export made it first: use theirs
        made = PseudonymKey.objects.get(organisation_id=organisation_id)
    return bytes(made.key)

"""Public identifiers: UUIDs in URLs, parsed strictly."""

from __future__ import annotations

import uuid

from django.http import Http404


def parse_public_id(value: object) -> uuid.UUID:
    """Parse a public id; anything malformed is "not found", like a missing record."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError) as exc:
        raise Http404 from exc

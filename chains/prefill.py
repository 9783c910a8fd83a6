"""What a chain started from a diary day carries over from that day's card.

The snapshot is a copy, taken when the chain is started: the worksheet shows the day as
the card said it then, even if the card changes later (today's and yesterday's cards can).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from care.models import Patient
from diary.models import DiaryCard
from diary.queries import cards_between


def card_of_day(patient: Patient, day: date) -> DiaryCard | None:
    """The patient's card for ``day`` with its target and emotion rows, or ``None``."""
    return cards_between(patient, day, day).get(day)


def day_snapshot(card: DiaryCard) -> dict[str, Any]:
    """The day's acted-on targets (behaviour), urges, emotion ratings and sleep, as plain JSON.

    ``card`` has its ``targets`` and ``emotions`` rows prefetched (``card_of_day``).
    """
    targets = list(card.targets.all())
    return {
        "date": card.date.isoformat(),
        "acted": [
            {"name": row.target.name, "detail": row.detail, "urge": row.urge}
            for row in targets
            if row.acted
        ],
        "urges": [
            {"name": row.target.name, "urge": row.urge} for row in targets if row.urge is not None
        ],
        "emotions": [
            {"name": row.emotion.name, "rating": row.rating}
            for row in card.emotions.all()
            if row.rating is not None
        ],
        "sleep_hours": None if card.sleep_hours is None else str(card.sleep_hours),
        "skills_used": card.skills_used,
    }


def behaviour_from(snapshot: dict[str, Any]) -> str:
    """The problem behaviour the worksheet starts with: the day's acted-on targets."""
    parts = []
    for acted in snapshot.get("acted", []):
        detail = acted.get("detail") or ""
        parts.append(f"{acted['name']} ({detail})" if detail else str(acted["name"]))
    return "; ".join(parts)


def acted_on(card: DiaryCard | None) -> bool:
    """Whether the card says a target behaviour was acted on (rows prefetched)."""
    return card is not None and any(row.acted for row in card.targets.all())

"""The risk-evaluation entry points: every saved diary card and EMA answer passes through here.

Callers (the diary and EMA actions) call these inside the transaction that saves the
data, so a rule that raises an alert commits together with what caused it, or not at
all. The rules themselves arrive with the safety issue; until then these functions
deliberately record nothing (no placeholder alerts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from diary.models import DiaryCard


def evaluate_diary_card(card: DiaryCard) -> list[str]:
    """Apply the risk rules to a saved card; returns the names of the rules that fired."""
    return []


def evaluate_ema_response(response: object) -> list[str]:
    """Apply the risk rules to a saved EMA answer; returns the names of the rules that fired."""
    return []

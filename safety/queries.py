"""Read-side shapes of the safety plan for pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from safety.plans import CONTACT_SECTIONS, HINTS, STEPS, PlanContent, Section


@dataclass(frozen=True)
class ShownSection:
    value: str
    label: str
    hint: str
    step: int
    is_contacts: bool
    items: tuple[Any, ...]


def plan_sections(plan: PlanContent) -> list[ShownSection]:
    """The six steps in order, each with its items (reasons for living are shown apart)."""
    return [
        ShownSection(
            section,
            str(Section(section).label),
            str(HINTS[section]),
            number,
            section in CONTACT_SECTIONS,
            plan.items(section),
        )
        for number, section in enumerate(STEPS, start=1)
    ]

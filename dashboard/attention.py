"""The caseload's attention ordering: who to look at first, and why, in words.

Pure functions over plain values (no database), so that the rules are easy to read and
test. The reasons, from the most to the least pressing:

1. **Open alerts** — at least one risk alert about the patient is not resolved.
2. **Reliable deterioration** — on some questionnaire, the patient's latest valid score
   is a reliable deterioration (Jacobson & Truax 1991, as ``measures.scoring`` labels it)
   against their baseline or their previous score.
3. **Rising urges** — for suicide or self-harm urges (the day's highest rating, 0–5),
   the mean over the last 7 days (today included) minus the mean over the 7 days before
   is at least ``RISE_POINTS`` (1 point), with at least ``MIN_RATED_DAYS`` rated days in
   each week; fewer rated days give no reason.
4. **Missed cards** — a patient who uses the app has no diary card for today nor any of
   the ``MISSED_DAYS`` (3) days before it (or has never sent one).

The order (``attention_key``): the most pressing reason; then more open alerts; then
more reasons; then the larger urge rise; then the longer time without a card; then the
name (case-insensitive) and the record's id, so that ties are always broken the same way.
Patients without a reason come last, by name.

These are prompts for a clinician's review, not a risk score or a diagnosis.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import IntEnum
from statistics import fmean
from typing import TypeVar

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

RISE_POINTS = 1.0
WEEK = 7
MIN_RATED_DAYS = 3
MISSED_DAYS = 3


class ReasonKind(IntEnum):
    """A reason for attention; the lower, the more pressing."""

    ALERTS = 0
    DETERIORATION = 1
    RISING_URGES = 2
    MISSED_CARDS = 3

    @property
    def slug(self) -> str:
        return self.name.lower().replace("_", "-")

    @classmethod
    def from_slug(cls, slug: str) -> ReasonKind | None:
        return next((kind for kind in cls if kind.slug == slug), None)


#: No reason: sorts after every reason.
NO_REASON = len(ReasonKind)


@dataclass(frozen=True)
class Reason:
    kind: ReasonKind
    text: str


@dataclass(frozen=True)
class Deterioration:
    """A reliable deterioration on the latest score of one questionnaire."""

    instrument: str
    against: str  # "baseline" or "previous"
    before: float
    after: float


@dataclass(frozen=True)
class Signals:
    """What the ordering looks at for one patient.

    ``suicide_urges`` and ``self_harm_urges`` are the day's highest ratings for the last
    14 days, oldest first, ending today (``None``: not rated that day).
    """

    name: str
    key: str
    today: date
    open_alerts: int = 0
    unacknowledged_alerts: int = 0
    deteriorations: tuple[Deterioration, ...] = ()
    suicide_urges: Sequence[int | None] = ()
    self_harm_urges: Sequence[int | None] = ()
    uses_app: bool = True
    last_card: date | None = None


@dataclass(frozen=True)
class UrgeRise:
    label: str
    recent: float
    earlier: float

    @property
    def rise(self) -> float:
        return self.recent - self.earlier


@dataclass(frozen=True)
class Assessment:
    reasons: tuple[Reason, ...]
    key: tuple[object, ...] = field(repr=False)

    @property
    def needs_attention(self) -> bool:
        return bool(self.reasons)

    @property
    def kinds(self) -> frozenset[ReasonKind]:
        return frozenset(reason.kind for reason in self.reasons)


def urge_rise(values: Sequence[int | None], label: str) -> UrgeRise | None:
    """The mean of the last 7 values minus that of the 7 before, or ``None`` when either
    week has fewer than ``MIN_RATED_DAYS`` rated days."""
    recent = [v for v in values[-WEEK:] if v is not None]
    earlier = [v for v in values[-2 * WEEK : -WEEK] if v is not None]
    if len(values) < 2 * WEEK or len(recent) < MIN_RATED_DAYS or len(earlier) < MIN_RATED_DAYS:
        return None
    return UrgeRise(label, fmean(recent), fmean(earlier))


def days_without_card(today: date, last_card: date | None) -> int | None:
    """Whole days before today without a card since the last one (``None``: never)."""
    if last_card is None:
        return None
    return max((today - last_card).days - 1, 0)


def _deterioration_text(found: Deterioration) -> str:
    values = {
        "instrument": found.instrument,
        "before": f"{found.before:g}",
        "after": f"{found.after:g}",
    }
    if found.against == "baseline":
        text = _("Reliable deterioration on %(instrument)s since baseline (%(before)s → %(after)s)")
    else:
        text = _(
            "Reliable deterioration on %(instrument)s since the previous score "
            "(%(before)s → %(after)s)"
        )
    return text % values


def assess(signals: Signals) -> Assessment:
    """The patient's reasons for attention, most pressing first, and their sort key."""
    reasons: list[Reason] = []
    if signals.open_alerts:
        text = ngettext("%(n)d open alert", "%(n)d open alerts", signals.open_alerts) % {
            "n": signals.open_alerts
        }
        if signals.unacknowledged_alerts:
            text += " " + _("(%(n)d not acknowledged)") % {"n": signals.unacknowledged_alerts}
        reasons.append(Reason(ReasonKind.ALERTS, text))
    seen: set[str] = set()
    for found in signals.deteriorations:
        if found.instrument in seen:  # one reason per questionnaire (baseline listed first)
            continue
        seen.add(found.instrument)
        reasons.append(Reason(ReasonKind.DETERIORATION, _deterioration_text(found)))
    rises = [
        rise
        for rise in (
            urge_rise(signals.suicide_urges, _("Suicide urges")),
            urge_rise(signals.self_harm_urges, _("Self-harm urges")),
        )
        if rise is not None and rise.rise >= RISE_POINTS
    ]
    for rise in rises:
        reasons.append(
            Reason(
                ReasonKind.RISING_URGES,
                _(
                    "%(label)s rising: mean %(recent).1f over the last 7 days, "
                    "%(earlier).1f the 7 days before"
                )
                % {"label": rise.label, "recent": rise.recent, "earlier": rise.earlier},
            )
        )
    gap = days_without_card(signals.today, signals.last_card)
    missed = signals.uses_app and (gap is None or gap >= MISSED_DAYS)
    if missed:
        if signals.last_card is None:
            text = _("No diary card yet")
        else:
            text = ngettext(
                "No diary card for %(n)d day (last: %(day)s)",
                "No diary card for %(n)d days (last: %(day)s)",
                gap or 0,
            ) % {"n": gap, "day": date_format(signals.last_card, "j M")}
        reasons.append(Reason(ReasonKind.MISSED_CARDS, text))
    top = min((reason.kind for reason in reasons), default=NO_REASON)
    largest_rise = max((rise.rise for rise in rises), default=0.0)
    if not missed:
        without = -1
    elif gap is None:
        without = 10**6  # never sent a card: the longest time without one
    else:
        without = gap
    key: tuple[object, ...] = (
        int(top),
        -signals.open_alerts,
        -len(reasons),
        -largest_rise,
        -without,
        signals.name.casefold(),
        signals.key,
    )
    return Assessment(tuple(reasons), key)


def attention_key(assessment: Assessment) -> tuple[object, ...]:
    return assessment.key


T = TypeVar("T")


def order_by_attention(rows: Sequence[T], assessment_of: Callable[[T], Assessment]) -> list[T]:
    """``rows`` in attention order (see the module's docstring)."""
    return sorted(rows, key=lambda row: assessment_of(row).key)


def urge_window(values_by_day: dict[date, int | None], today: date, days: int) -> list[int | None]:
    """The ``days`` values ending today, oldest first (``None`` where the day has none)."""
    first = today - timedelta(days=days - 1)
    return [values_by_day.get(first + timedelta(days=n)) for n in range(days)]

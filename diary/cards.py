"""What a card submission holds, which days can be filled, and how entries merge.

Pure functions over plain values, so that the rules are easy to read and test:

* ``editable_days`` — a patient fills today's and yesterday's card, in their own zone.
* ``merge_entry`` — several entries in one day keep the highest urge and rating.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

#: How far a client clock may run ahead of the server's before "filled at" is refused.
CLOCK_SKEW = timedelta(minutes=10)
#: The oldest "filled at" accepted: a phone may stay offline this long and lose nothing,
#: while older cards stay read-only as they are on the web.
OFFLINE_LIMIT = timedelta(days=14)


@dataclass(frozen=True)
class TargetValue:
    urge: int | None = None
    acted: bool | None = None
    detail: str = ""


@dataclass(frozen=True)
class CardValues:
    """One submission of a card. Keys of ``emotions``/``targets`` are item public ids."""

    emotions: dict[str, int | None] = field(default_factory=dict)
    targets: dict[str, TargetValue] = field(default_factory=dict)
    skills_used: int | None = None
    skills: tuple[str, ...] = ()
    prescribed_meds_taken: bool | None = None
    prn_meds: str = ""
    alcohol: str = ""
    drugs: str = ""
    sleep_hours: Decimal | None = None
    note: str = ""
    filled_in_session: bool = False


def local_today(time_zone: str, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(ZoneInfo(time_zone)).date()


def editable_days(time_zone: str, now: datetime | None = None) -> tuple[date, date]:
    """(yesterday, today) in the patient's zone: the cards a patient may fill or edit."""
    today = local_today(time_zone, now)
    return today - timedelta(days=1), today


def may_fill(day: date, time_zone: str, *, filled_at: datetime | None = None) -> bool:
    """Whether a card for ``day`` may be saved now.

    ``filled_at`` is when the patient filled it in (an offline card reaches the server
    later): it counts if it was within the editable window then and is not in the
    future. Without it, "now" decides.
    """
    now = timezone.now()
    if filled_at is not None:
        if filled_at > now + CLOCK_SKEW or filled_at < now - OFFLINE_LIMIT:
            return False
        yesterday, today = editable_days(time_zone, filled_at)
        return yesterday <= day <= today
    yesterday, today = editable_days(time_zone, now)
    return yesterday <= day <= today


def is_late(day: date, time_zone: str, now: datetime | None = None) -> bool:
    """A card first saved after its day has ended (in the patient's zone) is late."""
    return local_today(time_zone, now) > day


def _max(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _join(a: str, b: str, separator: str) -> str:
    parts = [part for part in (a.strip(), b.strip()) if part]
    if len(parts) == 2 and parts[1] in parts[0]:
        return parts[0]
    return separator.join(parts)


def merge_entry(current: CardValues, entry: CardValues) -> CardValues:
    """Combine a new entry for the same day into the card.

    Ratings and urges keep the highest value of the day; "acted on" stays yes once
    given; skills use keeps the highest level and the union of skills; free text is
    appended (without repeating identical text); medication and sleep take the latest
    answer given.
    """
    emotions = dict(current.emotions)
    for key, rating in entry.emotions.items():
        emotions[key] = _max(emotions.get(key), rating)
    targets = dict(current.targets)
    for key, value in entry.targets.items():
        before = targets.get(key, TargetValue())
        acted = before.acted
        if value.acted is not None:
            acted = bool(before.acted) or value.acted
        targets[key] = TargetValue(
            urge=_max(before.urge, value.urge),
            acted=acted,
            detail=_join(before.detail, value.detail, "; "),
        )
    skills = tuple(dict.fromkeys((*current.skills, *entry.skills)))
    return replace(
        current,
        emotions=emotions,
        targets=targets,
        skills_used=_max(current.skills_used, entry.skills_used),
        skills=skills,
        prescribed_meds_taken=(
            entry.prescribed_meds_taken
            if entry.prescribed_meds_taken is not None
            else current.prescribed_meds_taken
        ),
        prn_meds=_join(current.prn_meds, entry.prn_meds, "; "),
        alcohol=_join(current.alcohol, entry.alcohol, "; "),
        drugs=_join(current.drugs, entry.drugs, "; "),
        sleep_hours=entry.sleep_hours if entry.sleep_hours is not None else current.sleep_hours,
        note=_join(current.note, entry.note, "\n\n"),
        filled_in_session=current.filled_in_session or entry.filled_in_session,
    )

"""Therapy-session times (pure): a session's start is entered on the patient's wall clock
and stored as an instant; the questionnaire before it opens a number of *elapsed* hours
earlier and closes when the session starts.

Daylight-saving changes: the opening is ``start − hours`` on the UTC time line, so a
questionnaire set to open 24 hours before a Monday 10:00 session after the clocks went
back opens at Sunday 11:00 on the wall clock: exactly 24 hours, not "the day before at the
same time". A wall-clock start that does not exist (inside a spring-forward gap) is
refused; one that occurs twice (a fall-back hour) is its first occurrence (``fold=0``),
as everywhere else in wisemind.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


class NonexistentTime(ValueError):
    """The wall-clock time is skipped on that day (the clocks go forward)."""


def wall_clock_to_instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of naive ``wall`` in ``zone`` (its first occurrence); an aware
    ``wall`` is taken as the instant it already names."""
    if wall.tzinfo is not None:
        return wall.astimezone(UTC)
    placed = wall.replace(tzinfo=zone, fold=0)
    instant = placed.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall:
        raise NonexistentTime(wall.isoformat())
    return instant


def instant_to_wall_clock(instant: datetime, zone: ZoneInfo) -> datetime:
    """The naive wall-clock time of ``instant`` in ``zone``."""
    return instant.astimezone(zone).replace(tzinfo=None)


def opens_at(starts_at: datetime, hours_before: int) -> datetime:
    """When the questionnaire before a session starting at ``starts_at`` opens."""
    return starts_at - timedelta(hours=hours_before)

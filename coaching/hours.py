"""A clinician's coaching hours and when a request can expect an answer: pure, DST-correct.

``Hours`` holds weekly windows in the clinician's own time zone (local wall-clock times,
``start`` included, ``end`` excluded, never past midnight) and an optional "away until"
date (away through that whole local day). An instant is **available** when it is not in
an away day and its local wall-clock time, on its local weekday, lies in a window.

That definition decides the daylight-saving cases without special rules:

* spring forward: a window starting inside the gap (02:30 on a day 02:00–03:00 is
  skipped) starts at the transition (03:00 local); a window wholly inside the gap is
  not there that day;
* fall back: wall-clock times that occur twice are available both times, so a window of
  02:00–03:00 on that day is two hours long (or two periods, when only part of the
  repeated hour is in it).

``periods`` walks the available periods after an instant. Between two consecutive
"breakpoints" (a window's start or end and local midnight, each at both folds, and the
zone's transitions) availability cannot change, so it is tested once per stretch.
``next_available`` and ``answer_due`` are built on it. No database, no clock.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

#: How far ahead (in days after the last away day) to look for an available moment.
HORIZON_DAYS = 400
_CHUNK_DAYS = 7


@dataclass(frozen=True)
class Window:
    """Every ``weekday`` (0 = Monday) from ``start`` (included) to ``end`` (excluded)."""

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("window times are local wall-clock times, without a zone")
        if not self.start < self.end:
            raise ValueError("a window starts before it ends (and does not pass midnight)")

    def contains(self, wall: datetime) -> bool:
        return wall.weekday() == self.weekday and self.start <= wall.time() < self.end


@dataclass(frozen=True)
class Hours:
    time_zone: str
    windows: Sequence[Window] = field(default_factory=tuple)
    #: Away through this local date (inclusive); available again from the next day.
    away_until: date | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def _aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("pass an aware datetime")


def is_available(hours: Hours, moment: datetime) -> bool:
    """Whether ``moment`` (aware) lies in one of the windows and not in an away day."""
    _aware(moment)
    wall = moment.astimezone(hours.zone)
    if hours.away_until is not None and wall.date() <= hours.away_until:
        return False
    return any(window.contains(wall) for window in hours.windows)


def _instants(day: date, wall: time, zone: ZoneInfo) -> set[datetime]:
    """The UTC instants a local wall time maps to at either fold (equal unless ambiguous)."""
    local = datetime.combine(day, wall, tzinfo=zone)
    return {local.astimezone(UTC), local.replace(fold=1).astimezone(UTC)}


def _transition(lo: datetime, hi: datetime, zone: ZoneInfo) -> datetime | None:
    """The instant in (lo, hi] where the UTC offset changes, if it changes once there."""
    before = lo.astimezone(zone).utcoffset()
    if hi.astimezone(zone).utcoffset() == before:
        return None
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid <= lo:
            mid = lo + timedelta(seconds=1)
        if mid.astimezone(zone).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return hi


def _breakpoints(hours: Hours, day: date) -> set[datetime]:
    zone = hours.zone
    points = _instants(day, time(0), zone)
    for window in hours.windows:
        if window.weekday == day.weekday():
            points |= _instants(day, window.start, zone)
            points |= _instants(day, window.end, zone)
    start = min(points) - timedelta(hours=3)
    end = max(_instants(day + timedelta(days=1), time(0), zone)) + timedelta(hours=3)
    found = _transition(start, end, zone)
    if found is not None:
        points.add(found)
    return points


def periods(hours: Hours, after: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The available periods from ``after`` on, in order, as (start, end) in UTC.

    The first period is clipped to begin at ``after`` when ``after`` is available. Stops
    ``HORIZON_DAYS`` after the last away day (or at once when there are no windows).
    """
    _aware(after)
    if not hours.windows:
        return
    zone = hours.zone
    cursor = after.astimezone(UTC)
    day = cursor.astimezone(zone).date()
    if hours.away_until is not None and hours.away_until >= day:
        day = hours.away_until + timedelta(days=1)
    last = day + timedelta(days=HORIZON_DAYS)
    opened: datetime | None = None
    while day <= last:
        limit = min(_instants(day + timedelta(days=_CHUNK_DAYS), time(0), zone))
        points: set[datetime] = {cursor, limit}
        for offset in range(-1, _CHUNK_DAYS + 2):
            points |= _breakpoints(hours, day + timedelta(days=offset))
        stretch = sorted(p for p in points if cursor <= p <= limit)
        for begin in stretch[:-1]:
            if is_available(hours, begin):
                if opened is None:
                    opened = begin
            elif opened is not None:
                yield opened, begin
                opened = None
        cursor = max(cursor, limit)
        day += timedelta(days=_CHUNK_DAYS)
    if opened is not None:
        yield opened, cursor


def next_available(hours: Hours, now: datetime) -> datetime | None:
    """``now`` if it is available, else the first available moment after it.

    ``None`` when there are no windows (or none within the horizon)."""
    _aware(now)
    if is_available(hours, now):
        return now
    for start, _end in periods(hours, now):
        return start
    return None


def answer_due(hours: Hours, asked: datetime, within: timedelta) -> datetime | None:
    """When ``within`` of available time has passed since ``asked`` (an answer's deadline).

    Time outside the windows does not count: asked at 16:50 with windows 09:00–17:00 and
    ``within`` one hour, the answer is due at 09:50 on the next working day."""
    if within <= timedelta(0):
        return next_available(hours, asked)
    left = within
    for start, end in periods(hours, asked):
        if end - start >= left:
            return start + left
        left -= end - start
    return None

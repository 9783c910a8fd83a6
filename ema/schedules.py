"""EMA schedule rules, and the prompt times a rule gives on one local calendar day.

A rule is one of three frozen dataclasses:

- ``FixedTimes``: the same wall-clock times every day (09:00, 13:00, 20:30).
- ``RandomInWindows``: ``prompts_per_window`` random times in each daily window, every
  two prompts of the day at least ``min_gap`` apart (a signal-contingent design).
- ``EveryInterval``: from a window's start, every ``every``, up to and including its end.

``validate(rule)`` lists what is wrong with a rule in words a clinician can act on;
``prompt_times(rule, day, tz, sleep=..., seed=...)`` turns a valid rule into the
prompts of one local day as aware UTC datetimes. Both are pure: no database, no clock.

All times in a rule and in the ``SleepWindow`` are local wall-clock times in the
patient's zone, in whole minutes. How they become instants:

- **Daylight-saving changes.** A wall-clock time is converted with ``zoneinfo`` and
  ``fold=0`` (PEP 495). A time that does not exist on a spring-forward day (inside the
  gap) therefore moves forward by the length of the gap: 02:30 on 2026-03-29 in
  Europe/Amsterdam is sent at 03:30 CEST. A time that occurs twice on a fall-back day
  is sent at its first occurrence: 02:30 on 2026-10-25 in Europe/Amsterdam is 02:30
  CEST (00:30 UTC), not 02:30 CET. Random prompts are drawn from the wall-clock times
  of the window that exist, each at its first occurrence, so on a fall-back day they
  follow the same rule and on a spring-forward day they skip the missing hour.
- **Sleep window.** Intervals are half-open: a window or sleep window from 22:30 to
  07:00 contains 22:30 and not 07:00. A wrapping sleep window covers both the early
  morning and the evening of the same local day. A fixed or interval time is dropped
  when its configured wall-clock time, or the wall-clock time it actually falls on
  after a spring-forward shift, is in the sleep window. Random prompts are drawn only
  from the parts of their windows outside it.
- **Counts.** On an ordinary day a rule gives the configured number of prompts less
  those the sleep window removes. On a fall-back day the count is the same. On a
  spring-forward day a time inside the gap can land on another configured time (02:30
  and 03:30 both become 03:30 CEST); the two are one prompt then, and a random window
  that straddles the gap has an hour less room, which matters only when the prompts
  barely fit.
"""

from __future__ import annotations

import itertools
import random
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeAlias
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_PROMPTS_PER_DAY = 50
"""No rule may give more prompts a day than this (EMA burden; Trull 2008 used up to 6)."""

_MINUTE = 60
_HOUR = 3600
_DAY = 86_400
_EPOCH = date(1970, 1, 1)
# How often the UTC offset is sampled when looking for the day's transitions; zones do
# not change their offset twice within this span.
_OFFSET_PROBE = 30 * _MINUTE


@dataclass(frozen=True)
class DailyWindow:
    """Part of every day from ``start`` (included) to ``end`` (excluded), local wall clock.

    ``start`` must be before ``end``: a window does not wrap past midnight.
    ``validate`` reports a window that breaks this.
    """

    start: time
    end: time

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}–{_hhmm(self.end)}"


@dataclass(frozen=True)
class SleepWindow:
    """The patient's nightly quiet hours, local wall clock, ``start`` included, ``end`` not.

    It may wrap midnight (22:30 to 07:00); ``start == end`` means no sleep window.
    """

    start: time
    end: time


@dataclass(frozen=True)
class FixedTimes:
    """Prompts at the same local wall-clock times every day."""

    times: tuple[time, ...]


@dataclass(frozen=True)
class RandomInWindows:
    """``prompts_per_window`` random prompts in each window, pairwise ``min_gap`` apart.

    The gap holds between any two prompts of the day, across adjacent windows too.
    """

    windows: tuple[DailyWindow, ...]
    prompts_per_window: int
    min_gap: timedelta


@dataclass(frozen=True)
class EveryInterval:
    """A prompt at ``window.start`` and every ``every`` after it, up to and including
    ``window.end``."""

    window: DailyWindow
    every: timedelta


Rule: TypeAlias = FixedTimes | RandomInWindows | EveryInterval


# --- validation ---------------------------------------------------------------------------


def validate(rule: Rule) -> list[str]:
    """Return what is wrong with ``rule``, one sentence a clinician can act on per problem.

    An empty list means ``prompt_times`` accepts the rule. Checked: times are local,
    whole minutes; windows end after they start and do not overlap; the interval and
    the gap are whole minutes, the interval longer than zero, the gap not negative; at
    most ``MAX_PROMPTS_PER_DAY`` prompts a day; random prompts fit in their windows
    with the minimum gap (on an ordinary day, without a sleep window).
    """
    if isinstance(rule, FixedTimes):
        return _validate_fixed(rule)
    if isinstance(rule, RandomInWindows):
        return _validate_random(rule)
    return _validate_interval(rule)


def _validate_fixed(rule: FixedTimes) -> list[str]:
    if not rule.times:
        return [_("Add at least one time.")]
    problems = [problem for t in rule.times for problem in _time_problems(t)]
    seen: set[time] = set()
    for t in rule.times:
        if t in seen:
            problems.append(_("%(time)s is listed more than once.") % {"time": _hhmm(t)})
        seen.add(t)
    if len(rule.times) > MAX_PROMPTS_PER_DAY:
        problems.append(_too_many(len(rule.times)))
    return problems


def _validate_interval(rule: EveryInterval) -> list[str]:
    problems = _window_problems(rule.window)
    if rule.every <= timedelta(0):
        problems.append(_("The interval must be longer than zero."))
    elif rule.every % timedelta(minutes=1):
        problems.append(_("The interval must be a whole number of minutes."))
    if not problems:
        count = len(_interval_minutes(rule))
        if count > MAX_PROMPTS_PER_DAY:
            problems.append(_too_many(count))
    return problems


def _validate_random(rule: RandomInWindows) -> list[str]:
    problems: list[str] = []
    if not rule.windows:
        problems.append(_("Add at least one window."))
    if rule.prompts_per_window < 1:
        problems.append(_("Ask for at least one prompt per window."))
    if rule.min_gap < timedelta(0):
        problems.append(_("The minimum gap cannot be negative."))
    elif rule.min_gap % timedelta(minutes=1):
        problems.append(_("The minimum gap must be a whole number of minutes."))
    window_problems = [problem for w in rule.windows for problem in _window_problems(w)]
    problems.extend(window_problems)
    if window_problems:
        return problems
    windows = sorted(rule.windows, key=lambda w: w.start)
    for previous, window in itertools.pairwise(windows):
        if window.start < previous.end:
            problems.append(
                _("The windows %(first)s and %(second)s overlap.")
                % {"first": previous, "second": window}
            )
    total = len(windows) * rule.prompts_per_window
    if total > MAX_PROMPTS_PER_DAY:
        problems.append(_too_many(total))
    if problems:
        return problems
    return _fit_problems(windows, rule.prompts_per_window, _gap_minutes(rule.min_gap))


def _fit_problems(windows: Sequence[DailyWindow], wanted: int, gap: int) -> list[str]:
    """Check on an ordinary day's minute grid that ``wanted`` prompts fit in each window."""
    problems = []
    for window in windows:
        length = _minute_of_day(window.end) - _minute_of_day(window.start)
        if (wanted - 1) * gap >= length:
            problems.append(
                _(
                    "The window %(window)s is too short for %(count)d prompts at least"
                    " %(gap)s apart."
                )
                % {"window": window, "count": wanted, "gap": _describe_minutes(gap)}
            )
    if problems:
        return problems
    positions: list[int] = []
    owners: list[int] = []
    for index, window in enumerate(windows):
        minutes = range(_minute_of_day(window.start), _minute_of_day(window.end))
        positions.extend(minutes)
        owners.extend([index] * len(minutes))
    placed = greedy_counts(positions, owners, [wanted] * len(windows), gap)
    for index, count in enumerate(placed):
        if count < wanted:
            problems.append(
                _(
                    "The windows %(previous)s and %(window)s are too close together for"
                    " prompts at least %(gap)s apart; move them apart, shorten the gap or"
                    " ask for fewer prompts."
                )
                % {
                    "previous": windows[index - 1],
                    "window": windows[index],
                    "gap": _describe_minutes(gap),
                }
            )
            break
    return problems


def _window_problems(window: DailyWindow) -> list[str]:
    problems = [*_time_problems(window.start), *_time_problems(window.end)]
    if not problems and window.start >= window.end:
        problems.append(_("The window %(window)s must end after it starts.") % {"window": window})
    return problems


def _time_problems(t: time) -> list[str]:
    if t.tzinfo is not None:
        return [_("%(time)s must be a local time, without a time zone.") % {"time": _hhmm(t)}]
    if t.second or t.microsecond:
        return [_("Use whole minutes: %(time)s has seconds.") % {"time": t.isoformat()}]
    return []


def _too_many(count: int) -> str:
    return _("At most %(max)d prompts a day are allowed; this schedule gives %(count)d.") % {
        "max": MAX_PROMPTS_PER_DAY,
        "count": count,
    }


# --- prompt times -------------------------------------------------------------------------


def prompt_times(
    rule: Rule,
    day: date,
    tz: ZoneInfo,
    *,
    sleep: SleepWindow | None = None,
    seed: int | str = 0,
) -> list[datetime]:
    """Return the prompts ``rule`` gives on the local calendar ``day`` in ``tz``.

    The result is sorted, without duplicates, as aware UTC datetimes, each falling on
    ``day`` in ``tz`` and outside ``sleep``. Daylight-saving changes, the sleep window
    and counts follow the rules in the module docstring.

    Random prompts are deterministic for a given ``(seed, day)`` (the generator is
    ``random.Random(f"{seed}:{day.isoformat()}")``) and differ from day to day. They
    fall on whole UTC minutes and are drawn uniformly from every arrangement that puts
    ``prompts_per_window`` prompts in each window with consecutive prompts of the day at
    least ``min_gap`` apart in elapsed time; see ``sample_spaced``. When the sleep window
    (or the hour lost on a spring-forward day) leaves too little room, the earlier
    windows keep their prompts first and a window gets as many as still fit.

    Raises ``ValueError`` if ``validate(rule)`` finds a problem.
    """
    problems = validate(rule)
    if problems:
        raise ValueError(" ".join(problems))
    if sleep is not None and (sleep.start.tzinfo is not None or sleep.end.tzinfo is not None):
        raise ValueError("The sleep window must be in local wall-clock time.")
    if isinstance(rule, FixedTimes):
        return _at_wall_times(rule.times, day, tz, sleep)
    if isinstance(rule, EveryInterval):
        times = (time(minute // 60, minute % 60) for minute in _interval_minutes(rule))
        return _at_wall_times(times, day, tz, sleep)
    rng = random.Random(f"{seed}:{day.isoformat()}")  # noqa: S311 (scheduling, not security)
    return _random_times(rule, day, tz, sleep, rng)


def local_to_utc(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``wall`` on ``day`` in ``tz``, with ``fold=0``.

    Inside a spring-forward gap this is the instant the clock would show ``wall`` had it
    not jumped, i.e. ``wall`` plus the gap on the new clock; on a fall-back day it is the
    first occurrence.
    """
    return datetime.combine(day, wall, tzinfo=tz).astimezone(UTC)


def _at_wall_times(
    times: Iterable[time], day: date, tz: ZoneInfo, sleep: SleepWindow | None
) -> list[datetime]:
    instants: set[datetime] = set()
    for wall in times:
        if _in_sleep(wall, sleep):
            continue
        instant = local_to_utc(day, wall, tz)
        local = instant.astimezone(tz)
        # A time pushed past midnight by a gap at the end of the day belongs to no
        # prompt of ``day``; no zone in current use has such a gap.
        if local.date() != day or _in_sleep(local.time(), sleep):
            continue
        instants.add(instant)
    return sorted(instants)


def _interval_minutes(rule: EveryInterval) -> range:
    every = int(rule.every.total_seconds()) // _MINUTE
    return range(_minute_of_day(rule.window.start), _minute_of_day(rule.window.end) + 1, every)


def _in_sleep(wall: time, sleep: SleepWindow | None) -> bool:
    if sleep is None or sleep.start == sleep.end:
        return False
    if sleep.start < sleep.end:
        return sleep.start <= wall < sleep.end
    return wall >= sleep.start or wall < sleep.end


def _random_times(
    rule: RandomInWindows,
    day: date,
    tz: ZoneInfo,
    sleep: SleepWindow | None,
    rng: random.Random,
) -> list[datetime]:
    gap = _gap_minutes(rule.min_gap)
    windows = sorted(rule.windows, key=lambda w: w.start)
    quiet = _sleep_intervals(sleep)
    segments = offset_segments(day, tz)
    positions: list[int] = []
    owners: list[int] = []
    for index, window in enumerate(windows):
        awake = _subtract([(_second_of_day(window.start), _second_of_day(window.end))], quiet)
        for start, end in wall_to_utc_intervals(day, segments, awake):
            # the UTC minutes m with start <= 60 m < end
            minutes = range(-(-start // _MINUTE), -(-end // _MINUTE))
            positions.extend(minutes)
            owners.extend([index] * len(minutes))
    counts = greedy_counts(positions, owners, [rule.prompts_per_window] * len(windows), gap)
    chosen = sample_spaced(positions, owners, counts, gap, rng)
    return [datetime.fromtimestamp(minute * _MINUTE, UTC) for minute in chosen]


# --- time zone arithmetic -----------------------------------------------------------------

Segment: TypeAlias = tuple[int, int, int]
"""``(start, end, offset)``: from UTC second ``start`` to ``end`` the zone's offset is
``offset`` seconds. Seconds count from 1970-01-01T00:00 (UTC for instants; the same date
and time read on the wall clock for wall-clock times)."""


def offset_segments(day: date, tz: ZoneInfo) -> list[Segment]:
    """The stretches of constant UTC offset of ``tz`` around the local ``day``.

    They cover every instant whose wall-clock date in ``tz`` is ``day`` (offsets lie
    between -12 and +14 hours). The offset is probed every 30 minutes and a change is
    pinned to the second by bisection.
    """
    midnight = (day - _EPOCH).days * _DAY
    first, last = midnight - 15 * _HOUR, midnight + 39 * _HOUR
    segments: list[Segment] = []
    start, offset = first, _offset_at(tz, first)
    probe = first
    while probe < last:
        ahead = min(probe + _OFFSET_PROBE, last)
        if _offset_at(tz, ahead) == offset:
            probe = ahead
            continue
        before, after = probe, ahead  # offset(before) == offset != offset(after)
        while after - before > 1:
            middle = (before + after) // 2
            if _offset_at(tz, middle) == offset:
                before = middle
            else:
                after = middle
        segments.append((start, after, offset))
        start, offset = after, _offset_at(tz, after)
        probe = after
    segments.append((start, last, offset))
    return segments


def wall_to_utc_intervals(
    day: date, segments: Sequence[Segment], wall: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Map wall-clock intervals of ``day`` to the UTC intervals when the clock shows them.

    ``wall`` holds sorted, disjoint ``(start, end)`` seconds of the day. Each wall-clock
    time is taken at its first occurrence (on a fall-back day the wall clock goes back;
    times it shows again are skipped), and times that do not exist are left out, so the
    result is sorted, disjoint, and in the same order as ``wall``.
    """
    midnight = (day - _EPOCH).days * _DAY
    intervals = []
    shown_until: int | None = None  # the latest wall-clock time shown so far
    for start, end, offset in segments:
        wall_start, wall_end = start + offset, end + offset
        if shown_until is not None:
            wall_start = max(wall_start, shown_until)
            shown_until = max(shown_until, wall_end)
        else:
            shown_until = wall_end
        for low, high in wall:
            lo, hi = max(midnight + low, wall_start), min(midnight + high, wall_end)
            if lo < hi:
                intervals.append((lo - offset, hi - offset))
    return intervals


def _offset_at(tz: ZoneInfo, instant: int) -> int:
    offset = datetime.fromtimestamp(instant, tz).utcoffset()
    if offset is None:  # pragma: no cover - a ZoneInfo always has an offset
        raise ValueError(f"{tz} has no UTC offset")
    return int(offset.total_seconds())


def _sleep_intervals(sleep: SleepWindow | None) -> list[tuple[int, int]]:
    """The sleep window as sorted seconds-of-day intervals (``end`` rounded up)."""
    if sleep is None or sleep.start == sleep.end:
        return []
    start = _second_of_day(sleep.start)
    end = _second_of_day(sleep.end) + (1 if sleep.end.microsecond else 0)
    if sleep.start < sleep.end:
        return [(start, end)]
    return [(0, end), (start, _DAY)]


def _subtract(
    intervals: Sequence[tuple[int, int]], holes: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The parts of ``intervals`` outside ``holes`` (both sorted and disjoint)."""
    result = []
    for start, end in intervals:
        cursor = start
        for hole_start, hole_end in holes:
            if hole_end <= cursor or hole_start >= end:
                continue
            if hole_start > cursor:
                result.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
        if cursor < end:
            result.append((cursor, end))
    return result


# --- spaced random sampling ---------------------------------------------------------------


def greedy_counts(
    positions: Sequence[int], owners: Sequence[int], wanted: Sequence[int], gap: int
) -> list[int]:
    """How many prompts each window can get, earlier windows first.

    ``positions`` are the sorted grid points allowed for prompts and ``owners[i]`` the
    window that ``positions[i]`` belongs to (non-decreasing). Placing every prompt at the
    earliest point at least ``gap`` after the previous one leaves the most room for
    those after it (an exchange argument), so window ``w`` gets the most prompts it can,
    up to ``wanted[w]``, given that the earlier windows got theirs; the placement is a
    witness that the counts returned fit together.
    """
    placed = [0] * len(wanted)
    last: int | None = None
    for position, owner in zip(positions, owners, strict=True):
        if placed[owner] < wanted[owner] and (last is None or position - last >= gap):
            placed[owner] += 1
            last = position
    return placed


def count_arrangements(
    positions: Sequence[int], owners: Sequence[int], counts: Sequence[int], gap: int
) -> int:
    """The number of ways to put ``counts[w]`` prompts on the positions of each window ``w``
    with every two prompts at least ``gap`` apart (see ``sample_spaced``)."""
    table, _next = _arrangement_table(positions, owners, counts, gap)
    return table[0][sum(counts)]


def sample_spaced(
    positions: Sequence[int],
    owners: Sequence[int],
    counts: Sequence[int],
    gap: int,
    rng: random.Random,
) -> list[int]:
    """Draw, uniformly among all valid arrangements, ``counts[w]`` positions per window.

    Valid means every two chosen positions are at least ``gap`` apart, across windows
    too. ``positions`` are sorted grid points (here UTC minutes) and ``owners[i]`` the
    window of ``positions[i]``, non-decreasing; the points may have holes (the sleep
    window, a spring-forward gap, the time between windows).

    Method: count, then sample (the counting method of uniform random generation;
    Nijenhuis & Wilf, *Combinatorial Algorithms*, 2nd ed., 1978). ``N(i, k)``, the
    number of ways to place the last ``k`` prompts on positions ``i`` onwards, satisfies
    ``N(i, k) = N(i + 1, k) + N(next(i), k - 1)``, where ``next(i)`` is the first
    position at least ``gap`` after position ``i``, restricted to the ``k`` compatible
    with the per-window counts. Walking forward and taking
    position ``i`` with probability ``N(next(i), k - 1) / N(i, k)`` gives every
    arrangement the same probability, exactly and without rejection, in
    O(positions x prompts) time. For one window of ``L`` points it reduces to the
    closed form C(L - (n - 1)(gap - 1), n), which the tests check.

    ``counts`` must fit (``greedy_counts`` gives counts that do).
    """
    total = sum(counts)
    if total == 0:
        return []
    table, following = _arrangement_table(positions, owners, counts, gap)
    if table[0][total] == 0:
        raise ValueError("the requested counts do not fit")
    remaining_after = _suffix_sums(counts)
    chosen = []
    index, left = 0, total
    while left:
        lowest = remaining_after[owners[index] + 1]
        take = table[following[index]][left - 1] if left > lowest else 0
        if rng.randrange(table[index][left]) < take:
            chosen.append(positions[index])
            index, left = following[index], left - 1
        else:
            index += 1
    return chosen


def _arrangement_table(
    positions: Sequence[int], owners: Sequence[int], counts: Sequence[int], gap: int
) -> tuple[list[list[int]], list[int]]:
    """``table[i][k] = N(i, k)`` and ``following[i] = next(i)`` for ``sample_spaced``."""
    total = sum(counts)
    size = len(positions)
    remaining_after = _suffix_sums(counts)
    following = [bisect_left(positions, p + gap, i + 1) for i, p in enumerate(positions)]
    table = [[0] * (total + 1) for _ in range(size + 1)]
    table[size][0] = 1
    for index in range(size - 1, -1, -1):
        row, skip, take = table[index], table[index + 1], table[following[index]]
        # While on window w, between R(w + 1) and R(w) prompts remain to be placed,
        # where R(w) is the number wanted in windows w onwards.
        lowest = remaining_after[owners[index] + 1]
        row[lowest] = skip[lowest]
        for left in range(lowest + 1, remaining_after[owners[index]] + 1):
            row[left] = skip[left] + take[left - 1]
    return table, following


def _suffix_sums(counts: Sequence[int]) -> list[int]:
    sums = [0] * (len(counts) + 1)
    for index in range(len(counts) - 1, -1, -1):
        sums[index] = sums[index + 1] + counts[index]
    return sums


# --- small helpers ------------------------------------------------------------------------


def _gap_minutes(gap: timedelta) -> int:
    """The minimum gap in whole minutes; at least 1, as two prompts never share a minute."""
    return max(1, int(gap.total_seconds()) // _MINUTE)


def _minute_of_day(t: time) -> int:
    return t.hour * 60 + t.minute


def _second_of_day(t: time) -> int:
    return t.hour * _HOUR + t.minute * _MINUTE + t.second


def _hhmm(t: time) -> str:
    return t.strftime("%H:%M")


def _describe_minutes(minutes: int) -> str:
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}

"""The EMA scheduling engine: prompt times per local day, across zones and DST changes."""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ema.schedules import (
    MAX_PROMPTS_PER_DAY,
    DailyWindow,
    EveryInterval,
    FixedTimes,
    RandomInWindows,
    Rule,
    SleepWindow,
    count_arrangements,
    offset_segments,
    prompt_times,
    sample_spaced,
    validate,
)

ZONES = (
    "Europe/Amsterdam",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "UTC",
    "Pacific/Chatham",
)
# Spring-forward and fall-back days in the zones above (the strategies add the days
# around them). São Paulo's 2018/2019 changes happened at midnight.
DST_DAYS = (
    ("Europe/Amsterdam", date(2026, 3, 29)),
    ("Europe/Amsterdam", date(2026, 10, 25)),
    ("America/New_York", date(2026, 3, 8)),
    ("America/New_York", date(2026, 11, 1)),
    ("Australia/Sydney", date(2026, 4, 5)),
    ("Australia/Sydney", date(2026, 10, 4)),
    ("Pacific/Chatham", date(2026, 4, 5)),
    ("Pacific/Chatham", date(2026, 9, 27)),
    ("America/Sao_Paulo", date(2018, 11, 4)),
    ("America/Sao_Paulo", date(2019, 2, 16)),
)
PROPERTY = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def hm(text: str) -> time:
    return time.fromisoformat(text)


def seeded(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 (test draws, not security)


def asleep(wall: time, sleep: SleepWindow | None) -> bool:
    """Independent statement of the sleep rule: half-open, possibly wrapping midnight."""
    if sleep is None or sleep.start == sleep.end:
        return False
    if sleep.start < sleep.end:
        return sleep.start <= wall < sleep.end
    return not (sleep.end <= wall < sleep.start)


def is_short_day(day: date, tz: ZoneInfo) -> bool:
    """True on a spring-forward day, which has less than 24 hours."""
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return end - start < timedelta(hours=24)


# --- strategies ---------------------------------------------------------------------------

minutes_of_day = st.integers(0, 24 * 60 - 1)
wall_times = minutes_of_day.map(lambda m: time(m // 60, m % 60))
days = st.dates(date(2015, 1, 1), date(2035, 12, 31))
# A local day and a zone: any day in any zone, or a zone's own DST day or a day beside it
places = st.one_of(
    st.tuples(days, st.sampled_from(ZONES).map(ZoneInfo)),
    st.builds(
        lambda case, shift: (case[1] + timedelta(days=shift), ZoneInfo(case[0])),
        st.sampled_from(DST_DAYS),
        st.sampled_from((0, 0, -1, 1)),
    ),
)
seeds = st.one_of(st.integers(0, 2**32), st.text(max_size=8))
sleeps = st.one_of(st.none(), st.builds(SleepWindow, wall_times, wall_times))


def _window(start: int, end: int) -> DailyWindow:
    return DailyWindow(time(start // 60, start % 60), time(end // 60, end % 60))


@st.composite
def random_rules(draw: st.DrawFn) -> RandomInWindows:
    count = draw(st.integers(1, 3))
    bounds = sorted(
        draw(st.lists(minutes_of_day, min_size=2 * count, max_size=2 * count, unique=True))
    )
    windows: list[DailyWindow] = []
    for index in range(count):
        start, end = bounds[2 * index], bounds[2 * index + 1]
        if index and draw(st.booleans()):
            start = windows[-1].end.hour * 60 + windows[-1].end.minute  # touching windows
        windows.append(_window(start, end))
    rule = RandomInWindows(
        windows=tuple(windows),
        prompts_per_window=draw(st.integers(1, 5)),
        min_gap=timedelta(minutes=draw(st.integers(0, 120))),
    )
    assume(validate(rule) == [])
    return rule


@st.composite
def interval_rules(draw: st.DrawFn) -> EveryInterval:
    start = draw(st.integers(0, 24 * 60 - 2))
    end = draw(st.integers(start + 1, 24 * 60 - 1))
    shortest = -(-(end - start) // (MAX_PROMPTS_PER_DAY - 1))
    every = draw(st.integers(max(1, shortest), 12 * 60))
    return EveryInterval(_window(start, end), timedelta(minutes=every))


fixed_rules = st.lists(wall_times, min_size=1, max_size=10, unique=True).map(
    lambda times: FixedTimes(tuple(times))
)
rules = st.one_of(fixed_rules, interval_rules(), random_rules())


def configured_walls(rule: FixedTimes | EveryInterval) -> list[time]:
    if isinstance(rule, FixedTimes):
        return list(rule.times)
    start = rule.window.start.hour * 60 + rule.window.start.minute
    end = rule.window.end.hour * 60 + rule.window.end.minute
    step = int(rule.every.total_seconds() // 60)
    return [time(m // 60, m % 60) for m in range(start, end + 1, step)]


def sleep_meets_window(sleep: SleepWindow | None, window: DailyWindow) -> bool:
    if sleep is None or sleep.start == sleep.end:
        return False
    parts = (
        [(sleep.start, sleep.end)]
        if sleep.start < sleep.end
        else [(time(0), sleep.end), (sleep.start, time.max)]
    )
    return any(start < window.end and window.start < end for start, end in parts)


# --- properties ---------------------------------------------------------------------------


@PROPERTY
@given(rule=rules, place=places, sleep=sleeps, seed=seeds)
def test_output_is_sorted_unique_aware_utc_and_on_the_local_day(
    rule: Rule, place: tuple[date, ZoneInfo], sleep: SleepWindow | None, seed: int | str
) -> None:
    day, tz = place
    prompts = prompt_times(rule, day, tz, sleep=sleep, seed=seed)
    assert prompts == sorted(set(prompts))
    for prompt in prompts:
        assert prompt.tzinfo is UTC
        assert prompt.astimezone(tz).date() == day


@PROPERTY
@given(rule=rules, place=places, sleep=sleeps, seed=seeds)
def test_no_prompt_falls_in_the_sleep_window(
    rule: Rule, place: tuple[date, ZoneInfo], sleep: SleepWindow | None, seed: int | str
) -> None:
    day, tz = place
    for prompt in prompt_times(rule, day, tz, sleep=sleep, seed=seed):
        assert not asleep(prompt.astimezone(tz).time(), sleep)


@PROPERTY
@given(rule=random_rules(), place=places, sleep=sleeps, seed=seeds)
def test_random_prompts_keep_the_minimum_gap_and_their_windows(
    rule: RandomInWindows, place: tuple[date, ZoneInfo], sleep: SleepWindow | None, seed: int | str
) -> None:
    day, tz = place
    prompts = prompt_times(rule, day, tz, sleep=sleep, seed=seed)
    for earlier, later in itertools.pairwise(prompts):
        assert later - earlier >= max(rule.min_gap, timedelta(minutes=1))
    for prompt in prompts:
        assert prompt.second == 0
        wall = prompt.astimezone(tz).time()
        assert any(w.start <= wall < w.end for w in rule.windows)
    assert len(prompts) <= len(rule.windows) * rule.prompts_per_window


@PROPERTY
@given(rule=rules, place=places, sleep=sleeps, seed=seeds)
def test_the_count_is_as_configured_when_the_sleep_window_is_out_of_the_way(
    rule: Rule, place: tuple[date, ZoneInfo], sleep: SleepWindow | None, seed: int | str
) -> None:
    day, tz = place
    # Given a sleep window that does not meet the configured times or windows
    if isinstance(rule, RandomInWindows):
        assume(not any(sleep_meets_window(sleep, w) for w in rule.windows))
        configured = len(rule.windows) * rule.prompts_per_window
    else:
        walls = configured_walls(rule)
        assume(not any(asleep(wall, sleep) for wall in walls))
        configured = len(walls)
    # When the day's prompts are planned
    prompts = prompt_times(rule, day, tz, sleep=sleep, seed=seed)
    # Then every configured prompt is there, on fall-back days too; a spring-forward day
    # can merge two times or leave a window too little room
    if is_short_day(day, tz):
        assert len(prompts) <= configured
    else:
        assert len(prompts) == configured


@PROPERTY
@given(rule=random_rules(), place=places, sleep=sleeps, seed=seeds)
def test_random_prompts_are_deterministic_for_a_seed_and_day(
    rule: RandomInWindows, place: tuple[date, ZoneInfo], sleep: SleepWindow | None, seed: int | str
) -> None:
    day, tz = place
    first = prompt_times(rule, day, tz, sleep=sleep, seed=seed)
    assert prompt_times(rule, day, tz, sleep=sleep, seed=seed) == first


@PROPERTY
@given(
    length=st.integers(1, 80),
    wanted=st.integers(1, 6),
    gap=st.integers(1, 20),
)
def test_the_arrangement_count_matches_the_closed_form_for_one_window(
    length: int, wanted: int, gap: int
) -> None:
    # n points among L with consecutive ones at least g apart: C(L - (n - 1)(g - 1), n)
    expected = math.comb(max(0, length - (wanted - 1) * (gap - 1)), wanted)
    assert count_arrangements(range(length), [0] * length, [wanted], gap) == expected


def brute_force(
    positions: list[int], owners: list[int], counts: list[int], gap: int
) -> list[tuple[int, ...]]:
    valid = []
    for chosen in itertools.combinations(range(len(positions)), sum(counts)):
        per_window = Counter(owners[i] for i in chosen)
        points = [positions[i] for i in chosen]
        if all(per_window[w] == c for w, c in enumerate(counts)) and all(
            b - a >= gap for a, b in itertools.pairwise(points)
        ):
            valid.append(tuple(points))
    return valid


@PROPERTY
@given(
    layout=st.lists(st.tuples(st.booleans(), st.integers(0, 2)), min_size=1, max_size=14),
    counts=st.lists(st.integers(0, 2), min_size=3, max_size=3),
    gap=st.integers(1, 4),
    seed=st.integers(0, 1000),
)
def test_the_arrangement_count_matches_brute_force_with_holes_and_windows(
    layout: list[tuple[bool, int]], counts: list[int], gap: int, seed: int
) -> None:
    # Given grid points with holes, assigned in order to three windows
    kept = [(i, w) for i, (keep, w) in enumerate(layout) if keep]
    assume(kept)
    positions = [i for i, _ in kept]
    owners = sorted(w for _, w in kept)
    valid = brute_force(positions, owners, counts, gap)
    # Then the count is the number of valid arrangements, and a sample is one of them
    assert count_arrangements(positions, owners, counts, gap) == len(valid)
    if valid:
        assert tuple(sample_spaced(positions, owners, counts, gap, seeded(seed))) in valid


def test_every_arrangement_is_equally_likely() -> None:
    # Given two windows split by a hole, two prompts in the first and one in the second
    positions = [0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12]
    owners = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    counts, gap = [2, 1], 3
    valid = brute_force(positions, owners, counts, gap)
    # When many arrangements are drawn
    draws = 200 * len(valid)
    seen = Counter(
        tuple(sample_spaced(positions, owners, counts, gap, seeded(seed))) for seed in range(draws)
    )
    # Then only valid ones appear, each about equally often (chi-square well under the
    # 0.999 quantile for these degrees of freedom)
    assert set(seen) == set(valid)
    expected = draws / len(valid)
    chi_square = sum((seen[a] - expected) ** 2 / expected for a in valid)
    degrees = len(valid) - 1
    assert chi_square < degrees + 4.5 * math.sqrt(2 * degrees)


# --- daylight-saving changes: exact instants ------------------------------------------------

DST_CASES = [
    # zone, day, local wall time, expected UTC instant
    # Europe/Amsterdam spring forward 2026-03-29: 02:00 CET -> 03:00 CEST at 01:00 UTC
    ("Europe/Amsterdam", date(2026, 3, 29), "01:30", utc(2026, 3, 29, 0, 30)),
    ("Europe/Amsterdam", date(2026, 3, 29), "02:30", utc(2026, 3, 29, 1, 30)),  # gap: 03:30
    ("Europe/Amsterdam", date(2026, 3, 29), "04:00", utc(2026, 3, 29, 2, 0)),
    ("Europe/Amsterdam", date(2026, 3, 29), "09:00", utc(2026, 3, 29, 7, 0)),
    # Europe/Amsterdam fall back 2026-10-25: 03:00 CEST -> 02:00 CET at 01:00 UTC
    ("Europe/Amsterdam", date(2026, 10, 25), "01:30", utc(2026, 10, 24, 23, 30)),
    ("Europe/Amsterdam", date(2026, 10, 25), "02:30", utc(2026, 10, 25, 0, 30)),  # 1st: CEST
    ("Europe/Amsterdam", date(2026, 10, 25), "03:30", utc(2026, 10, 25, 2, 30)),
    ("Europe/Amsterdam", date(2026, 10, 25), "09:00", utc(2026, 10, 25, 8, 0)),
    # America/New_York spring forward 2026-03-08: 02:00 EST -> 03:00 EDT at 07:00 UTC
    ("America/New_York", date(2026, 3, 8), "01:30", utc(2026, 3, 8, 6, 30)),
    ("America/New_York", date(2026, 3, 8), "02:30", utc(2026, 3, 8, 7, 30)),  # gap: 03:30
    ("America/New_York", date(2026, 3, 8), "09:00", utc(2026, 3, 8, 13, 0)),
    # America/New_York fall back 2026-11-01: 02:00 EDT -> 01:00 EST at 06:00 UTC
    ("America/New_York", date(2026, 11, 1), "00:30", utc(2026, 11, 1, 4, 30)),
    ("America/New_York", date(2026, 11, 1), "01:30", utc(2026, 11, 1, 5, 30)),  # 1st: EDT
    ("America/New_York", date(2026, 11, 1), "02:30", utc(2026, 11, 1, 7, 30)),
    ("America/New_York", date(2026, 11, 1), "09:00", utc(2026, 11, 1, 14, 0)),
    # Australia/Sydney fall back 2026-04-05: 03:00 AEDT -> 02:00 AEST at 16:00 UTC
    ("Australia/Sydney", date(2026, 4, 5), "01:30", utc(2026, 4, 4, 14, 30)),
    ("Australia/Sydney", date(2026, 4, 5), "02:30", utc(2026, 4, 4, 15, 30)),  # 1st: AEDT
    ("Australia/Sydney", date(2026, 4, 5), "03:30", utc(2026, 4, 4, 17, 30)),
    ("Australia/Sydney", date(2026, 4, 5), "09:00", utc(2026, 4, 4, 23, 0)),
    # Australia/Sydney spring forward 2026-10-04: 02:00 AEST -> 03:00 AEDT at 16:00 UTC
    ("Australia/Sydney", date(2026, 10, 4), "01:30", utc(2026, 10, 3, 15, 30)),
    ("Australia/Sydney", date(2026, 10, 4), "02:30", utc(2026, 10, 3, 16, 30)),  # gap: 03:30
    ("Australia/Sydney", date(2026, 10, 4), "09:00", utc(2026, 10, 3, 22, 0)),
    # Pacific/Chatham, 45-minute offsets: 02:45 +12:45 -> 03:45 +13:45 on 2026-09-27
    ("Pacific/Chatham", date(2026, 9, 27), "03:00", utc(2026, 9, 26, 14, 15)),  # gap: 04:00
    ("Pacific/Chatham", date(2026, 4, 5), "03:00", utc(2026, 4, 4, 13, 15)),  # 1st: +13:45
    # America/Sao_Paulo sprang forward at midnight on 2018-11-04: 00:30 is sent at 01:30
    ("America/Sao_Paulo", date(2018, 11, 4), "00:30", utc(2018, 11, 4, 3, 30)),
    ("Asia/Kolkata", date(2026, 3, 29), "09:00", utc(2026, 3, 29, 3, 30)),
]


@pytest.mark.parametrize(("zone", "day", "wall", "expected"), DST_CASES)
def test_fixed_times_land_on_the_documented_instant(
    zone: str, day: date, wall: str, expected: datetime
) -> None:
    assert prompt_times(FixedTimes((hm(wall),)), day, ZoneInfo(zone)) == [expected]


def test_a_whole_dst_day_gives_every_fixed_time_at_once() -> None:
    amsterdam = ZoneInfo("Europe/Amsterdam")
    rule = FixedTimes((hm("09:00"), hm("02:30"), hm("01:30"), hm("21:00")))
    assert prompt_times(rule, date(2026, 10, 25), amsterdam) == [
        utc(2026, 10, 24, 23, 30),
        utc(2026, 10, 25, 0, 30),
        utc(2026, 10, 25, 8, 0),
        utc(2026, 10, 25, 20, 0),
    ]


def test_a_time_in_the_gap_merges_with_the_same_time_an_hour_later() -> None:
    rule = FixedTimes((hm("02:30"), hm("03:30")))
    amsterdam = ZoneInfo("Europe/Amsterdam")
    assert prompt_times(rule, date(2026, 3, 29), amsterdam) == [utc(2026, 3, 29, 1, 30)]
    assert len(prompt_times(rule, date(2026, 3, 28), amsterdam)) == 2


def test_every_interval_across_a_spring_forward_gap() -> None:
    rule = EveryInterval(DailyWindow(hm("01:00"), hm("04:00")), timedelta(minutes=30))
    # 02:00 and 02:30 EST do not exist: they become 03:00 and 03:30 EDT, already planned
    assert prompt_times(rule, date(2026, 3, 8), ZoneInfo("America/New_York")) == [
        utc(2026, 3, 8, 6, 0),
        utc(2026, 3, 8, 6, 30),
        utc(2026, 3, 8, 7, 0),
        utc(2026, 3, 8, 7, 30),
        utc(2026, 3, 8, 8, 0),
    ]


def test_every_interval_across_a_fall_back_keeps_its_count() -> None:
    rule = EveryInterval(DailyWindow(hm("00:00"), hm("03:00")), timedelta(minutes=30))
    # 01:00 and 01:30 are taken in EDT, their first occurrence
    assert prompt_times(rule, date(2026, 11, 1), ZoneInfo("America/New_York")) == [
        utc(2026, 11, 1, 4, 0),
        utc(2026, 11, 1, 4, 30),
        utc(2026, 11, 1, 5, 0),
        utc(2026, 11, 1, 5, 30),
        utc(2026, 11, 1, 7, 0),
        utc(2026, 11, 1, 7, 30),
        utc(2026, 11, 1, 8, 0),
    ]


def test_every_interval_includes_the_window_end() -> None:
    rule = EveryInterval(DailyWindow(hm("09:00"), hm("10:00")), timedelta(minutes=15))
    walls = [p.time() for p in prompt_times(rule, date(2026, 6, 1), ZoneInfo("UTC"))]
    assert walls == [hm("09:00"), hm("09:15"), hm("09:30"), hm("09:45"), hm("10:00")]
    rule = EveryInterval(DailyWindow(hm("09:00"), hm("10:00")), timedelta(minutes=25))
    walls = [p.time() for p in prompt_times(rule, date(2026, 6, 1), ZoneInfo("UTC"))]
    assert walls == [hm("09:00"), hm("09:25"), hm("09:50")]


def test_random_prompts_skip_the_missing_hour_and_keep_their_count_when_they_fit() -> None:
    amsterdam = ZoneInfo("Europe/Amsterdam")
    rule = RandomInWindows((DailyWindow(hm("01:00"), hm("04:00")),), 3, timedelta(minutes=20))
    for seed in range(50):
        prompts = prompt_times(rule, date(2026, 3, 29), amsterdam, seed=seed)
        assert len(prompts) == 3
        assert all(not hm("02:00") <= p.astimezone(amsterdam).time() < hm("03:00") for p in prompts)


def test_random_prompts_get_fewer_when_the_missing_hour_leaves_too_little_room() -> None:
    amsterdam = ZoneInfo("Europe/Amsterdam")
    # Two prompts 150 minutes apart fit in 01:00-04:00 on an ordinary day, not in the
    # two hours the spring-forward day has
    rule = RandomInWindows((DailyWindow(hm("01:00"), hm("04:00")),), 2, timedelta(minutes=150))
    assert len(prompt_times(rule, date(2026, 3, 28), amsterdam)) == 2
    assert len(prompt_times(rule, date(2026, 3, 29), amsterdam)) == 1


def test_random_prompts_in_the_repeated_hour_take_its_first_occurrence() -> None:
    amsterdam = ZoneInfo("Europe/Amsterdam")
    rule = RandomInWindows((DailyWindow(hm("02:00"), hm("03:00")),), 3, timedelta(minutes=10))
    for seed in range(50):
        prompts = prompt_times(rule, date(2026, 10, 25), amsterdam, seed=seed)
        assert len(prompts) == 3
        assert all(utc(2026, 10, 25, 0, 0) <= p < utc(2026, 10, 25, 1, 0) for p in prompts)


def test_random_prompts_on_a_day_that_starts_at_one_oclock() -> None:
    # São Paulo sprang forward at midnight on 2018-11-04: 00:00-01:00 did not exist
    sao_paulo = ZoneInfo("America/Sao_Paulo")
    rule = RandomInWindows((DailyWindow(hm("00:00"), hm("02:00")),), 3, timedelta(minutes=20))
    for seed in range(50):
        prompts = prompt_times(rule, date(2018, 11, 4), sao_paulo, seed=seed)
        assert len(prompts) == 3
        for prompt in prompts:
            local = prompt.astimezone(sao_paulo)
            assert local.date() == date(2018, 11, 4)
            assert hm("01:00") <= local.time() < hm("02:00")


def test_offset_segments_pin_a_transition_to_the_second() -> None:
    # Amsterdam's summer time moved from +01:19:32 to +01:20 at 1937-07-01 00:00 local,
    # 22:40:28 UTC: not on a whole or half hour
    segments = offset_segments(date(1937, 7, 1), ZoneInfo("Europe/Amsterdam"))
    assert [(datetime.fromtimestamp(start, UTC), offset) for start, _, offset in segments][1:] == [
        (datetime(1937, 6, 30, 22, 40, 28, tzinfo=UTC), 80 * 60)
    ]


@PROPERTY
@given(
    day=st.one_of(
        days,
        st.dates(date(1900, 1, 1), date(1950, 12, 31)),
        st.sampled_from([day for _, day in DST_DAYS]),
    ),
    zone=st.sampled_from((*ZONES, "Australia/Lord_Howe", "Africa/Casablanca")),
    probes=st.lists(st.floats(0, 1), min_size=1, max_size=5),
)
def test_offset_segments_agree_with_the_zone(day: date, zone: str, probes: list[float]) -> None:
    tz = ZoneInfo(zone)

    def offset(instant: int) -> int:
        found = datetime.fromtimestamp(instant, tz).utcoffset()
        assert found is not None
        return int(found.total_seconds())

    segments = offset_segments(day, tz)
    for (_, end, before), (start, _, after) in itertools.pairwise(segments):
        assert end == start
        assert before != after
        assert offset(start - 1) == before
        assert offset(start) == after
    for start, end, expected in segments:
        for probe in probes:
            assert offset(start + int(probe * (end - start - 1))) == expected


# --- sleep window -------------------------------------------------------------------------


def test_a_wrapping_sleep_window_includes_its_start_and_excludes_its_end() -> None:
    rule = FixedTimes(tuple(hm(t) for t in ("00:00", "06:59", "07:00", "22:29", "22:30", "23:59")))
    sleep = SleepWindow(hm("22:30"), hm("07:00"))
    walls = [p.time() for p in prompt_times(rule, date(2026, 6, 1), ZoneInfo("UTC"), sleep=sleep)]
    assert walls == [hm("07:00"), hm("22:29")]


def test_a_sleep_window_within_the_day_includes_its_start_and_excludes_its_end() -> None:
    rule = FixedTimes(tuple(hm(t) for t in ("12:59", "13:00", "14:59", "15:00")))
    sleep = SleepWindow(hm("13:00"), hm("15:00"))
    walls = [p.time() for p in prompt_times(rule, date(2026, 6, 1), ZoneInfo("UTC"), sleep=sleep)]
    assert walls == [hm("12:59"), hm("15:00")]


def test_an_empty_sleep_window_drops_nothing() -> None:
    rule = FixedTimes((hm("03:00"), hm("12:00")))
    sleep = SleepWindow(hm("07:00"), hm("07:00"))
    assert len(prompt_times(rule, date(2026, 6, 1), ZoneInfo("UTC"), sleep=sleep)) == 2


def test_a_time_moved_by_the_gap_is_dropped_if_it_lands_in_the_sleep_window() -> None:
    amsterdam = ZoneInfo("Europe/Amsterdam")
    # 02:30 is not asleep, but on the spring-forward day it is sent at 03:30, which is
    sleep = SleepWindow(hm("03:00"), hm("06:00"))
    assert prompt_times(FixedTimes((hm("02:30"),)), date(2026, 3, 29), amsterdam, sleep=sleep) == []
    # and a time that is asleep on ordinary days is not sent because the gap moved it out
    sleep = SleepWindow(hm("00:00"), hm("02:45"))
    assert prompt_times(FixedTimes((hm("02:30"),)), date(2026, 3, 29), amsterdam, sleep=sleep) == []


def test_random_prompts_use_only_the_awake_part_of_a_window() -> None:
    sleep = SleepWindow(hm("22:30"), hm("07:00"))
    rule = RandomInWindows((DailyWindow(hm("06:00"), hm("09:00")),), 3, timedelta(minutes=30))
    for seed in range(50):
        prompts = prompt_times(rule, date(2026, 6, 1), ZoneInfo("UTC"), sleep=sleep, seed=seed)
        assert len(prompts) == 3
        assert all(hm("07:00") <= p.time() < hm("09:00") for p in prompts)


def test_random_prompts_get_fewer_when_the_sleep_window_leaves_too_little_room() -> None:
    # Only 07:30-08:00 is awake: room for two prompts 20 minutes apart, not three
    sleep = SleepWindow(hm("22:30"), hm("07:30"))
    rule = RandomInWindows((DailyWindow(hm("06:00"), hm("08:00")),), 3, timedelta(minutes=20))
    prompts = prompt_times(rule, date(2026, 6, 1), ZoneInfo("UTC"), sleep=sleep)
    assert len(prompts) == 2
    # A window entirely asleep gets none
    rule = RandomInWindows((DailyWindow(hm("01:00"), hm("05:00")),), 3, timedelta(minutes=20))
    assert prompt_times(rule, date(2026, 6, 1), ZoneInfo("UTC"), sleep=sleep) == []


# --- random prompts -----------------------------------------------------------------------


def test_the_minimum_gap_holds_across_adjacent_windows() -> None:
    rule = RandomInWindows(
        (DailyWindow(hm("09:00"), hm("10:00")), DailyWindow(hm("10:00"), hm("11:00"))),
        1,
        timedelta(minutes=45),
    )
    gaps = []
    for seed in range(300):
        first, second = prompt_times(rule, date(2026, 6, 1), ZoneInfo("UTC"), seed=seed)
        assert first.time() < hm("10:00") <= second.time()
        gaps.append(second - first)
    assert min(gaps) >= timedelta(minutes=45)
    assert min(gaps) < timedelta(minutes=50)  # the constraint binds, so it is exercised


def test_random_prompts_differ_from_day_to_day_and_seed_to_seed() -> None:
    rule = RandomInWindows((DailyWindow(hm("09:00"), hm("21:00")),), 5, timedelta(minutes=30))
    tz = ZoneInfo("Europe/Amsterdam")
    week = [date(2026, 6, 1) + timedelta(days=n) for n in range(7)]
    walls = {tuple(p.astimezone(tz).time() for p in prompt_times(rule, day, tz)) for day in week}
    assert len(walls) == 7
    day = date(2026, 6, 1)
    assert prompt_times(rule, day, tz, seed="a") != prompt_times(rule, day, tz, seed="b")
    assert prompt_times(rule, day, tz, seed=7) == prompt_times(rule, day, tz, seed="7")


def test_random_prompts_for_a_seed_and_day_never_change() -> None:
    # The planner relies on a day's prompts being the same however often it is planned;
    # a change to the sampler that reshuffles them must be deliberate.
    rule = RandomInWindows(
        (
            DailyWindow(hm("09:00"), hm("12:00")),
            DailyWindow(hm("13:00"), hm("17:00")),
            DailyWindow(hm("18:00"), hm("21:30")),
        ),
        2,
        timedelta(minutes=45),
    )
    tz = ZoneInfo("Europe/Amsterdam")
    sleep = SleepWindow(hm("22:30"), hm("07:00"))
    prompts = prompt_times(rule, date(2026, 6, 1), tz, sleep=sleep, seed="schedule-42")
    assert [p.astimezone(tz).strftime("%H:%M") for p in prompts] == [
        "09:16",
        "11:35",
        "14:32",
        "15:46",
        "19:22",
        "21:07",
    ]


def test_random_prompts_spread_over_the_whole_window() -> None:
    rule = RandomInWindows((DailyWindow(hm("09:00"), hm("12:00")),), 1, timedelta(0))
    tz = ZoneInfo("UTC")
    minutes = [
        p.hour * 60 + p.minute - 9 * 60
        for seed in range(2000)
        for p in prompt_times(rule, date(2026, 6, 1), tz, seed=seed)
    ]
    assert min(minutes) == 0
    assert max(minutes) == 179
    assert abs(sum(minutes) / len(minutes) - 89.5) < 5


# --- validation ---------------------------------------------------------------------------


def test_valid_rules_have_no_problems() -> None:
    window = DailyWindow(hm("09:00"), hm("12:00"))
    assert validate(FixedTimes((hm("09:00"), hm("20:30")))) == []
    assert validate(RandomInWindows((window,), 3, timedelta(minutes=30))) == []
    assert validate(EveryInterval(window, timedelta(minutes=30))) == []


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        (FixedTimes(()), "Add at least one time."),
        (FixedTimes((hm("09:00"), hm("09:00"))), "09:00 is listed more than once."),
        (FixedTimes((time(9, 0, 30),)), "Use whole minutes: 09:00:30 has seconds."),
        (
            FixedTimes((time(9, tzinfo=UTC),)),
            "09:00 must be a local time, without a time zone.",
        ),
        (
            FixedTimes(tuple(time(h, m) for h in range(9) for m in (0, 10, 20, 30, 40, 50))),
            "At most 50 prompts a day are allowed; this schedule gives 54.",
        ),
        (
            EveryInterval(DailyWindow(hm("09:00"), hm("17:00")), timedelta(0)),
            "The interval must be longer than zero.",
        ),
        (
            EveryInterval(DailyWindow(hm("09:00"), hm("17:00")), timedelta(minutes=-5)),
            "The interval must be longer than zero.",
        ),
        (
            EveryInterval(DailyWindow(hm("09:00"), hm("17:00")), timedelta(seconds=90)),
            "The interval must be a whole number of minutes.",
        ),
        (
            EveryInterval(DailyWindow(hm("09:00"), hm("17:00")), timedelta(minutes=5)),
            "At most 50 prompts a day are allowed; this schedule gives 97.",
        ),
        (
            EveryInterval(DailyWindow(hm("22:00"), hm("07:00")), timedelta(minutes=60)),
            "The window 22:00–07:00 must end after it starts.",
        ),
        (
            RandomInWindows((), 3, timedelta(minutes=30)),
            "Add at least one window.",
        ),
        (
            RandomInWindows((DailyWindow(hm("09:00"), hm("12:00")),), 0, timedelta(0)),
            "Ask for at least one prompt per window.",
        ),
        (
            RandomInWindows((DailyWindow(hm("09:00"), hm("12:00")),), 2, timedelta(minutes=-1)),
            "The minimum gap cannot be negative.",
        ),
        (
            RandomInWindows((DailyWindow(hm("09:00"), hm("12:00")),), 2, timedelta(seconds=30)),
            "The minimum gap must be a whole number of minutes.",
        ),
        (
            RandomInWindows(
                (DailyWindow(hm("12:00"), hm("15:00")), DailyWindow(hm("09:00"), hm("12:30"))),
                2,
                timedelta(minutes=30),
            ),
            "The windows 09:00–12:30 and 12:00–15:00 overlap.",
        ),
        (
            RandomInWindows((DailyWindow(hm("09:00"), hm("10:00")),), 3, timedelta(minutes=30)),
            "The window 09:00–10:00 is too short for 3 prompts at least 30 minutes apart.",
        ),
        (
            RandomInWindows(
                (DailyWindow(hm("09:00"), hm("10:00")), DailyWindow(hm("10:00"), hm("11:00"))),
                2,
                timedelta(minutes=50),
            ),
            "The windows 09:00–10:00 and 10:00–11:00 are too close together for prompts at"
            " least 50 minutes apart; move them apart, shorten the gap or ask for fewer"
            " prompts.",
        ),
        (
            RandomInWindows(
                tuple(DailyWindow(time(h), time(h + 1)) for h in range(6, 23)),
                3,
                timedelta(minutes=1),
            ),
            "At most 50 prompts a day are allowed; this schedule gives 51.",
        ),
    ],
)
def test_validate_explains_each_problem(rule: Rule, problem: str) -> None:
    assert problem in validate(rule)


def test_the_fit_check_is_exact_at_the_boundary() -> None:
    window = (DailyWindow(hm("09:00"), hm("10:00")),)
    # Three prompts 29 minutes apart need 59 minutes after the first: 09:00, 09:29, 09:58
    assert validate(RandomInWindows(window, 3, timedelta(minutes=29))) == []
    assert validate(RandomInWindows(window, 3, timedelta(minutes=30))) != []


def test_prompt_times_refuses_an_invalid_rule() -> None:
    with pytest.raises(ValueError, match="must end after it starts"):
        prompt_times(
            EveryInterval(DailyWindow(hm("10:00"), hm("09:00")), timedelta(minutes=5)),
            date(2026, 6, 1),
            ZoneInfo("UTC"),
        )

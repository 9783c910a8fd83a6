"""The coaching-hours engine: pure, DST-correct, checked against a minute-by-minute oracle."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coaching.hours import Hours, Window, answer_due, is_available, next_available, periods

ZONES = [
    "UTC",
    "Europe/Amsterdam",
    "America/New_York",
    "Australia/Lord_Howe",  # a 30-minute daylight-saving shift
    "America/Santiago",  # the change happens at midnight: some days have no 00:00
    "Asia/Kolkata",
    "Pacific/Chatham",
]
AMS = ZoneInfo("Europe/Amsterdam")
WEEKDAYS = [Window(d, time(9), time(17)) for d in range(5)]


def at(zone: str, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone), fold=fold)  # type: ignore[misc]


# --- examples -------------------------------------------------------------------------------


def test_inside_a_window_is_now() -> None:
    hours = Hours("Europe/Amsterdam", WEEKDAYS)
    now = at("Europe/Amsterdam", 2026, 3, 25, 10, 15)  # a Wednesday
    assert next_available(hours, now) == now


def test_friday_evening_waits_for_monday_morning() -> None:
    hours = Hours("Europe/Amsterdam", WEEKDAYS)
    now = at("Europe/Amsterdam", 2026, 3, 27, 17, 0)  # Friday, the window just ended
    assert next_available(hours, now) == at("Europe/Amsterdam", 2026, 3, 30, 9, 0)


def test_end_is_excluded_and_start_included() -> None:
    hours = Hours("Europe/Amsterdam", WEEKDAYS)
    assert is_available(hours, at("Europe/Amsterdam", 2026, 3, 25, 9, 0))
    assert not is_available(hours, at("Europe/Amsterdam", 2026, 3, 25, 17, 0))


def test_window_starting_in_the_spring_gap_starts_at_the_transition() -> None:
    # 29 March 2026: Amsterdam jumps from 02:00 to 03:00 (a Sunday).
    hours = Hours("Europe/Amsterdam", [Window(6, time(2, 30), time(4))])
    found = next_available(hours, at("Europe/Amsterdam", 2026, 3, 28, 12))
    assert found == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 CEST


def test_window_wholly_in_the_gap_is_skipped_that_week() -> None:
    hours = Hours("Europe/Amsterdam", [Window(6, time(2, 0), time(2, 45))])
    found = next_available(hours, at("Europe/Amsterdam", 2026, 3, 28, 12))
    assert found == at("Europe/Amsterdam", 2026, 4, 5, 2, 0)


def test_repeated_hour_in_autumn_counts_twice() -> None:
    # 25 October 2026: Amsterdam goes from 03:00 CEST back to 02:00 CET (a Sunday).
    hours = Hours("Europe/Amsterdam", [Window(6, time(2), time(3))])
    first = next(periods(hours, at("Europe/Amsterdam", 2026, 10, 24, 12)))
    assert first == (
        datetime(2026, 10, 25, 0, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 2, 0, tzinfo=UTC),
    )


def test_away_days_are_skipped() -> None:
    hours = Hours("Europe/Amsterdam", WEEKDAYS, away_until=date(2026, 3, 31))
    found = next_available(hours, at("Europe/Amsterdam", 2026, 3, 25, 10))
    assert found == at("Europe/Amsterdam", 2026, 4, 1, 9, 0)


def test_no_windows_means_no_answer_time() -> None:
    hours = Hours("Europe/Amsterdam", ())
    now = at("Europe/Amsterdam", 2026, 3, 25, 10)
    assert next_available(hours, now) is None
    assert answer_due(hours, now, timedelta(hours=1)) is None


def test_answer_due_counts_only_coaching_hours() -> None:
    hours = Hours("Europe/Amsterdam", WEEKDAYS)
    asked = at("Europe/Amsterdam", 2026, 3, 27, 16, 50)  # Friday, 10 minutes left
    assert answer_due(hours, asked, timedelta(hours=1)) == at(
        "Europe/Amsterdam", 2026, 3, 30, 9, 50
    )


def test_answer_due_inside_a_window() -> None:
    hours = Hours("Europe/Amsterdam", WEEKDAYS)
    asked = at("Europe/Amsterdam", 2026, 3, 25, 10, 0)
    assert answer_due(hours, asked, timedelta(minutes=45)) == at(
        "Europe/Amsterdam", 2026, 3, 25, 10, 45
    )


def test_bad_windows_and_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        Window(0, time(17), time(9))
    with pytest.raises(ValueError):
        Window(7, time(9), time(17))
    with pytest.raises(ValueError):
        next_available(Hours("UTC", WEEKDAYS), datetime(2026, 1, 1))  # noqa: DTZ001


# --- properties -----------------------------------------------------------------------------

minutes = st.integers(min_value=0, max_value=24 * 60 - 1)


@st.composite
def windows(draw: st.DrawFn) -> Window:
    weekday = draw(st.integers(0, 6))
    a, b = sorted(draw(st.lists(minutes, min_size=2, max_size=2, unique=True)))
    return Window(weekday, time(a // 60, a % 60), time(b // 60, b % 60))


@st.composite
def hours_and_now(draw: st.DrawFn) -> tuple[Hours, datetime]:
    zone = draw(st.sampled_from(ZONES))
    found = draw(st.lists(windows(), min_size=1, max_size=4))
    # Instants around the daylight-saving changes of 2026 and ordinary days between.
    now = draw(
        st.datetimes(
            min_value=datetime(2026, 1, 1),  # noqa: DTZ001
            max_value=datetime(2026, 12, 31),  # noqa: DTZ001
        )
    ).replace(tzinfo=UTC)
    away = draw(st.none() | st.integers(-3, 10).map(lambda d: now.date() + timedelta(days=d)))
    return Hours(zone, tuple(found), away_until=away), now


def oracle(hours: Hours, now: datetime) -> datetime:
    """The first available moment at or after ``now``, by trying every minute."""
    if is_available(hours, now):
        return now
    moment = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    for _ in range(60 * 24 * 30):
        if is_available(hours, moment):
            return moment
        moment += timedelta(minutes=1)
    raise AssertionError("no available minute within 30 days")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hours_and_now())
def test_next_available_is_now_or_later_and_inside_a_window(case: tuple[Hours, datetime]) -> None:
    hours, now = case
    found = next_available(hours, now)
    assert found is not None
    assert found >= now
    assert is_available(hours, found)
    if is_available(hours, now):
        assert found == now
    # Nothing available just before it (when it is later than now).
    if found > now:
        assert not is_available(hours, max(now, found - timedelta(seconds=1)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hours_and_now())
def test_next_available_is_the_first_available_minute(case: tuple[Hours, datetime]) -> None:
    hours, now = case
    assert next_available(hours, now) == oracle(hours, now)


@settings(max_examples=60, deadline=None)
@given(hours_and_now(), st.integers(min_value=1, max_value=600))
def test_answer_due_is_after_that_much_available_time(
    case: tuple[Hours, datetime], within_minutes: int
) -> None:
    hours, now = case
    within = timedelta(minutes=within_minutes)
    due = answer_due(hours, now, within)
    start = next_available(hours, now)
    assert start is not None
    if due is None:  # tiny windows: not that much time within the horizon
        weekly = sum(
            (
                datetime.combine(date.min, w.end) - datetime.combine(date.min, w.start)
                for w in hours.windows
            ),
            timedelta(0),
        )
        assert weekly * 60 < within
        return
    assert due >= start + within
    # The available time between now and the deadline is exactly ``within``.
    counted = timedelta(0)
    for begin, end in periods(hours, now):
        if begin >= due:
            break
        counted += min(end, due) - begin
    assert counted == within


@settings(max_examples=60, deadline=None)
@given(hours_and_now())
def test_periods_are_ordered_disjoint_and_available_throughout(
    case: tuple[Hours, datetime],
) -> None:
    hours, now = case
    previous_end = now
    for n, (begin, end) in enumerate(periods(hours, now)):
        assert previous_end <= begin < end
        assert is_available(hours, begin)
        assert is_available(hours, end - timedelta(seconds=1))
        assert not is_available(hours, end)
        previous_end = end
        if n == 5:
            break

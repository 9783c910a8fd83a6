"""The report's sections as pure functions, on hand-built data."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from analytics.engine import Columns, compute_local
from reports.content import (
    Checkin,
    DiaryDay,
    Practice,
    Watch,
    acted_days,
    checkin_frame,
    instability_by_week,
    period_weeks,
    safety_events,
    skills_practised,
    summary,
    weekly_diary,
)

MONDAY = date(2026, 3, 2)


def test_period_weeks_are_iso_weeks_cut_to_the_period() -> None:
    weeks = period_weeks(date(2026, 3, 4), date(2026, 3, 10))
    assert weeks == [
        (date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 8)),
        (date(2026, 3, 9), date(2026, 3, 9), date(2026, 3, 10)),
    ]


def test_weekly_means_leave_missing_ratings_out() -> None:
    # Given three cards in the first week (one without misery) and one in the second
    days = [
        DiaryDay(MONDAY, misery=2, urges={"suicide": 1, "self_harm": 4}, skills_used=3),
        DiaryDay(MONDAY + timedelta(1), misery=None, urges={"suicide": 3}, sleep_hours=6.5),
        DiaryDay(
            MONDAY + timedelta(2), misery=5, urges={"suicide": None}, acted={"Self-harm": True}
        ),
        DiaryDay(MONDAY + timedelta(8), misery=0, skills_used=7, sleep_hours=8.0),
    ]
    # When the weeks are summarised
    first, second = weekly_diary(days, MONDAY, MONDAY + timedelta(13))
    # Then each mean is over the cards that have the rating
    assert (first.cards, first.days) == (3, 7)
    assert first.misery == pytest.approx(3.5)
    assert first.urges["suicide"] == pytest.approx(2.0)
    assert first.urges["self_harm"] == pytest.approx(4.0)
    assert first.urges["substance"] is None
    assert first.skills_used == pytest.approx(3.0)
    assert first.sleep_hours == pytest.approx(6.5)
    assert first.acted_days == 1
    assert (second.cards, second.misery, second.skills_used) == (1, 0.0, 7.0)
    assert second.urge_values == [None, None, None]


def test_acted_days_per_target_and_any() -> None:
    days = [
        DiaryDay(MONDAY, acted={"Self-harm": True, "Suicide": False}),
        DiaryDay(MONDAY + timedelta(1), acted={"Self-harm": True, "Suicide": True}),
        DiaryDay(MONDAY + timedelta(2), acted={"Self-harm": None, "Suicide": False}),
    ]
    assert acted_days(days) == [("Self-harm", 2), ("Suicide", 1), ("Any target", 2)]


def _checkin(day: int, hour: int, sad: float | None, answered: bool = True) -> Checkin:
    at = datetime(2026, 3, 2, hour, tzinfo=UTC) + timedelta(days=day)
    return Checkin(at, at.date(), answered, {"sad": sad if answered else None})


def test_summary_counts_cards_and_checkins() -> None:
    days = [DiaryDay(MONDAY + timedelta(n)) for n in (0, 1, 3, 20)]
    checkins = [_checkin(0, 9, 10), _checkin(0, 12, None, answered=False), _checkin(1, 9, 20)]
    found = summary(MONDAY, MONDAY + timedelta(6), days, checkins)
    assert (found.days, found.cards, found.checkins_due, found.checkins_answered) == (7, 3, 3, 2)


def test_instability_matches_the_analytics_engine_and_a_hand_computation() -> None:
    # Given two days of check-ins in week 1 (a missed one in between) and one day in week 2
    checkins = [
        _checkin(0, 9, 10),
        _checkin(0, 12, 40),
        _checkin(0, 15, 30),
        _checkin(1, 9, 50),  # overnight: not paired with day 0
        _checkin(1, 12, None, answered=False),  # breaks the pairs on each side
        _checkin(1, 15, 20),
        _checkin(1, 18, 30),
        _checkin(7, 9, 0),
        _checkin(7, 12, 60),
    ]
    # When the indices are computed per week
    (item,) = instability_by_week(checkins, [("sad", "Sad")], first=MONDAY + timedelta(1))
    week1, week2 = item.weeks
    # Then within-day pairs of week 1 are (10,40), (40,30), (20,30): Δ = 30, −10, 10
    assert week1.mssd == pytest.approx((900 + 100 + 100) / 3)
    assert (week1.n_rows, week1.n_obs) == (7, 6)
    assert week1.start == MONDAY + timedelta(1)  # cut to the period
    assert week2.mssd == pytest.approx(3600.0)
    # The PAC threshold is the pooled 0.9 quantile (type 7) of |Δ| = 10, 10, 30, 60
    assert item.pac_threshold == pytest.approx(
        float(pl.Series([10, 10, 30, 60]).quantile(0.9, "linear"))
    )
    assert week1.pac == pytest.approx(0.0)
    assert week2.pac == pytest.approx(1.0)
    # And every number equals the engine's on the same frame
    engine = compute_local(
        checkin_frame(checkins, ["sad"]),
        Columns(id="person", time="t", items=("sad",), day="day", period="week"),
    ).frame.sort("week")
    for week, row in zip(item.weeks, engine.iter_rows(named=True), strict=True):
        for ours, theirs in (
            (week.mssd, row["mssd_withinday"]),
            (week.pac, row["pac_withinday"]),
            (week.acf_lag1, row["acf_lag1_withinday"]),
            (week.sd, row["sd"]),
        ):
            if theirs is None or math.isnan(theirs):
                assert ours is None
            else:
                assert ours == pytest.approx(theirs, abs=1e-12)


def test_no_checkins_no_indices() -> None:
    assert instability_by_week([], [("sad", "Sad")]) == []


def test_skills_practised_counts_and_mean_change() -> None:
    rows = [Practice("TIP", 80, 40), Practice("TIP", 60, 50), Practice("STOP", 30, 35)]
    lines = skills_practised(rows)
    assert [(line.skill, line.times, line.mean_change) for line in lines] == [
        ("TIP", 2, -25.0),
        ("STOP", 1, 5.0),
    ]


def test_safety_events_count_alerts_by_rule() -> None:
    found = safety_events(
        ["Suicide urge 4+", "Missed cards", "Suicide urge 4+"],
        [Watch(date(2026, 3, 9), None), Watch(date(2026, 3, 2), date(2026, 3, 5))],
        [(2, date(2026, 3, 8)), (1, date(2026, 3, 1))],
    )
    assert found.alerts == 3
    assert found.alerts_by_rule == [("Suicide urge 4+", 2), ("Missed cards", 1)]
    assert [w.started for w in found.watches] == [date(2026, 3, 2), date(2026, 3, 9)]
    assert found.plan_versions == [(1, date(2026, 3, 1)), (2, date(2026, 3, 8))]

"""The pure card rules: which days a patient may fill, when a card is late, how entries merge."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from diary.cards import (
    CLOCK_SKEW,
    CardValues,
    TargetValue,
    editable_days,
    is_late,
    local_today,
    may_fill,
    merge_entry,
)

AUCKLAND = "Pacific/Auckland"
LOS_ANGELES = "America/Los_Angeles"
AMSTERDAM = "Europe/Amsterdam"

#: Half past eleven at night UTC: already 11 March (lunchtime) in Auckland, still the
#: afternoon of 10 March in Los Angeles.
NEAR_MIDNIGHT_UTC = datetime(2025, 3, 10, 23, 30, tzinfo=UTC)

#: Wednesday 12 March 2025, 10:00 in Amsterdam.
WEDNESDAY_MORNING = datetime(2025, 3, 12, 9, 0, tzinfo=UTC)


# --- strategies --------------------------------------------------------------------------------

ratings = st.none() | st.integers(min_value=0, max_value=5)
emotion_keys = st.sampled_from(["sadness", "anger", "joy"])
target_keys = st.sampled_from(["self-harm", "suicide", "alcohol"])
# Free text as a patient types it: words and punctuation, without surrounding blanks.
texts = st.text(alphabet="abc xyz,;.\n", max_size=12).map(str.strip)
target_values = st.builds(TargetValue, urge=ratings, acted=st.none() | st.booleans(), detail=texts)
card_values = st.builds(
    CardValues,
    emotions=st.dictionaries(emotion_keys, ratings, max_size=3),
    targets=st.dictionaries(target_keys, target_values, max_size=3),
    skills_used=st.none() | st.integers(min_value=0, max_value=7),
    skills=st.lists(
        st.sampled_from(["TIP", "check the facts", "opposite action"]), unique=True
    ).map(tuple),
    prescribed_meds_taken=st.none() | st.booleans(),
    prn_meds=texts,
    alcohol=texts,
    drugs=texts,
    sleep_hours=st.none() | st.decimals(min_value=0, max_value=24, places=1),
    note=texts,
    filled_in_session=st.booleans(),
)
zones = st.sampled_from(
    [AUCKLAND, LOS_ANGELES, AMSTERDAM, "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"]
)
instants = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive; tz added below)
    max_value=datetime(2026, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


def _high(a: int | None, b: int | None) -> int | None:
    known = [value for value in (a, b) if value is not None]
    return max(known) if known else None


# --- merging entries ---------------------------------------------------------------------------


@given(card_values, card_values)
def test_merge_keeps_the_highest_of_every_rating_and_urge(
    current: CardValues, entry: CardValues
) -> None:
    merged = merge_entry(current, entry)

    for key in current.emotions.keys() | entry.emotions.keys():
        assert merged.emotions[key] == _high(current.emotions.get(key), entry.emotions.get(key))
    for key in current.targets.keys() | entry.targets.keys():
        before = current.targets.get(key, TargetValue())
        new = entry.targets.get(key, TargetValue())
        assert merged.targets[key].urge == _high(before.urge, new.urge)
    assert merged.skills_used == _high(current.skills_used, entry.skills_used)


@given(card_values, card_values)
def test_merging_the_same_entry_twice_is_merging_it_once(
    current: CardValues, entry: CardValues
) -> None:
    # A retried entry (a lost response, an offline queue sent twice) changes nothing more.
    once = merge_entry(current, entry)

    assert merge_entry(once, entry) == once


@given(card_values, card_values)
def test_acted_on_stays_yes_once_given(current: CardValues, entry: CardValues) -> None:
    merged = merge_entry(current, entry)

    for key in current.targets.keys() | entry.targets.keys():
        said = [values.targets[key].acted for values in (current, entry) if key in values.targets]
        if True in said:
            assert merged.targets[key].acted is True
        elif False in said:
            assert merged.targets[key].acted is False
        else:
            assert merged.targets[key].acted is None


@given(card_values, card_values)
def test_free_text_keeps_both_entries_without_repeating_either(
    current: CardValues, entry: CardValues
) -> None:
    merged = merge_entry(current, entry)

    for name in ("note", "prn_meds", "alcohol", "drugs"):
        before, new, result = getattr(current, name), getattr(entry, name), getattr(merged, name)
        assert before in result
        assert new in result
        assert len(result) <= len(before) + len(new) + 2
    # The same text sent again is not written twice
    again = merge_entry(merged, replace(entry, note=merged.note))
    assert again.note == merged.note


def test_free_text_of_two_different_entries_is_appended() -> None:
    current = CardValues(note="Rough morning.", alcohol="2 beers")
    entry = CardValues(note="Better after the walk.", alcohol="1 glass of wine")

    merged = merge_entry(current, entry)

    assert merged.note == "Rough morning.\n\nBetter after the walk."
    assert merged.alcohol == "2 beers; 1 glass of wine"


@given(card_values)
def test_an_empty_entry_changes_nothing(current: CardValues) -> None:
    assert merge_entry(current, CardValues()) == current


@given(card_values, card_values)
def test_latest_answer_wins_for_medication_and_sleep(
    current: CardValues, entry: CardValues
) -> None:
    merged = merge_entry(current, entry)

    if entry.prescribed_meds_taken is not None:
        assert merged.prescribed_meds_taken is entry.prescribed_meds_taken
    else:
        assert merged.prescribed_meds_taken is current.prescribed_meds_taken
    expected_sleep = entry.sleep_hours if entry.sleep_hours is not None else current.sleep_hours
    assert merged.sleep_hours == expected_sleep
    assert set(merged.skills) == set(current.skills) | set(entry.skills)


def test_merge_example_worked_by_hand() -> None:
    # Given a morning entry and an evening entry of the same day
    morning = CardValues(
        emotions={"sadness": 4, "joy": None},
        targets={"self-harm": TargetValue(urge=3, acted=True, detail="scratched")},
        skills_used=2,
        sleep_hours=Decimal("6.5"),
    )
    evening = CardValues(
        emotions={"sadness": 1, "joy": 3},
        targets={"self-harm": TargetValue(urge=1, acted=False)},
        skills_used=5,
    )

    # When the evening entry is merged in
    merged = merge_entry(morning, evening)

    # Then the day keeps its worst moments and its best skills use
    assert merged.emotions == {"sadness": 4, "joy": 3}
    assert merged.targets == {"self-harm": TargetValue(urge=3, acted=True, detail="scratched")}
    assert merged.skills_used == 5
    assert merged.sleep_hours == Decimal("6.5")


# --- which days may be filled ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "yesterday", "today"),
    [
        (AUCKLAND, date(2025, 3, 10), date(2025, 3, 11)),
        (LOS_ANGELES, date(2025, 3, 9), date(2025, 3, 10)),
    ],
)
def test_editable_days_are_the_patients_own_today_and_yesterday(
    zone: str, yesterday: date, today: date
) -> None:
    assert editable_days(zone, NEAR_MIDNIGHT_UTC) == (yesterday, today)


@time_machine.travel(NEAR_MIDNIGHT_UTC, tick=False)
@pytest.mark.parametrize(
    ("zone", "day", "allowed"),
    [
        # 11 March is "today" in Auckland but still tomorrow in Los Angeles
        (AUCKLAND, date(2025, 3, 11), True),
        (LOS_ANGELES, date(2025, 3, 11), False),
        (AUCKLAND, date(2025, 3, 10), True),
        (LOS_ANGELES, date(2025, 3, 10), True),
        # 9 March is yesterday in Los Angeles but two days ago in Auckland
        (AUCKLAND, date(2025, 3, 9), False),
        (LOS_ANGELES, date(2025, 3, 9), True),
        (LOS_ANGELES, date(2025, 3, 8), False),
    ],
)
def test_may_fill_at_one_instant_depends_on_the_patients_zone(
    zone: str, day: date, allowed: bool
) -> None:
    assert may_fill(day, zone) is allowed


@given(instants, zones)
def test_exactly_today_and_yesterday_may_be_filled_anywhere(now: datetime, zone: str) -> None:
    local = now.astimezone(ZoneInfo(zone)).date()

    with time_machine.travel(now, tick=False):
        assert local_today(zone) == local
        assert editable_days(zone) == (local - timedelta(days=1), local)
        assert may_fill(local, zone)
        assert may_fill(local - timedelta(days=1), zone)
        assert not may_fill(local - timedelta(days=2), zone)
        assert not may_fill(local + timedelta(days=1), zone)


@pytest.mark.parametrize(("zone", "late"), [(AUCKLAND, True), (LOS_ANGELES, False)])
def test_is_late_once_the_day_has_ended_where_the_patient_lives(zone: str, late: bool) -> None:
    # At the same instant, 10 March is over in Auckland and not yet in Los Angeles
    assert is_late(date(2025, 3, 10), zone, NEAR_MIDNIGHT_UTC) is late


def test_a_card_saved_one_second_before_local_midnight_is_on_time() -> None:
    midnight = datetime(2025, 3, 13, tzinfo=ZoneInfo(AMSTERDAM))

    assert not is_late(date(2025, 3, 12), AMSTERDAM, midnight - timedelta(seconds=1))
    assert is_late(date(2025, 3, 12), AMSTERDAM, midnight)


@time_machine.travel(WEDNESDAY_MORNING, tick=False)
def test_filled_at_in_the_future_is_refused_beyond_the_clock_skew() -> None:
    today = date(2025, 3, 12)

    assert may_fill(today, AMSTERDAM, filled_at=WEDNESDAY_MORNING + CLOCK_SKEW)
    assert not may_fill(
        today, AMSTERDAM, filled_at=WEDNESDAY_MORNING + CLOCK_SKEW + timedelta(seconds=1)
    )
    assert not may_fill(today, AMSTERDAM, filled_at=WEDNESDAY_MORNING + timedelta(days=1))


@time_machine.travel(WEDNESDAY_MORNING, tick=False)
def test_offline_card_filled_yesterday_evening_and_sent_today_is_accepted_and_late() -> None:
    # Given a card for Tuesday filled on the phone at 21:30 on Tuesday, without a network
    tuesday = date(2025, 3, 11)
    filled_at = datetime(2025, 3, 11, 21, 30, tzinfo=ZoneInfo(AMSTERDAM))

    # When it reaches the server on Wednesday morning
    # Then it is accepted, and marked late (first saved after its day)
    assert may_fill(tuesday, AMSTERDAM, filled_at=filled_at)
    assert is_late(tuesday, AMSTERDAM)


@time_machine.travel(WEDNESDAY_MORNING, tick=False)
def test_offline_card_filled_after_its_window_closed_is_refused() -> None:
    # Sunday's card "filled" on Tuesday was already closed for changes when it was filled
    sunday = date(2025, 3, 9)
    filled_at = datetime(2025, 3, 11, 8, 0, tzinfo=ZoneInfo(AMSTERDAM))

    assert not may_fill(sunday, AMSTERDAM, filled_at=filled_at)
    assert not may_fill(sunday, AMSTERDAM)


def test_offline_cards_older_than_the_limit_are_refused() -> None:
    # A forged or very stale "filled at" cannot reopen old cards.
    from diary.cards import OFFLINE_LIMIT

    now = timezone.now()
    zone = "Europe/Amsterdam"
    old_fill = now - OFFLINE_LIMIT - timedelta(hours=1)
    old_day = old_fill.astimezone(ZoneInfo(zone)).date()
    assert not may_fill(old_day, zone, filled_at=old_fill)
    recent_fill = now - OFFLINE_LIMIT + timedelta(hours=1)
    recent_day = recent_fill.astimezone(ZoneInfo(zone)).date()
    assert may_fill(recent_day, zone, filled_at=recent_fill)

"""The synthetic affect model: reproducible, in range, and shaped like the real thing."""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from demo.affect import (
    ACTIVITIES,
    COMPANIES,
    EMA_RATINGS,
    EMOTIONS,
    NOTES_GOOD,
    NOTES_HARD,
    NOTES_PLAIN,
    NOTES_SKILLS,
    URGES,
    DayRecord,
    PersonProfile,
    PromptRecord,
    is_skipped_day,
    make_profiles,
    simulate_days,
    simulate_prompts,
)

SEED = 20260105
START = date(2026, 1, 5)
COURSE = 182
PEOPLE = 30
EMA_DAYS = 28
PROMPT_CLOCK = ((7, 40), (10, 15), (12, 30), (15, 0), (17, 45), (20, 10), (21, 50))

seeds = st.integers(min_value=0, max_value=2**63)
fast = settings(max_examples=25, deadline=None)


def prompt_times(day: date) -> list[datetime]:
    return [datetime(day.year, day.month, day.day, h, m) for h, m in PROMPT_CLOCK]  # noqa: DTZ001


def simulate_ema(
    profile: PersonProfile, seed: int, start: date, days: int
) -> list[list[PromptRecord | None]]:
    state: float | None = None
    result = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        prompts, state = simulate_prompts(profile, day, prompt_times(day), seed, state)
        result.append(prompts)
    return result


def answered(records: Sequence[DayRecord | None]) -> list[DayRecord]:
    return [record for record in records if record is not None]


@pytest.fixture(scope="module")
def profiles() -> list[PersonProfile]:
    return make_profiles(SEED, PEOPLE, course_start=START, course_days=COURSE)


@pytest.fixture(scope="module")
def cards(profiles: list[PersonProfile]) -> dict[int, list[DayRecord | None]]:
    return {p.index: simulate_days(p, START, COURSE, SEED) for p in profiles}


@pytest.fixture(scope="module")
def ema(profiles: list[PersonProfile]) -> dict[int, list[list[PromptRecord | None]]]:
    return {p.index: simulate_ema(p, SEED, START, EMA_DAYS) for p in profiles}


# --------------------------------------------------------------------------- determinism


@fast
@given(seed=seeds)
def test_same_seed_same_output_and_other_seed_other_output(seed: int) -> None:
    first = make_profiles(seed, 4)
    assert make_profiles(seed, 4) == first
    assert make_profiles(seed + 1, 4) != first
    person = first[1]
    days = simulate_days(person, START, 21, seed)
    assert simulate_days(person, START, 21, seed) == days
    assert simulate_days(person, START, 21, seed + 1) != days
    times = prompt_times(START)
    prompts = simulate_prompts(person, START, times, seed, 2.5)
    assert simulate_prompts(person, START, times, seed, 2.5) == prompts
    assert simulate_prompts(person, START, times, seed + 1, 2.5) != prompts


@fast
@given(seed=seeds, skip=st.integers(min_value=0, max_value=40), length=st.integers(1, 20))
def test_a_day_does_not_depend_on_the_window_it_is_simulated_in(
    seed: int, skip: int, length: int
) -> None:
    person = make_profiles(seed, 3)[2]
    whole = simulate_days(person, START, 60, seed)
    part = simulate_days(person, START + timedelta(days=skip), length, seed)
    assert part == whole[skip : skip + length]
    for offset in (skip, skip + length - 1):
        skipped = is_skipped_day(person, START + timedelta(days=offset), seed)
        assert skipped == (whole[offset] is None)


def test_a_person_does_not_depend_on_how_many_others_there_are() -> None:
    few = make_profiles(SEED, 5)
    many = make_profiles(SEED, 12)
    assert simulate_days(few[2], START, 30, SEED) == simulate_days(many[2], START, 30, SEED)
    assert few[0] == many[0]


# --------------------------------------------------------------------------- profiles


@settings(max_examples=60, deadline=None)
@given(seed=seeds, count=st.integers(min_value=0, max_value=60))
def test_trajectory_mix(seed: int, count: int) -> None:
    trajectories = [p.trajectory for p in make_profiles(seed, count)]
    assert [p.index for p in make_profiles(seed, count)] == list(range(count))
    if count == 0:
        return
    assert trajectories[0] == "improving"
    if count >= 3:
        assert trajectories.count("deteriorating") == 1
        assert trajectories[2] == "deteriorating"
    else:
        assert "deteriorating" not in trajectories
    assert trajectories.count("improving") == max(1, min(round(0.6 * count), count - 1))
    if count >= 10:
        assert 0.2 <= trajectories.count("stable") / count <= 0.4


def test_profile_parameters_are_in_their_ranges(profiles: list[PersonProfile]) -> None:
    for p in profiles:
        assert 0.2 <= p.inertia <= 0.75
        assert 0.35 <= p.innovation_sd <= 0.95
        assert 1.8 <= p.na_baseline <= 3.2
        if p.trajectory == "improving":
            assert -1.5 <= p.na_change <= -0.8 and p.skills_change > 0
        elif p.trajectory == "deteriorating":
            assert 0.8 <= p.na_change <= 1.3 and p.skills_change < 0
        else:
            assert abs(p.na_change) < 0.5


# --------------------------------------------------------------------------- value ranges


def check_day(record: DayRecord) -> None:
    assert set(record.emotions) == set(EMOTIONS)
    assert set(record.urges) == set(URGES) == set(record.acted)
    assert all(0 <= value <= 5 for value in record.emotions.values())
    assert all(0 <= value <= 5 for value in record.urges.values())
    assert 0 <= record.skills_used <= 7
    assert bool(record.skills) == (record.skills_used >= 4)
    assert 4.0 <= record.sleep_hours <= 10.0
    assert record.sleep_hours * 2 == int(record.sleep_hours * 2)
    assert record.prescribed_meds_taken in (True, False, None)
    # Acting on an urge only with an urge of at least 2.
    for urge, did in record.acted.items():
        if did:
            assert record.urges[urge] >= 2
    assert bool(record.alcohol or record.drugs) == record.acted["substance"]
    assert record.stressful_events >= 0 and record.positive_events >= 0


def check_prompt(prompt: PromptRecord, day: date) -> None:
    assert set(prompt.ratings) == set(EMA_RATINGS)
    assert all(0 <= value <= 100 for value in prompt.ratings.values())
    assert prompt.company in COMPANIES
    assert prompt.activity in ACTIVITIES
    assert prompt.at.date() == day


@fast
@given(seed=seeds, index=st.integers(min_value=0, max_value=9))
def test_values_are_in_range(seed: int, index: int) -> None:
    person = make_profiles(seed, 10)[index]
    for record in answered(simulate_days(person, START, 40, seed)):
        check_day(record)
    state: float | None = None
    for offset in range(5):
        day = START + timedelta(days=offset)
        prompts, state = simulate_prompts(person, day, prompt_times(day), seed, state)
        assert len(prompts) == len(PROMPT_CLOCK)
        for prompt in prompts:
            if prompt is not None:
                check_prompt(prompt, day)


def test_whole_cohort_is_in_range(cards: dict[int, list[DayRecord | None]]) -> None:
    for records in cards.values():
        assert len(records) == COURSE
        for record in answered(records):
            check_day(record)


def test_no_prompt_times_keeps_the_state(profiles: list[PersonProfile]) -> None:
    assert simulate_prompts(profiles[0], START, [], SEED, 3.1) == ([], 3.1)
    assert simulate_prompts(profiles[0], START, [], SEED, None)[0] == []


# --------------------------------------------------------------------------- skipped days


def test_skipped_day_share(
    profiles: list[PersonProfile], cards: dict[int, list[DayRecord | None]]
) -> None:
    shares = [sum(r is None for r in records) / COURSE for records in cards.values()]
    assert all(0.05 <= share <= 0.4 for share in shares), shares
    assert 0.1 <= statistics.mean(shares) <= 0.3
    # Runs of several skipped days happen.
    longest = []
    for records in cards.values():
        run = best = 0
        for record in records:
            run = run + 1 if record is None else 0
            best = max(best, run)
        longest.append(best)
    assert sum(best >= 3 for best in longest) >= PEOPLE // 3
    # More skipped at weekends.
    weekend = [
        records[i] is None
        for records in cards.values()
        for i in range(COURSE)
        if (START + timedelta(days=i)).weekday() >= 5
    ]
    weekday = [
        records[i] is None
        for records in cards.values()
        for i in range(COURSE)
        if (START + timedelta(days=i)).weekday() < 5
    ]
    assert statistics.mean(weekend) > statistics.mean(weekday) + 0.03


# --------------------------------------------------------------------------- trajectories


def month_means(records: list[DayRecord | None]) -> tuple[float, float, float, float]:
    """Mean summed urges and mean negative emotion, first month and last month."""
    negative = [e for e in EMOTIONS if e != "joy"]

    def urges(part: list[DayRecord]) -> float:
        return statistics.mean(sum(r.urges.values()) for r in part)

    def emotions(part: list[DayRecord]) -> float:
        return statistics.mean(statistics.mean(r.emotions[e] for e in negative) for r in part)

    first, last = answered(records[:30]), answered(records[-30:])
    return urges(first), urges(last), emotions(first), emotions(last)


def test_improving_people_improve_and_the_deteriorating_one_worsens(
    profiles: list[PersonProfile], cards: dict[int, list[DayRecord | None]]
) -> None:
    improving = [month_means(cards[p.index]) for p in profiles if p.trajectory == "improving"]
    assert len(improving) == 18
    assert statistics.mean(m[1] for m in improving) < statistics.mean(m[0] for m in improving)
    assert statistics.mean(m[3] for m in improving) < statistics.mean(m[2] for m in improving)
    # Most improving people improve individually too.
    assert sum(m[3] < m[2] for m in improving) >= 15

    (worse,) = [month_means(cards[p.index]) for p in profiles if p.trajectory == "deteriorating"]
    assert worse[1] > worse[0]
    assert worse[3] > worse[2]

    def helped(part: list[DayRecord | None]) -> float:
        return statistics.mean(r.skills_used in (5, 7) for r in answered(part))

    better_skills = [
        helped(cards[p.index][-30:]) - helped(cards[p.index][:30])
        for p in profiles
        if p.trajectory == "improving"
    ]
    assert statistics.mean(better_skills) > 0.1


def test_stable_people_stay_about_the_same(
    profiles: list[PersonProfile], cards: dict[int, list[DayRecord | None]]
) -> None:
    stable = [month_means(cards[p.index]) for p in profiles if p.trajectory == "stable"]
    change = statistics.mean(m[3] - m[2] for m in stable)
    assert abs(change) < 0.35


# --------------------------------------------------------------------------- diary content


def test_joy_runs_against_sadness(cards: dict[int, list[DayRecord | None]]) -> None:
    records = [r for records in cards.values() for r in answered(records)]
    joy = [r.emotions["joy"] for r in records]
    sadness = [r.emotions["sadness"] for r in records]
    misery = [r.emotions["emotional_misery"] for r in records]
    assert statistics.correlation(joy, sadness) < -0.3
    assert statistics.correlation(joy, misery) < -0.3
    assert statistics.correlation(sadness, misery) > 0.5


def test_urges_and_acts(cards: dict[int, list[DayRecord | None]]) -> None:
    records = [r for records in cards.values() for r in answered(records)]
    suicide = [r.urges["suicide"] for r in records]
    assert sum(u <= 1 for u in suicide) / len(suicide) > 0.9
    assert max(suicide) >= 3  # rare peaks exist
    acts = [r for r in records if r.acted["self_harm"]]
    assert len(acts) / len(records) < 0.01
    assert sum(r.acted["substance"] for r in records) / len(records) < 0.06
    # Acting is much more likely with a strong urge.
    strong = [r.acted["substance"] for r in records if r.urges["substance"] >= 4]
    mild = [r.acted["substance"] for r in records if r.urges["substance"] == 2]
    assert statistics.mean(strong) > statistics.mean(mild)


def test_sleep_is_worse_on_bad_days(cards: dict[int, list[DayRecord | None]]) -> None:
    records = [r for records in cards.values() for r in answered(records)]
    sleep = [r.sleep_hours for r in records]
    affect = [r.daily_negative_affect for r in records]
    assert statistics.correlation(sleep, affect) < -0.1


BANNED = re.compile(
    r"\b(cut|blade|razor|knife|knives|pills?|tablets?|overdos|burn|hang|rope|jump|bridge|"
    r"bleed|blood|scratch|poison|suicid|self-harm|kill|wound|scar)",
    re.IGNORECASE,
)


def test_notes_are_short_varied_and_never_describe_methods(
    cards: dict[int, list[DayRecord | None]],
) -> None:
    library = NOTES_HARD + NOTES_SKILLS + NOTES_GOOD + NOTES_PLAIN
    for sentence in library:
        assert not BANNED.search(sentence), sentence
    notes = [r.note for records in cards.values() for r in answered(records)]
    written = [n for n in notes if n]
    assert 0.2 < len(written) / len(notes) < 0.6
    assert len(set(written)) >= 30
    for note in written:
        assert len(note) <= 120
        assert not BANNED.search(note), note


# --------------------------------------------------------------------------- EMA


def lag1(series: list[list[PromptRecord | None]], key: str) -> tuple[float, float]:
    """Lag-1 autocorrelation and MSSD over within-day pairs of successive answers."""
    values = [p.ratings[key] for day in series for p in day if p is not None]
    mean = statistics.mean(values)
    variance = statistics.pvariance(values)
    products = []
    squares = []
    for day in series:
        for a, b in pairwise(day):
            if a is not None and b is not None:
                x, y = a.ratings[key], b.ratings[key]
                products.append((x - mean) * (y - mean))
                squares.append((y - x) ** 2)
    return statistics.mean(products) / variance, statistics.mean(squares)


def thirds(profiles: list[PersonProfile], key: str) -> tuple[list[int], list[int]]:
    ordered = sorted(profiles, key=lambda p: float(getattr(p, key)))
    third = len(ordered) // 3
    return [p.index for p in ordered[:third]], [p.index for p in ordered[-third:]]


def test_inertia_raises_autocorrelation_and_innovation_sd_raises_mssd(
    profiles: list[PersonProfile], ema: dict[int, list[list[PromptRecord | None]]]
) -> None:
    stats = {index: lag1(series, "sad") for index, series in ema.items()}
    low, high = thirds(profiles, "inertia")
    gap = statistics.mean(stats[i][0] for i in high) - statistics.mean(stats[i][0] for i in low)
    assert gap > 0.05
    inertia = [p.inertia for p in profiles]
    r1 = [stats[p.index][0] for p in profiles]
    assert statistics.correlation(inertia, r1) > 0.25

    low, high = thirds(profiles, "innovation_sd")
    assert statistics.mean(stats[i][1] for i in high) > statistics.mean(stats[i][1] for i in low)
    sd = [p.innovation_sd for p in profiles]
    mssd = [stats[p.index][1] for p in profiles]
    assert statistics.correlation(sd, mssd) > 0.5


def test_missed_prompts_are_commoner_late_in_the_evening(
    ema: dict[int, list[list[PromptRecord | None]]],
) -> None:
    by_slot: dict[int, list[bool]] = {slot: [] for slot in range(len(PROMPT_CLOCK))}
    for series in ema.values():
        for day in series:
            for slot, prompt in enumerate(day):
                by_slot[slot].append(prompt is None)
    evening = statistics.mean(by_slot[PROMPT_CLOCK.index((21, 50))])
    midday = statistics.mean(by_slot[PROMPT_CLOCK.index((12, 30))])
    morning = statistics.mean(by_slot[PROMPT_CLOCK.index((7, 40))])
    assert evening > midday + 0.1
    assert morning > midday
    overall = statistics.mean(miss for misses in by_slot.values() for miss in misses)
    assert 0.1 < overall < 0.45


def test_missed_prompts_are_commoner_on_days_without_a_card(
    profiles: list[PersonProfile],
    cards: dict[int, list[DayRecord | None]],
    ema: dict[int, list[list[PromptRecord | None]]],
) -> None:
    on_skipped: list[bool] = []
    on_filled: list[bool] = []
    for p in profiles:
        for offset, day in enumerate(ema[p.index]):
            target = on_skipped if cards[p.index][offset] is None else on_filled
            target.extend(prompt is None for prompt in day)
    assert statistics.mean(on_skipped) > statistics.mean(on_filled) + 0.1


def test_prompt_ratings_follow_the_latent_state(
    ema: dict[int, list[list[PromptRecord | None]]],
) -> None:
    prompts = [p for series in ema.values() for day in series for p in day if p is not None]
    latent = [p.negative_affect for p in prompts]
    assert statistics.correlation(latent, [p.ratings["sad"] for p in prompts]) > 0.8
    assert statistics.correlation(latent, [p.ratings["happy"] for p in prompts]) < -0.6
    urges = [p.ratings["urge_self_harm"] for p in prompts]
    assert statistics.median(urges) < 20


def test_the_previous_state_carries_over_the_night(profiles: list[PersonProfile]) -> None:
    person = max(profiles, key=lambda p: p.inertia)
    times = prompt_times(START)
    low, _ = simulate_prompts(person, START, times, SEED, 0.0)
    high, _ = simulate_prompts(person, START, times, SEED, 5.0)
    gaps = [
        b.negative_affect - a.negative_affect
        for a, b in zip(low, high, strict=True)
        if a is not None and b is not None
    ]
    assert gaps and all(gap > 0 for gap in gaps)
    # The carried-over difference fades during the day.
    assert gaps[-1] < gaps[0]

"""The coach's rules, one test per rule, and the personal re-ranking's properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skills import coach
from skills.catalogue import read_catalogue
from skills.coach import (
    CRISIS,
    GENERAL,
    HIGH_DISTRESS,
    MIN_PRACTICES,
    MODERATE_DISTRESS,
    SHRINKAGE,
    SITUATION,
    History,
    State,
    advise,
    prior_score,
    rerank,
    shrunken_score,
)


def slugs(state: State, histories: dict[str, History] | None = None) -> list[str]:
    return [p.slug for p in advise(state, histories).proposals]


def test_every_proposed_skill_exists_in_the_content() -> None:
    known = {spec.slug for spec in read_catalogue()}
    for distress in (0, 50, 90):
        for urge, _label in coach.URGES:
            for situation, _label2 in coach.SITUATIONS:
                for proposal in coach.general_ranking(State(distress, "anger", urge, situation)):
                    assert proposal.slug in known, proposal.slug
                    assert proposal.reason.strip()


def test_very_high_distress_puts_body_based_crisis_skills_first() -> None:
    assert slugs(State(HIGH_DISTRESS))[:3] == ["tip", "stop", "self-soothe"]
    assert slugs(State(100, situation="emotion_doesnt_fit"))[:3] == ["tip", "stop", "self-soothe"]
    # Just below the threshold, no crisis tier.
    assert "tip" not in slugs(State(HIGH_DISTRESS - 1))


def test_high_distress_still_leaves_room_for_the_situation() -> None:
    proposals = slugs(State(90, situation="emotion_doesnt_fit"))
    assert "check-the-facts" in proposals


def test_an_emotion_that_does_not_fit_gets_check_the_facts_then_opposite_action() -> None:
    advice = advise(State(50, "fear", situation="emotion_doesnt_fit"))
    assert [p.slug for p in advice.proposals] == ["check-the-facts", "opposite-action"]
    assert "approach what you fear" in advice.proposals[1].reason
    assert "fear or anxiety" in advice.proposals[0].reason


def test_an_emotion_that_fits_a_problem_gets_problem_solving() -> None:
    assert slugs(State(50, "sadness", situation="emotion_fits"))[0] == "problem-solving"


@pytest.mark.parametrize(
    ("situation", "first"),
    [("ask_for_something", "dear-man"), ("relationship", "give"), ("self_respect", "fast")],
)
def test_an_interpersonal_goal_gets_the_matching_interpersonal_skill_first(
    situation: str, first: str
) -> None:
    proposals = slugs(State(30, situation=situation))
    assert proposals[0] == first
    assert {"dear-man", "give", "fast"} <= set(proposals)


@pytest.mark.parametrize("urge", ["self_harm", "suicide", "substance", "other"])
def test_an_urge_gets_crisis_survival_skills_and_the_safety_plan(urge: str) -> None:
    advice = advise(State(30, urge=urge))
    assert advice.safety_plan
    assert [p.slug for p in advice.proposals][:3] == ["stop", "pros-and-cons", "accepts"]
    assert all(p.tier == CRISIS for p in advice.proposals[:3])


def test_an_urge_to_use_substances_adds_adaptive_denial() -> None:
    assert "adaptive-denial" in slugs(State(30, urge="substance"))
    assert "adaptive-denial" not in slugs(State(30, urge="self_harm"))


def test_no_urge_no_safety_plan_pointer() -> None:
    assert not advise(State(95)).safety_plan


def test_an_urge_at_very_high_distress_starts_with_the_body() -> None:
    proposals = slugs(State(85, urge="self_harm"))
    assert proposals[:2] == ["tip", "stop"]
    assert "pros-and-cons" in proposals


def test_a_situation_that_cannot_change_gets_radical_acceptance() -> None:
    assert slugs(State(50, situation="cant_change"))[:3] == [
        "radical-acceptance",
        "turning-the-mind",
        "willingness",
    ]


def test_run_down_gets_please() -> None:
    assert slugs(State(20, situation="vulnerable"))[0] == "please"


def test_moderate_distress_with_nothing_else_gets_calming_skills() -> None:
    assert slugs(State(MODERATE_DISTRESS))[0] == "mindfulness-of-current-emotion"


def test_low_distress_with_nothing_else_is_a_time_to_practise() -> None:
    assert slugs(State(MODERATE_DISTRESS - 1)) == ["wise-mind", "observe", "cope-ahead"]


def test_a_skill_proposed_twice_appears_once() -> None:
    proposals = slugs(State(90, urge="self_harm", situation="vulnerable"))
    assert len(proposals) == len(set(proposals))


def test_skills_missing_from_the_library_are_left_out() -> None:
    advice = advise(State(90), available=frozenset({"stop", "self-soothe"}))
    assert [p.slug for p in advice.proposals] == ["stop", "self-soothe"]


@pytest.mark.parametrize(
    "bad",
    [
        {"distress": 101},
        {"distress": -1},
        {"distress": 5, "emotion": "rage"},
        {"distress": 5, "urge": "x"},
        {"distress": 5, "situation": "x"},
    ],
)
def test_an_invalid_state_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        State(**bad)  # type: ignore[arg-type]


# --- personal re-ranking --------------------------------------------------------------------


def history(*drops: int) -> History:
    record = History()
    for drop in drops:
        # Distress before and after within 0–100, going down by ``drop``.
        record = record.add(drop, 0) if drop >= 0 else record.add(0, -drop)
    return record


def test_a_skill_that_helped_this_person_moves_up_within_its_tier_and_says_so() -> None:
    # Given a person for whom self-soothe has helped 6 of 8 times, by a lot
    record = history(40, 30, 35, 50, 30, 40, 0, -5)
    assert (record.count, record.helped) == (8, 6)
    advice = advise(State(90), {"self-soothe": record})
    # Then it comes first among the crisis skills, and the coach says why
    assert advice.proposals[0].slug == "self-soothe"
    assert advice.proposals[0].history == record
    assert advice.personalised


def test_a_personal_record_never_lifts_a_skill_out_of_its_tier() -> None:
    # Check the facts has helped enormously, but at very high distress the body comes first.
    advice = advise(
        State(90, situation="emotion_doesnt_fit"), {"check-the-facts": history(*[90] * 20)}
    )
    tiers = [p.tier for p in advice.proposals]
    assert tiers == sorted(tiers)
    assert advice.proposals[0].tier == CRISIS


def test_fewer_than_the_minimum_practices_change_nothing() -> None:
    few = history(*[100] * (MIN_PRACTICES - 1))
    advice = advise(State(90), {"self-soothe": few})
    assert [p.slug for p in advice.proposals][:3] == ["tip", "stop", "self-soothe"]
    assert not advice.personalised
    assert all(p.history is None for p in advice.proposals)


def test_the_score_formula_matches_a_hand_worked_example() -> None:
    # prior 20, drops 10 + 30 + 50 = 90 over 3: (5 × 20 + 90) / (5 + 3) = 23.75
    assert shrunken_score(20.0, history(10, 30, 50)) == pytest.approx(23.75)
    assert prior_score(0) > prior_score(1) > prior_score(2) > 0


drops = st.integers(min_value=-100, max_value=100)
priors = st.floats(min_value=0.0, max_value=100.0, allow_nan=False)


@given(priors, st.lists(drops, min_size=MIN_PRACTICES, max_size=60))
def test_the_shrunken_score_lies_between_the_prior_and_the_personal_mean(
    prior: float, values: list[int]
) -> None:
    record = history(*values)
    score = shrunken_score(prior, record)
    low, high = sorted((prior, record.mean_drop))
    assert low - 1e-9 <= score <= high + 1e-9


@given(priors, st.lists(drops, min_size=MIN_PRACTICES, max_size=SHRINKAGE - 1))
def test_while_practices_are_few_the_prior_weighs_more_than_the_record(
    prior: float, values: list[int]
) -> None:
    # One practice never dominates: with n < SHRINKAGE, the score is nearer the prior.
    record = history(*values)
    score = shrunken_score(prior, record)
    assert abs(score - prior) <= abs(record.mean_drop - prior) / 2 + 1e-9


@given(priors, drops)
def test_a_single_practice_changes_nothing(prior: float, drop: int) -> None:
    assert shrunken_score(prior, history(drop)) == prior


SLUGS = ["tip", "stop", "self-soothe", "pros-and-cons"]
records = st.lists(drops, max_size=12).map(lambda values: history(*values))


@given(
    st.fixed_dictionaries({slug: records for slug in SLUGS}),
    st.sampled_from(SLUGS),
)
def test_a_practice_with_no_change_never_moves_a_skill_above_one_it_was_below(
    histories: dict[str, History], chosen: str
) -> None:
    proposals = coach.general_ranking(State(90, urge="self_harm"))
    before = [p.slug for p in rerank(proposals, histories)]
    score_before = next(p.score for p in rerank(proposals, histories) if p.slug == chosen)
    assert score_before is not None
    updated = {**histories, chosen: histories[chosen].add(50, 50)}
    after = [p.slug for p in rerank(proposals, updated)]
    # The other skills keep their order among themselves.
    assert [s for s in before if s != chosen] == [s for s in after if s != chosen]
    if histories[chosen].count + 1 >= MIN_PRACTICES + 1 and score_before >= 0:
        # Its record already counted, and a neutral practice pulls a non-negative score
        # towards zero: it can only keep its place or move down.
        assert after.index(chosen) >= before.index(chosen)
    if histories[chosen].count + 1 < MIN_PRACTICES:
        assert after == before


@given(st.fixed_dictionaries({slug: records for slug in SLUGS}))
def test_ranking_is_a_permutation_within_each_tier(histories: dict[str, History]) -> None:
    proposals = coach.general_ranking(State(90, urge="self_harm", situation="cant_change"))
    ranked = rerank(proposals, histories)
    assert sorted(p.slug for p in ranked) == sorted(p.slug for p in proposals)
    assert [p.tier for p in ranked] == sorted(p.tier for p in ranked)
    assert {p.tier for p in ranked} == {CRISIS, SITUATION}
    assert GENERAL not in {p.tier for p in ranked}

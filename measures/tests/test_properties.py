"""Hypothesis tests of the scoring engine's invariants over every shipped instrument."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from measures.definitions import Definition, parse_definition, read_content
from measures.scoring import jacobson_truax, reliable_change, reverse, score

DEFINITIONS = read_content()


@st.composite
def answered(draw: st.DrawFn) -> tuple[Definition, dict[str, int | None]]:
    definition = draw(st.sampled_from(DEFINITIONS))
    values: dict[str, int | None] = {}
    for item in definition.items:
        options = [o.value for o in definition.options_of(item)]
        values[item.id] = draw(st.one_of(st.none(), st.sampled_from(options)))
    return definition, values


@settings(max_examples=300, deadline=None)
@given(answered())
def test_a_score_stays_within_the_instrument_range(
    case: tuple[Definition, dict[str, int | None]],
) -> None:
    definition, values = case
    result = score(definition, values)
    low, high = definition.score_range()
    if result.score is not None:
        assert low <= result.score <= high
        assert result.band is None or definition.bands[result.band].lower <= result.score
    for subscale in result.subscales:
        if subscale.score is not None:
            assert subscale.score >= 0


@given(st.lists(st.integers(-5, 100), min_size=2, max_size=12, unique=True), st.data())
def test_reversing_twice_is_identity(values: list[int], data: st.DataObject) -> None:
    from measures.definitions import Option

    options = tuple(Option(v, str(v)) for v in sorted(values))
    value = data.draw(st.sampled_from(sorted(values)))
    assert reverse(reverse(value, options), options) == value


def with_unanswered_optional_item(definition: Definition) -> Definition:
    data: dict[str, Any] = definition.as_data()
    extra: dict[str, Any] = {
        "id": "extra",
        "text": "An extra question" if definition.item_text == "public" else "",
        "options": data["items"][0]["options"],
        "scored": False,
        "required": False,
    }
    if definition.scoring.method == "highest_positive":
        extra["weight"] = 1
    data["items"].append(extra)
    return parse_definition(data)


@settings(max_examples=200, deadline=None)
@given(answered())
def test_an_unanswered_optional_item_never_changes_a_valid_score(
    case: tuple[Definition, dict[str, int | None]],
) -> None:
    definition, values = case
    before = score(definition, values)
    after = score(with_unanswered_optional_item(definition), {**values, "extra": None})
    assert after.score == before.score and after.band == before.band
    assert [s.score for s in after.subscales] == [s.score for s in before.subscales]


#: Scores as instruments produce them: at most two decimals (a subnormal float difference
#: would underflow to an RCI of exactly 0, which no questionnaire can produce).
scores = st.integers(min_value=-10_000, max_value=10_000).map(lambda hundredths: hundredths / 100)


@given(
    scores,
    scores,
    st.floats(min_value=0.01, max_value=50),
    st.floats(min_value=0.01, max_value=0.99),
    st.booleans(),
)
def test_rci_sign_follows_the_change_and_the_direction_of_worse(
    before: float, after: float, sd: float, reliability: float, higher_is_worse: bool
) -> None:
    from measures.definitions import Change

    jt = jacobson_truax(before, after, sd, reliability)
    assert (jt.rci > 0) == (after > before) and (jt.rci < 0) == (after < before)
    result = reliable_change(
        Change(reliability=reliability, reference_sd=sd, source="t"),
        before,
        after,
        higher_is_worse=higher_is_worse,
        against="baseline",
    )
    assert result is not None
    if result.label == "reliable_deterioration":
        assert (after > before) == higher_is_worse
    if result.label == "reliable_improvement":
        assert (after < before) == higher_is_worse
    if abs(jt.rci) <= 1.96:
        assert result.label == "no_reliable_change"

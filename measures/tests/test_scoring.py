"""Known-answer tests for every shipped instrument: hand-worked cases from the published
scoring rules (CLINICAL.md §4, §10), including missing items and every band edge."""

from __future__ import annotations

from fractions import Fraction

import pytest

from measures.definitions import Definition, read_content
from measures.scoring import reverse, score

DEFINITIONS = {d.key: d for d in read_content()}


def answers(values: list[int | None], first: int = 1) -> dict[str, int | None]:
    return {str(n): v for n, v in enumerate(values, start=first)}


def total(key: str, given: dict[str, int | None]) -> tuple[Fraction | None, str]:
    result = score(DEFINITIONS[key], given)
    return result.score, result.band_label


def test_every_instrument_of_the_issue_is_shipped() -> None:
    expected = {
        "phq9", "gad7", "who5", "pcl5", "audit_c", "bsl23", "msi_bpd", "zan_bpd",
        "cssrs_screener", "des2", "cadss", "ders16",
    }  # fmt: skip
    assert set(DEFINITIONS) == expected
    public = {k for k, d in DEFINITIONS.items() if d.item_text == "public"}
    assert public == {"phq9", "gad7", "who5", "pcl5", "audit_c"}
    for key, definition in DEFINITIONS.items():
        assert definition.has_item_text == (key in public), key


# --- PHQ-9: 0–27, bands 0/5/10/15/20 --------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected", "band"),
    [
        ([0] * 9, 0, "None–minimal"),
        ([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, "None–minimal"),
        ([1, 1, 1, 1, 1, 0, 0, 0, 0], 5, "Mild"),
        ([1, 1, 1, 1, 1, 1, 1, 1, 1], 9, "Mild"),
        ([2, 2, 2, 2, 2, 0, 0, 0, 0], 10, "Moderate"),
        ([2, 2, 2, 2, 2, 2, 2, 0, 0], 14, "Moderate"),
        ([3, 3, 3, 3, 3, 0, 0, 0, 0], 15, "Moderately severe"),
        ([3, 3, 3, 3, 3, 2, 2, 0, 0], 19, "Moderately severe"),
        ([3, 3, 3, 3, 2, 2, 2, 2, 0], 20, "Severe"),
        ([3] * 9, 27, "Severe"),
    ],
)
def test_phq9(values: list[int], expected: int, band: str) -> None:
    assert total("phq9", answers(values)) == (expected, band)


def test_phq9_difficulty_item_is_never_counted() -> None:
    given = answers([1] * 9)
    assert total("phq9", {**given, "10": 3}) == total("phq9", given) == (9, "Mild")


def test_phq9_with_a_missing_item_has_no_score() -> None:
    result = score(DEFINITIONS["phq9"], answers([1, 1, 1, 1, None, 1, 1, 1, 1]))
    assert result.score is None and result.band is None
    assert result.reason == "8 of 9 items answered; at least 9 are needed"


# --- GAD-7: 0–21, bands 0/5/10/15 -----------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected", "band"),
    [
        ([1, 1, 1, 1, 0, 0, 0], 4, "Minimal"),
        ([1, 1, 1, 1, 1, 0, 0], 5, "Mild"),
        ([2, 2, 2, 2, 2, 0, 0], 10, "Moderate"),
        ([3, 3, 3, 3, 3, 0, 0], 15, "Severe"),
        ([3] * 7, 21, "Severe"),
    ],
)
def test_gad7(values: list[int], expected: int, band: str) -> None:
    assert total("gad7", answers(values)) == (expected, band)


# --- WHO-5: raw × 4 = 0–100; raw below 13 (below 52) is poor well-being ----------------------


@pytest.mark.parametrize(
    ("values", "expected", "band"),
    [
        ([5, 5, 5, 5, 5], 100, "No sign of poor well-being"),
        ([3, 3, 2, 2, 3], 52, "No sign of poor well-being"),  # raw 13: the edge
        ([3, 3, 2, 2, 2], 48, "Poor well-being (consider screening for depression)"),
        ([0, 0, 0, 0, 0], 0, "Poor well-being (consider screening for depression)"),
    ],
)
def test_who5(values: list[int], expected: int, band: str) -> None:
    assert total("who5", answers(values)) == (expected, band)


def test_who5_is_not_worse_when_higher() -> None:
    assert DEFINITIONS["who5"].higher_is_worse is False


# --- PCL-5: 0–80, clusters B/C/D/E, cut-off 31 ---------------------------------------------


def test_pcl5_total_and_clusters() -> None:
    result = score(DEFINITIONS["pcl5"], answers([2] * 20))
    assert result.score == 40 and result.band_label.startswith("At or above")
    assert {s.id: s.score for s in result.subscales} == {"B": 10, "C": 4, "D": 14, "E": 12}


@pytest.mark.parametrize(("ones", "expected_band"), [(30, "Below"), (31, "At or above")])
def test_pcl5_cut_off_edge(ones: int, expected_band: str) -> None:
    values = [4] * (ones // 4) + [ones % 4] + [0] * (20 - ones // 4 - 1)
    value, band = total("pcl5", answers(values))
    assert value == ones and band.startswith(expected_band)


# --- AUDIT-C: 0–12; positive ≥ 3 (women), ≥ 4 (men) ----------------------------------------


@pytest.mark.parametrize(
    ("values", "expected", "band"),
    [
        ([1, 1, 0], 2, "Below the screening cut-offs"),
        ([1, 1, 1], 3, "Positive screen for women (≥ 3); below the cut-off for men (4)"),
        ([2, 1, 1], 4, "Positive screen (≥ 4 in men, ≥ 3 in women)"),
        ([4, 4, 4], 12, "Positive screen (≥ 4 in men, ≥ 3 in women)"),
    ],
)
def test_audit_c(values: list[int], expected: int, band: str) -> None:
    assert total("audit_c", answers(values)) == (expected, band)


# --- BSL-23: mean of 0–4, ≥ 90 % answered, corrected 2022 grades ---------------------------


def test_bsl23_all_ones_is_mild() -> None:
    assert total("bsl23", answers([1] * 23)) == (1, "Mild")


@pytest.mark.parametrize(
    ("sum_of_23", "expected", "band"),
    [
        (6, Fraction("0.26"), "None or low"),  # 6/23 = 0.2609
        (7, Fraction("0.30"), "Mild"),  # 7/23 = 0.3043
        (24, Fraction("1.04"), "Mild"),  # 1.0435
        (25, Fraction("1.09"), "Moderate"),  # 1.0870
        (43, Fraction("1.87"), "High"),  # 1.8696 rounds to 1.87: lower bound inclusive
        (80, Fraction("3.48"), "Extremely high"),  # 3.4783
        (92, 4, "Extremely high"),
    ],
)
def test_bsl23_band_edges(sum_of_23: int, expected: Fraction, band: str) -> None:
    values = [4] * (sum_of_23 // 4) + [sum_of_23 % 4] + [0] * 23
    assert total("bsl23", answers(values[:23])) == (expected, band)


def test_bsl23_prorates_with_21_of_23_and_a_score_on_a_boundary_takes_the_higher_band() -> None:
    # 21 answered (91 % ≥ 90 %), sum 56: mean 56/21 = 2.6667 → 2.67, the "very high" bound.
    values: list[int | None] = [3] * 14 + [2] * 7 + [None, None]
    result = score(DEFINITIONS["bsl23"], answers(values))
    assert result.exact == Fraction(56, 21)
    assert result.score == Fraction("2.67") and result.band_label == "Very high"


def test_bsl23_with_20_of_23_answered_has_no_score() -> None:
    values: list[int | None] = [2] * 20 + [None] * 3
    result = score(DEFINITIONS["bsl23"], answers(values))
    assert result.score is None
    assert result.reason == "20 of 23 items answered; at least 21 are needed"


# --- MSI-BPD, ZAN-BPD, CADSS, DES-II, DERS-16 -------------------------------------------------


@pytest.mark.parametrize(("yes", "above"), [(6, False), (7, True), (10, True)])
def test_msi_bpd_cut_off(yes: int, above: bool) -> None:
    value, band = total("msi_bpd", answers([1] * yes + [0] * (10 - yes)))
    assert value == yes and band.startswith("At or above") is above


def test_zan_bpd_and_cadss_ranges() -> None:
    assert total("zan_bpd", answers([4] * 9)) == (36, "")
    assert total("cadss", answers([4] * 23)) == (92, "")
    assert total("cadss", answers([0] * 23)) == (0, "")


def test_des2_mean_rounded_to_one_decimal() -> None:
    assert total("des2", answers([30] * 28)) == (30, "At or above the usual cut-off (30)")
    # (27 × 30 + 20) / 28 = 29.64 → 29.6, below the cut-off.
    assert total("des2", answers([30] * 27 + [20])) == (
        Fraction("29.6"),
        "Below the usual cut-off (30)",
    )


def test_ders16_total_and_subscales() -> None:
    low = score(DEFINITIONS["ders16"], answers([1] * 16))
    assert low.score == 16
    assert {s.id: s.score for s in low.subscales} == {
        "nonacceptance": 3, "goals": 3, "impulse": 3, "strategies": 5, "clarity": 2,
    }  # fmt: skip
    assert score(DEFINITIONS["ders16"], answers([5] * 16)).score == 80


# --- C-SSRS screener: the highest positive item, never a sum --------------------------------


def cssrs(**given: int) -> tuple[Fraction | None, str]:
    base: dict[str, int | None] = {"1": 0, "2": 0, "6": 0}
    return total("cssrs_screener", {**base, **{k.removeprefix("i"): v for k, v in given.items()}})


def test_cssrs_all_no_with_skipped_follow_ups() -> None:
    assert cssrs() == (0, "No positive answer")


def test_cssrs_highest_item_not_a_sum() -> None:
    assert cssrs(i1=1, i2=1) == (2, "Low risk (item 1 or 2)")
    moderate = "Moderate risk (item 3, or behaviour more than 3 months ago)"
    assert cssrs(i1=1, i2=1, i3=1) == (3, moderate)
    assert cssrs(i6=1) == (3, moderate)
    assert cssrs(i4=1) == (4, "High risk (item 4 or 5, or behaviour in the past 3 months)")
    assert cssrs(i1=1, i2=1, i3=1, i4=1, i5=1, i6=1, i6b=1)[0] == 5


def test_cssrs_a_positive_answer_scores_even_with_required_items_missing() -> None:
    assert total("cssrs_screener", {"1": 1}) == (1, "Low risk (item 1 or 2)")
    assert total("cssrs_screener", {"1": 0})[0] is None


# --- reversal -------------------------------------------------------------------------------


def test_reverse_on_a_one_to_five_scale() -> None:
    options = DEFINITIONS["ders16"].option_sets["frequency"]
    assert [reverse(v, options) for v in (1, 2, 3, 4, 5)] == [5, 4, 3, 2, 1]


def reversed_phq9() -> Definition:
    from measures.definitions import parse_definition

    data = DEFINITIONS["phq9"].as_data()
    data["items"][0]["reversed"] = True
    return parse_definition(data)


def test_a_reversed_item_counts_low_plus_high_minus_the_answer() -> None:
    definition = reversed_phq9()
    assert score(definition, answers([0] + [0] * 8)).score == 3
    assert score(definition, answers([3] + [0] * 8)).score == 0


def test_an_answer_that_is_not_offered_is_refused() -> None:
    from measures.scoring import AnswerError

    with pytest.raises(AnswerError) as raised:
        score(DEFINITIONS["phq9"], {"1": 4, "99": 1})
    assert raised.value.problems == ["1: 4 is not one of the item's answer values",
                                     "99: is not an item of phq9"]  # fmt: skip

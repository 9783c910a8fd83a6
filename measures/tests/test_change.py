"""Reliable change (Jacobson & Truax 1991) and clinical significance, hand-worked."""

from __future__ import annotations

import math

import pytest

from measures.definitions import Change, read_content
from measures.scoring import (
    NO_RELIABLE_CHANGE,
    RECOVERED,
    RELIABLE_DETERIORATION,
    RELIABLE_IMPROVEMENT,
    criterion_point,
    jacobson_truax,
    reliable_change,
)

DEFINITIONS = {d.key: d for d in read_content()}
BSL = DEFINITIONS["bsl23"]


def test_bsl23_reliable_change_threshold_matches_clinical_md() -> None:
    # SD 0.80, r .84: SE = 0.8 × √0.16 = 0.32; S_diff = √2 × 0.32 = 0.4525; 1.96 × S_diff ≈ 0.89.
    jt = jacobson_truax(2.5, 1.5, 0.80, 0.84)
    assert jt.se == pytest.approx(0.32)
    assert jt.sdiff == pytest.approx(0.452548, abs=1e-6)
    assert jt.rci == pytest.approx(-2.2097, abs=1e-4)
    assert 1.96 * jt.sdiff == pytest.approx(0.887, abs=1e-3)
    # With α = .95 instead: ≈ 0.50 (CLINICAL.md §6).
    assert 1.96 * jacobson_truax(0, 1, 0.80, 0.95).sdiff == pytest.approx(0.496, abs=1e-3)


@pytest.mark.parametrize(
    ("before", "after", "label"),
    [
        (2.5, 1.5, RELIABLE_IMPROVEMENT),  # RCI −2.21; 1.5 is not beyond criterion a (0.67)
        (2.0, 0.5, RECOVERED),  # RCI −3.31 and past criterion a
        (1.5, 1.9, NO_RELIABLE_CHANGE),  # RCI 0.88
        (1.0, 2.0, RELIABLE_DETERIORATION),  # RCI 2.21
    ],
)
def test_bsl23_labels(before: float, after: float, label: str) -> None:
    result = reliable_change(BSL.change, before, after, higher_is_worse=True, against="baseline")
    assert result is not None and result.label == label
    assert result.method == "jacobson_truax" and result.reliability == 0.84
    assert result.reference_sd == 0.80 and "Jacobson & Truax" in result.formula


def test_bsl23_criterion_a_is_two_sd_below_the_clinical_mean() -> None:
    point = criterion_point(BSL.change, higher_is_worse=True)
    assert point is not None and point[0] == "a" and point[1] == pytest.approx(2.27 - 1.6)


@pytest.mark.parametrize(
    ("before", "after", "label"),
    [
        (18, 11, RELIABLE_IMPROVEMENT),  # −7 ≥ 6, but 11 is still ≥ 10
        (14, 8, RECOVERED),  # −6, from ≥ 10 to below 10 (IAPT)
        (12, 7, NO_RELIABLE_CHANGE),  # −5
        (8, 14, RELIABLE_DETERIORATION),  # +6
    ],
)
def test_phq9_published_threshold(before: int, after: int, label: str) -> None:
    result = reliable_change(
        DEFINITIONS["phq9"].change, before, after, higher_is_worse=True, against="previous"
    )
    assert result is not None and result.label == label
    assert result.method == "published_threshold" and result.rci is None
    assert result.criterion == "cutoff" and result.threshold == 6


def test_who5_higher_is_better() -> None:
    change = DEFINITIONS["who5"].change
    up = reliable_change(change, 40, 52, higher_is_worse=False, against="baseline")
    down = reliable_change(change, 60, 48, higher_is_worse=False, against="baseline")
    assert up is not None and up.label == RELIABLE_IMPROVEMENT and up.improved
    assert down is not None and down.label == RELIABLE_DETERIORATION


def test_no_way_to_judge_reliability_gives_none() -> None:
    assert reliable_change(Change(), 10, 20, higher_is_worse=True, against="baseline") is None
    assert (
        reliable_change(DEFINITIONS["zan_bpd"].change, 30, 5, higher_is_worse=True, against="x")
        is None
    )


def test_criteria_b_and_c() -> None:
    norms = Change(
        reliability=0.9, reference_sd=5, clinical_mean=20, clinical_sd=5,
        functional_mean=5, functional_sd=3, criterion="c", source="test norms",
    )  # fmt: skip
    # c = (s_f·M_d + s_d·M_f)/(s_f + s_d) = (3·20 + 5·5)/8 = 10.625
    point = criterion_point(norms, higher_is_worse=True)
    assert point == ("c", pytest.approx(10.625))
    b = Change(**{**vars(norms), "criterion": "b"})
    assert criterion_point(b, higher_is_worse=True) == ("b", 11)
    result = reliable_change(norms, 20, 10, higher_is_worse=True, against="baseline")
    assert result is not None and result.label == RECOVERED and result.criterion == "c"
    assert math.isclose(result.sdiff or 0, math.sqrt(2) * 5 * math.sqrt(0.1))

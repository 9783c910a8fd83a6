"""The attention ordering and its reasons, on hand-built signals (no database)."""

from __future__ import annotations

from datetime import date, timedelta

from dashboard.attention import (
    Deterioration,
    ReasonKind,
    Signals,
    assess,
    days_without_card,
    order_by_attention,
    urge_rise,
)

TODAY = date(2026, 3, 20)


def person(name: str, **fields: object) -> Signals:
    fields.setdefault("last_card", TODAY)
    return Signals(name=name, key=f"id-{name}", today=TODAY, **fields)  # type: ignore[arg-type]


def ordered(*signals: Signals) -> list[str]:
    return [s.name for s in order_by_attention(list(signals), assess)]


def flat(value: int | None, days: int = 7) -> list[int | None]:
    return [value] * days


# --- the rules -----------------------------------------------------------------------------------


def test_nothing_flagged_for_a_patient_who_is_doing_fine() -> None:
    found = assess(person("Ann", suicide_urges=flat(1, 14)))
    assert found.reasons == ()
    assert not found.needs_attention


def test_open_alerts_are_counted_in_words() -> None:
    found = assess(person("Ann", open_alerts=2, unacknowledged_alerts=1))
    assert [(r.kind, r.text) for r in found.reasons] == [
        (ReasonKind.ALERTS, "2 open alerts (1 not acknowledged)")
    ]


def test_reliable_deterioration_names_the_questionnaire_once() -> None:
    found = assess(
        person(
            "Ann",
            deteriorations=(
                Deterioration("PHQ-9", "baseline", 8, 17),
                Deterioration("PHQ-9", "previous", 12, 17),
            ),
        )
    )
    assert [r.text for r in found.reasons] == [
        "Reliable deterioration on PHQ-9 since baseline (8 → 17)"
    ]


def test_urges_rising_by_one_point_is_a_reason() -> None:
    # Given suicide urges averaging 1 then 2 (exactly one point more)
    found = assess(person("Ann", suicide_urges=flat(1) + flat(2)))
    assert [r.text for r in found.reasons] == [
        "Suicide urges rising: mean 2.0 over the last 7 days, 1.0 the 7 days before"
    ]


def test_urges_rising_by_less_than_a_point_or_falling_are_not() -> None:
    assert not assess(person("Ann", suicide_urges=[*flat(1), 2, 2, 2, 2, 2, 2, 1])).reasons
    assert not assess(person("Ann", self_harm_urges=flat(4) + flat(1))).reasons


def test_rising_urges_need_three_rated_days_in_each_week() -> None:
    sparse = [None, None, None, None, None, 1, 1]
    assert urge_rise(sparse + flat(5), "x") is None
    assert urge_rise([None, None, None, None, 1, 1, 1, *flat(5)], "x") is not None
    assert urge_rise(flat(1), "x") is None  # fewer than 14 days
    assert urge_rise([], "x") is None


def test_gaps_are_left_out_of_the_means() -> None:
    rise = urge_rise([0, None, 0, None, 0, None, None, 3, None, 3, None, 3, None, 3], "x")
    assert rise is not None and (rise.earlier, rise.recent) == (0, 3)


def test_missed_cards_after_three_days_without_one() -> None:
    assert not assess(person("Ann", last_card=TODAY - timedelta(days=3))).reasons
    found = assess(person("Ann", last_card=TODAY - timedelta(days=4)))
    assert [r.text for r in found.reasons] == ["No diary card for 3 days (last: 16 Mar)"]
    assert [r.text for r in assess(person("Ann", last_card=None)).reasons] == ["No diary card yet"]


def test_patients_without_the_app_are_not_flagged_for_missed_cards() -> None:
    assert not assess(person("Ann", last_card=None, uses_app=False)).reasons


def test_days_without_card() -> None:
    assert days_without_card(TODAY, TODAY) == 0
    assert days_without_card(TODAY, TODAY - timedelta(days=1)) == 0
    assert days_without_card(TODAY, TODAY - timedelta(days=5)) == 4
    assert days_without_card(TODAY, None) is None


def test_every_reason_is_listed_most_pressing_first() -> None:
    found = assess(
        person(
            "Ann",
            open_alerts=1,
            deteriorations=(Deterioration("GAD-7", "previous", 5, 12),),
            self_harm_urges=flat(0) + flat(3),
            last_card=None,
        )
    )
    assert [r.kind for r in found.reasons] == list(ReasonKind)


# --- the order -----------------------------------------------------------------------------------


def test_alerts_then_deterioration_then_rising_urges_then_missed_cards_then_the_rest() -> None:
    fine = person("Ann")
    missed = person("Bea", last_card=TODAY - timedelta(days=10))
    rising = person("Cal", suicide_urges=flat(0) + flat(2))
    worse = person("Dan", deteriorations=(Deterioration("PHQ-9", "baseline", 5, 15),))
    alert = person("Eve", open_alerts=1)
    assert ordered(fine, missed, rising, worse, alert) == ["Eve", "Dan", "Cal", "Bea", "Ann"]


def test_within_alerts_more_alerts_come_first() -> None:
    one = person("Ann", open_alerts=1)
    three = person("Bea", open_alerts=3)
    assert ordered(one, three) == ["Bea", "Ann"]


def test_ties_on_the_top_reason_go_to_more_reasons() -> None:
    only_alert = person("Ann", open_alerts=1)
    alert_and_missed = person("Bea", open_alerts=1, last_card=None)
    assert ordered(only_alert, alert_and_missed) == ["Bea", "Ann"]


def test_ties_on_rising_urges_go_to_the_larger_rise() -> None:
    small = person("Ann", suicide_urges=flat(0) + flat(1))
    large = person("Bea", self_harm_urges=flat(0) + flat(4))
    assert ordered(small, large) == ["Bea", "Ann"]


def test_ties_on_missed_cards_go_to_the_longest_gap_never_first() -> None:
    five = person("Ann", last_card=TODAY - timedelta(days=5))
    twelve = person("Bea", last_card=TODAY - timedelta(days=12))
    never = person("Cal", last_card=None)
    assert ordered(five, twelve, never) == ["Cal", "Bea", "Ann"]


def test_full_ties_are_broken_by_name_then_id_whatever_the_input_order() -> None:
    a = person("ann", open_alerts=1)
    b = person("Bea", open_alerts=1)
    twin = Signals(name="Bea", key="id-0", today=TODAY, open_alerts=1, last_card=TODAY)
    assert ordered(b, twin, a) == ordered(a, twin, b) == ["ann", "Bea", "Bea"]
    assert [s.key for s in order_by_attention([b, twin, a], assess)][1:] == ["id-0", "id-Bea"]


def test_reason_slugs_round_trip() -> None:
    for kind in ReasonKind:
        assert ReasonKind.from_slug(kind.slug) is kind
    assert ReasonKind.from_slug("nonsense") is None

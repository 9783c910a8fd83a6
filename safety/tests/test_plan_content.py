"""The plan's content rules: sections, limits, phone numbers (pure, no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safety.plans import (
    CONTACT_SECTIONS,
    MAX_ITEMS,
    MAX_TEXT,
    Contact,
    PlanError,
    Section,
    dial_string,
    parse_plan,
    parse_shared,
    tel_href,
)


def error_of(data: object) -> PlanError:
    with pytest.raises(PlanError) as caught:
        parse_plan(data)
    return caught.value


def test_sections_keep_their_order_and_blank_items_are_dropped() -> None:
    plan = parse_plan(
        {
            "warning_signs": ["  Not sleeping  ", "", "   "],
            "help": [{"name": "Sam", "phone": "+31 6 1234 5678"}, {"name": "", "phone": ""}],
        }
    )

    assert plan.items(Section.WARNING_SIGNS) == ("Not sleeping",)
    assert plan.items(Section.HELP) == (Contact("Sam", "+31 6 1234 5678", ""),)
    assert plan.items(Section.COPING) == ()
    assert not plan.is_empty


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"hopes": ["x"]}, "hopes"),
        ({"coping": "walk"}, "coping"),
        ({"coping": ["ok", "x" * (MAX_TEXT + 1)]}, "coping.1"),
        ({"coping": ["item"] * (MAX_ITEMS + 1)}, "coping"),
        ({"help": [{"name": "Sam", "phone": "call me maybe"}]}, "help.0.phone"),
        ({"help": [{"name": "", "phone": "112"}]}, "help.0.name"),
        ({"professionals": [{"name": "GP", "note": "x" * 151}]}, "professionals.0.note"),
        ({"distraction": [42]}, "distraction.0"),
        ({"coping": [7]}, "coping.0"),
    ],
)
def test_each_problem_names_its_place(data: dict[str, object], field: str) -> None:
    assert error_of(data).field == field


def test_a_plan_is_a_mapping() -> None:
    assert error_of(["coping"]).field == "content"


def test_phone_numbers_dial_as_digits_with_the_plus_kept() -> None:
    assert dial_string("+44 (0)20 7946-0000") == "+440207946" + "0000"
    assert tel_href("0800 123") == "tel:0800123"
    assert tel_href("") == ""
    assert Contact("Jo", "06-12").sms == "sms:0612"


def test_shared_sections_must_be_known() -> None:
    assert parse_shared(["coping", "reasons"]) == {"coping", "reasons"}
    with pytest.raises(PlanError):
        parse_shared(["diary"])
    with pytest.raises(PlanError):
        parse_shared("coping")


text_item = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=40
).map(lambda s: " ".join(s.split()))
contact = st.builds(
    lambda name, phone, note: {"name": name or "Someone", "phone": phone, "note": note},
    text_item.filter(lambda s: len(s) <= 100),
    st.from_regex(r"\+?[0-9]{3,12}", fullmatch=True),
    text_item,
)


@given(
    st.fixed_dictionaries(
        {
            section: st.lists(contact if section in CONTACT_SECTIONS else text_item, max_size=5)
            for section in Section.values
        }
    )
)
def test_a_stored_plan_reads_back_the_same(data: dict[str, list[object]]) -> None:
    plan = parse_plan(data)

    assert parse_plan(plan.to_json()) == plan
    for section in Section.values:
        assert len(plan.items(section)) <= len(data[section])

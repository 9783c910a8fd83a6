"""Questionnaire risk rules: a clinic adds one for a licensed suicidality screen; items
are looked at one by one, never summed; a wrong item key is refused."""

from __future__ import annotations

import pytest

from core.actions import ActionError
from core.testing.factories import make_administration, shipped_instrument
from core.testing.personas import World
from measures import actions
from safety.configure import RuleInput, add_rule
from safety.models import Alert, RuleKind

pytestmark = pytest.mark.django_db


def test_a_clinic_rule_on_the_cssrs_screener(world: World) -> None:
    # Given the clinic's licensed C-SSRS text and a rule on its item 3
    cssrs = shipped_instrument("cssrs_screener")
    actions.load_licensed_text(
        None,
        world.organisation,
        cssrs,
        {
            "instrument": "cssrs_screener",
            "note": "Licensed for electronic use",
            "items": {i: f"Licensed item {i}" for i in ("1", "2", "3", "4", "5", "6", "6b")},
        },
    )
    add_rule(
        world.admin,
        world.organisation,
        RuleInput("C-SSRS item 3", RuleKind.QUESTIONNAIRE_ITEM, 1, question="cssrs_screener/3"),
    )
    # When the patient answers yes to items 1–3
    administration = make_administration(world.patient_record, "cssrs_screener")
    done = actions.submit_administration(
        world.patient, administration, {"1": 1, "2": 1, "3": 1, "6": 0}
    )
    # Then the rule fires (and the PHQ-9 rule does not), with the clinic's own wording
    assert done.alerts == ["C-SSRS item 3"] and done.score.value == 3
    [alert] = Alert.objects.all()
    assert "Licensed item 3" in alert.reason


def test_items_below_the_level_raise_nothing(world: World) -> None:
    administration = make_administration(world.patient_record)
    done = actions.submit_administration(
        world.patient, administration, {str(n): 3 for n in range(1, 9)} | {"9": 0}
    )
    assert done.score.value == 24 and done.alerts == [] and not Alert.objects.exists()


@pytest.mark.parametrize("question", ["phq9", "PHQ9/9", "phq9/", "/9", "phq9/9/1"])
def test_a_questionnaire_rule_needs_instrument_and_item(world: World, question: str) -> None:
    with pytest.raises(ActionError) as raised:
        add_rule(
            world.admin,
            world.organisation,
            RuleInput("Bad", RuleKind.QUESTIONNAIRE_ITEM, 1, question=question),
        )
    assert raised.value.field == "question"

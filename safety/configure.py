"""A clinic's own risk rules and alert escalation, as its administrator sets them.

The rule kinds are fixed (the risk engine knows how to evaluate each); what the clinic
chooses is which rules it has, their thresholds and wording, and whether each is active.
A rule that has raised alerts is switched off rather than deleted, so that every alert
still names the rule it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.actions import ActionError, action
from diary.models import TargetKind
from safety.alerts import settings_for
from safety.models import AlertSettings, RiskRule, RuleKind

if TYPE_CHECKING:
    from accounts.models import Organisation, User

#: The levels each kind of rule is measured on: (lowest, highest).
THRESHOLD_RANGE: dict[str, tuple[int, int]] = {
    RuleKind.DIARY_URGE: (1, 5),
    RuleKind.DIARY_ACTED: (0, 0),
    RuleKind.EMA_ANSWER: (1, 100),
    RuleKind.DIARY_MISSED: (1, 30),
    RuleKind.COACHING_URGE: (1, 5),
    RuleKind.QUESTIONNAIRE_ITEM: (1, 100),
}
QUESTION = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
#: A questionnaire item: the instrument's key and the item's id (``phq9/9``).
QUESTIONNAIRE_ITEM = re.compile(r"^[a-z][a-z0-9_]{0,39}/[A-Za-z0-9][A-Za-z0-9_.-]{0,19}$")
ESCALATION_MINUTES = (5, 24 * 60)


@dataclass(frozen=True)
class RuleInput:
    name: str
    kind: str
    threshold: int
    is_active: bool = True
    target_kind: str = ""
    question: str = ""


def _checked(data: RuleInput) -> RuleInput:
    name = data.name.strip()
    if not name:
        raise ActionError(_("Give the rule a name the team will recognise."), field="name")
    if len(name) > 120:
        raise ActionError(_("Keep the name to 120 characters or fewer."), field="name")
    if data.kind not in RuleKind.values:
        raise ActionError(_("Choose a kind of rule."), field="kind")
    low, high = THRESHOLD_RANGE[data.kind]
    threshold = data.threshold if high else 0
    if not low <= threshold <= high:
        raise ActionError(
            _("For this kind of rule the level is between %(low)d and %(high)d.")
            % {"low": low, "high": high},
            field="threshold",
        )
    target_kind, question = "", ""
    if data.kind in (RuleKind.DIARY_URGE, RuleKind.DIARY_ACTED, RuleKind.COACHING_URGE):
        if data.target_kind not in TargetKind.values:
            raise ActionError(_("Choose the diary target this rule looks at."), field="target_kind")
        target_kind = data.target_kind
    if data.kind == RuleKind.QUESTIONNAIRE_ITEM:
        question = data.question.strip()
        if not QUESTIONNAIRE_ITEM.match(question):
            raise ActionError(
                _("Give the questionnaire and item as key/item, for example phq9/9."),
                field="question",
            )
    if data.kind == RuleKind.EMA_ANSWER:
        question = data.question.strip()
        if not QUESTION.match(question):
            raise ActionError(
                _("Give the check-in question's key: lower-case letters, digits and _."),
                field="question",
            )
    return RuleInput(name, data.kind, threshold, data.is_active, target_kind, question)


def looks_at(rule: RiskRule) -> str:
    """What the rule looks at, in words: a diary target's kind or a check-in question key."""
    if rule.target_kind:
        return (
            str(TargetKind(rule.target_kind).label)
            if rule.target_kind in TargetKind.values
            else rule.target_kind
        )
    return rule.question


@action
def add_rule(actor: User, organisation: Organisation, data: RuleInput) -> RiskRule:
    checked = _checked(data)
    base = slugify(checked.name)[:50] or "rule"
    key, n = base, 1
    while RiskRule.objects.filter(organisation=organisation, key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return RiskRule.objects.create(
        organisation=organisation,
        key=key,
        name=checked.name,
        kind=checked.kind,
        target_kind=checked.target_kind,
        question=checked.question,
        threshold=checked.threshold,
        is_active=checked.is_active,
    )


@action
def change_rule(actor: User, rule: RiskRule, data: RuleInput) -> RiskRule:
    """Change a rule's wording, level, what it looks at and whether it is on (not its kind:
    alerts it raised must keep meaning what they meant)."""
    rule = RiskRule.objects.select_for_update().get(pk=rule.pk)
    checked = _checked(replace(data, kind=rule.kind))
    rule.name, rule.threshold, rule.is_active = checked.name, checked.threshold, checked.is_active
    rule.target_kind, rule.question = checked.target_kind, checked.question
    rule.save()
    return rule


@action
def change_alert_settings(
    actor: User,
    organisation: Organisation,
    *,
    escalate_after_minutes: int,
    on_call_name: str,
    on_call_email: str,
) -> AlertSettings:
    low, high = ESCALATION_MINUTES
    if not low <= escalate_after_minutes <= high:
        raise ActionError(
            _("Between %(low)d minutes and %(high)d minutes (a day).") % {"low": low, "high": high},
            field="escalate_after_minutes",
        )
    if on_call_email and not on_call_name.strip():
        raise ActionError(_("Name the on-call contact too."), field="on_call_name")
    found = settings_for(organisation)
    found.escalate_after_minutes = escalate_after_minutes
    found.on_call_name = on_call_name.strip()[:120]
    found.on_call_email = on_call_email.strip()
    found.save()
    return found

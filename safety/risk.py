"""The risk-evaluation entry points: every saved diary card and EMA answer passes through here.

Callers (the diary and EMA actions) call these inside the transaction that saves the
data, so an alert commits together with what caused it, or not at all. The rules are
data (``RiskRule``, per clinic; sensible defaults below are created for a clinic the first
time they are needed and can then be changed or switched off). A rule that fires raises
an alert for the patient's care team (``safety.alerts.raise_alert``).

The rules flag answers for a clinician to look at. They do not predict anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import router
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.versioned_cache import VersionedCache
from safety.models import RiskRule, RuleKind

if TYPE_CHECKING:
    from accounts.models import Organisation
    from coaching.models import CoachingRequest
    from diary.models import CardTarget, DiaryCard
    from ema.models import PromptResponse
    from measures.definitions import Definition
    from measures.models import Administration


@dataclass(frozen=True)
class DefaultRule:
    key: str
    name: str
    kind: str
    target_kind: str = ""
    question: str = ""
    threshold: int = 0


#: Each clinic starts with these (its admin changes thresholds or switches rules off).
DEFAULT_RULES = (
    DefaultRule("diary-suicide-urge", "Suicide urge 4 or 5 on the diary card",
                RuleKind.DIARY_URGE, target_kind="suicide", threshold=4),
    DefaultRule("diary-suicide-acted", "Suicide attempt reported on the diary card",
                RuleKind.DIARY_ACTED, target_kind="suicide"),
    DefaultRule("diary-self-harm-acted", "Self-harm reported on the diary card",
                RuleKind.DIARY_ACTED, target_kind="self_harm"),
    DefaultRule("ema-self-harm-urge", "Urge to self-harm 70 or more in a check-in",
                RuleKind.EMA_ANSWER, question="urge_self_harm", threshold=70),
    DefaultRule("diary-missed-watch", "Three days without a diary card (high-risk watch)",
                RuleKind.DIARY_MISSED, threshold=3),
    DefaultRule("coaching-suicide-urge", "Suicide urge 4 or 5 in a coaching request",
                RuleKind.COACHING_URGE, target_kind="suicide", threshold=4),
    DefaultRule("phq9-item9", "Any answer above “not at all” on PHQ-9 item 9",
                RuleKind.QUESTIONNAIRE_ITEM, question="phq9/9", threshold=1),
)  # fmt: skip


def rules_for(organisation_id: int) -> list[RiskRule]:
    """The clinic's active rules (its defaults created the first time)."""
    existing = {rule.key: rule for rule in RiskRule.objects.filter(organisation_id=organisation_id)}
    for default in DEFAULT_RULES:
        if default.key not in existing:
            existing[default.key] = RiskRule.objects.create(
                organisation_id=organisation_id,
                key=default.key,
                name=default.name,
                kind=default.kind,
                target_kind=default.target_kind,
                question=default.question,
                threshold=default.threshold,
            )
    return [rule for rule in existing.values() if rule.is_active]


#: A clinic's active rules by its ``risk_rules_version`` (core/versioned_cache.py).
_RULES: VersionedCache[tuple[RiskRule, ...]] = VersionedCache("risk rules")


def active_rules(organisation: Organisation) -> list[RiskRule]:
    """``rules_for`` through this process's cache, at the version on ``organisation``
    (loaded with the request's token). The rules are shared between requests: never
    change them; ``safety.configure`` changes a fresh copy."""
    key = organisation.public_id
    cached = _RULES.get(key, organisation.risk_rules_version)
    if cached is not None:
        return list(cached)
    rules = rules_for(organisation.pk)
    _RULES.put_after_commit(
        key, organisation.risk_rules_version, tuple(rules), using=router.db_for_read(RiskRule)
    )
    return rules


@dataclass(frozen=True)
class Finding:
    """A rule that fired, with the words that say why (shown to the care team)."""

    rule: RiskRule
    source_key: str
    reason: str


def diary_source(card: DiaryCard) -> str:
    return f"diary:{card.date.isoformat()}"


def ema_source(response: PromptResponse) -> str:
    return f"ema:{response.prompt.public_id}"


def diary_findings(
    card: DiaryCard, rules: list[RiskRule], rows: Sequence[CardTarget] | None = None
) -> list[Finding]:
    """What ``rules`` find on the card; ``rows``: its target rows with their targets, if the
    caller has them already (they are read otherwise)."""
    if rows is None:
        rows = list(card.targets.select_related("target"))
    day = date_format(card.date, "DATE_FORMAT")
    found = []
    for rule in rules:
        for row in rows:
            if row.target.kind != rule.target_kind:
                continue
            if rule.kind == RuleKind.DIARY_URGE and (row.urge or 0) >= rule.threshold:
                reason = _("%(target)s urge %(urge)d of 5 on the diary card of %(day)s.") % {
                    "target": row.target.name,
                    "urge": row.urge,
                    "day": day,
                }
            elif rule.kind == RuleKind.DIARY_ACTED and row.acted:
                reason = _("%(target)s acted on, on the diary card of %(day)s.") % {
                    "target": row.target.name,
                    "day": day,
                }
                if row.detail:
                    reason += " " + _("Details: %(detail)s") % {"detail": row.detail[:150]}
            else:
                continue
            found.append(Finding(rule, diary_source(card), reason))
    return found


def _question_text(response: PromptResponse, question: str) -> str:
    for item in response.prompt.questionnaire.questions or []:
        if isinstance(item, dict) and item.get("id") == question:
            return str(item.get("text") or question)
    return question


def ema_findings(response: PromptResponse, rules: list[RiskRule]) -> list[Finding]:
    answers: dict[str, Any] = response.answers or {}
    found = []
    for rule in rules:
        if rule.kind != RuleKind.EMA_ANSWER:
            continue
        value = answers.get(rule.question)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if value >= rule.threshold:
            reason = _("A check-in answer of %(value)s to “%(question)s” (rule: %(rule)s).") % {
                "value": value,
                "question": _question_text(response, rule.question),
                "rule": rule.name,
            }
            found.append(Finding(rule, ema_source(response), reason))
    return found


def evaluate_diary_card(card: DiaryCard, rows: Sequence[CardTarget] | None = None) -> list[str]:
    """Apply the risk rules to a saved card; returns the names of the rules that fired.
    ``rows``: the card's target rows as just saved (with their targets), to save a read."""
    from safety.alerts import raise_alert

    kinds = {RuleKind.DIARY_URGE, RuleKind.DIARY_ACTED}
    rules = [r for r in active_rules(card.patient.organisation) if r.kind in kinds]
    findings = diary_findings(card, rules, rows)
    for finding in findings:
        raise_alert(card.patient, finding)
    return [finding.rule.name for finding in findings]


def evaluate_ema_response(response: PromptResponse) -> list[str]:
    """Apply the risk rules to a saved EMA answer; returns the names of the rules that fired."""
    from safety.alerts import raise_alert

    patient = response.prompt.patient
    findings = ema_findings(response, active_rules(patient.organisation))
    for finding in findings:
        raise_alert(patient, finding)
    return [finding.rule.name for finding in findings]


def coaching_source(coaching_request: CoachingRequest) -> str:
    return f"coaching:{coaching_request.public_id}"


def evaluate_coaching_request(coaching_request: CoachingRequest) -> list[str]:
    """Apply the risk rules to a coaching request as it is sent (its strongest urge, 0–5,
    against the clinic's coaching rules); returns the names of the rules that fired."""
    from safety.alerts import raise_alert

    patient = coaching_request.patient
    fired = []
    for rule in active_rules(patient.organisation):
        if rule.kind != RuleKind.COACHING_URGE or coaching_request.urge != rule.target_kind:
            continue
        if coaching_request.urge_intensity < max(rule.threshold, 1):
            continue
        reason = _("%(urge)s urge %(level)d of 5 in a request for coaching.") % {
            "urge": coaching_request.get_urge_display(),
            "level": coaching_request.urge_intensity,
        }
        raise_alert(patient, Finding(rule, coaching_source(coaching_request), reason))
        fired.append(rule.name)
    return fired


def questionnaire_source(administration: Administration) -> str:
    return f"questionnaire:{administration.public_id}"


def questionnaire_findings(
    instrument_key: str,
    answers: dict[str, Any],
    item_texts: dict[str, str],
    title: str,
    source: str,
    rules: Sequence[RiskRule],
) -> list[Finding]:
    """What the questionnaire rules (``question`` = ``key/item``) find in ``answers``:
    each item answered at or above the rule's level. Items are looked at one by one; a
    suicidality screen is never summed or averaged here."""
    found = []
    for rule in rules:
        if rule.kind != RuleKind.QUESTIONNAIRE_ITEM or "/" not in rule.question:
            continue
        key, item_id = rule.question.split("/", 1)
        value = answers.get(item_id)
        if key != instrument_key or isinstance(value, bool) or not isinstance(value, int):
            continue
        if value >= max(rule.threshold, 1):
            reason = _("Answer %(value)d to %(title)s item %(item)s (rule: %(rule)s).") % {
                "value": value,
                "title": title,
                "item": item_id,
                "rule": rule.name,
            }
            text = item_texts.get(item_id, "")
            if text:
                reason += " " + _("The item: “%(text)s”") % {"text": text[:150]}
            found.append(Finding(rule, source, reason[:300]))
    return found


def evaluate_questionnaire(
    administration: Administration, definition: Definition | None = None
) -> list[str]:
    """Apply the risk rules to a submitted questionnaire (in its submitting transaction);
    returns the names of the rules that fired. ``definition``: the one the patient saw
    (with the clinic's licensed wording), for the alert's words; the stored one otherwise."""
    from safety.alerts import raise_alert

    patient = administration.patient
    if definition is None:
        definition = administration.version.parsed()
    findings = questionnaire_findings(
        definition.key,
        administration.answers or {},
        {item.id: item.text for item in definition.items},
        definition.short_title,
        questionnaire_source(administration),
        active_rules(patient.organisation),
    )
    for finding in findings:
        raise_alert(patient, finding)
    return [finding.rule.name for finding in findings]


#: What a patient reads above their safety plan after an answer raised an alert.
SAFETY_PLAN_MESSAGE = _lazy(
    "Thank you for being honest. Your care team has been told and will be in touch. "
    "While you wait, here is your safety plan: start at step 1. If you are in danger "
    "now, call the emergency number."
)


def raised_alert_for(patient_id: int, source: str) -> bool:
    """Whether an answer (``diary_source``/``ema_source``) stands behind an alert: the patient
    is then shown their safety plan and the crisis numbers."""
    from safety.models import Alert

    return Alert.objects.filter(patient_id=patient_id, source_key=source).exists()

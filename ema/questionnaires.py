"""Momentary questionnaires defined as data, and the checks on them and on their answers.

A questionnaire is a list of questions; each is a dict with an ``id`` (letters, digits,
underscores), a ``text`` and a ``type``:

* ``scale`` — a whole number from ``min`` to ``max`` (e.g. 0–100 or 0–5), with optional
  ``min_label`` / ``max_label``;
* ``choice`` — one of ``options`` (each ``{"value", "label"}``);
* ``multi`` — any of ``options``;
* ``text`` — free text up to ``max_length`` characters (default 500).

``required`` (default true) says whether it must be answered. A study can load its own
questionnaire in this format; the shared default below asks what the BPD EMA literature
asks at each prompt (CLINICAL.md §5): momentary emotions, an urge, what is happening and
who the person is with.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from core.actions import ActionError

TYPES = frozenset({"scale", "choice", "multi", "text"})
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_QUESTIONS = 40

ACTIVITIES = [
    ("work", "Working or studying"),
    ("home", "Things at home"),
    ("social", "With people, socialising"),
    ("travel", "On the way somewhere"),
    ("rest", "Resting"),
    ("other", "Something else"),
]
COMPANY = [
    ("alone", "Nobody"),
    ("partner", "My partner"),
    ("family", "Family"),
    ("friends", "Friends"),
    ("colleagues", "Colleagues or classmates"),
    ("strangers", "People I don't know"),
]


def _scale(qid: str, text: str) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "scale",
        "text": text,
        "min": 0,
        "max": 100,
        "min_label": "Not at all",
        "max_label": "Extremely",
    }


DEFAULT_SLUG = "momentary"
DEFAULT_NAME = "Right now (momentary check-in)"
DEFAULT_QUESTIONS: list[dict[str, Any]] = [
    _scale("sad", "How sad do you feel right now?"),
    _scale("anxious", "How anxious or tense do you feel right now?"),
    _scale("angry", "How angry or irritated do you feel right now?"),
    _scale("happy", "How happy or content do you feel right now?"),
    _scale("urge_self_harm", "How strong is any urge to hurt yourself right now?"),
    {
        "id": "activity",
        "type": "choice",
        "text": "What are you doing?",
        "options": [{"value": v, "label": label} for v, label in ACTIVITIES],
    },
    {
        "id": "company",
        "type": "choice",
        "text": "Who are you with?",
        "options": [{"value": v, "label": label} for v, label in COMPANY],
    },
]


def validate_definition(questions: Any) -> list[str]:
    """Every problem with a questionnaire definition, each naming the question it is in."""
    if not isinstance(questions, list) or not questions:
        return [_("A questionnaire needs a list of questions.")]
    if len(questions) > MAX_QUESTIONS:
        return [_("A questionnaire may have at most %(n)d questions.") % {"n": MAX_QUESTIONS}]
    problems: list[str] = []
    seen: set[str] = set()
    for index, question in enumerate(questions, start=1):
        where = _("question %(n)d") % {"n": index}
        if not isinstance(question, dict):
            problems.append(_("%(where)s is not an object.") % {"where": where})
            continue
        qid = question.get("id")
        if not isinstance(qid, str) or not ID_PATTERN.match(qid):
            problems.append(
                _("%(where)s: the id must be lower-case letters, digits or _.") % {"where": where}
            )
        elif qid in seen:
            problems.append(
                _("%(where)s: the id %(id)s is used twice.") % {"where": where, "id": qid}
            )
        else:
            seen.add(qid)
            where = qid
        if not isinstance(question.get("text"), str) or not question["text"].strip():
            problems.append(_("%(where)s: the text is missing.") % {"where": where})
        kind = question.get("type")
        if kind not in TYPES:
            problems.append(_("%(where)s: unknown type %(type)r.") % {"where": where, "type": kind})
        elif kind == "scale":
            low, high = question.get("min"), question.get("max")
            if not (isinstance(low, int) and isinstance(high, int) and low < high):
                problems.append(
                    _("%(where)s: a scale needs whole numbers min < max.") % {"where": where}
                )
        elif kind in {"choice", "multi"}:
            options = question.get("options")
            values = [o.get("value") for o in options or [] if isinstance(o, dict)]
            if not options or len(values) != len(options) or len(set(values)) != len(values):
                problems.append(
                    _("%(where)s: options need distinct values and labels.") % {"where": where}
                )
    return problems


def clean_answers(questions: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, Any]:
    """The answers, checked against the questions; raises ``ActionError`` naming the field."""
    known = {question["id"]: question for question in questions}
    unknown = sorted(set(answers) - set(known))
    if unknown:
        raise ActionError(
            _("This is not a question of this check-in."), field=f"answers.{unknown[0]}"
        )
    cleaned: dict[str, Any] = {}
    for qid, question in known.items():
        value = answers.get(qid)
        field = f"answers.{qid}"
        if value is None or value == "" or value == []:
            if question.get("required", True):
                raise ActionError(_("Please answer this question."), field=field)
            continue
        kind = question["type"]
        if kind == "scale":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ActionError(_("Give a whole number."), field=field)
            if not question["min"] <= value <= question["max"]:
                raise ActionError(
                    _("Give a number from %(min)d to %(max)d.")
                    % {"min": question["min"], "max": question["max"]},
                    field=field,
                )
        elif kind == "choice":
            # Compared as a list, not a set: an answer may be any JSON (a list is unhashable).
            if value not in [o["value"] for o in question["options"]]:
                raise ActionError(_("Choose one of the options."), field=field)
        elif kind == "multi":
            allowed = [o["value"] for o in question["options"]]
            if not isinstance(value, list) or any(v not in allowed for v in value):
                raise ActionError(_("Choose from the options."), field=field)
            value = [v for v in (o["value"] for o in question["options"]) if v in value]
        else:
            if not isinstance(value, str):
                raise ActionError(_("Write your answer as text."), field=field)
            if len(value) > question.get("max_length", 500):
                raise ActionError(_("The text is too long."), field=field)
            value = value.strip()
            if not value:
                if question.get("required", True):
                    raise ActionError(_("Please answer this question."), field=field)
                continue
        cleaned[qid] = value
    return cleaned

"""A safety plan's content: its sections, their limits, and how a phone number is dialled.

Pure: no database. The sections follow the Stanley–Brown Safety Planning Intervention
(Stanley & Brown 2012, *Cogn Behav Pract* 19:256–264), six steps used in order, plus the
reasons for living that later templates add; see ``docs/safety.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_ITEMS = 12
MAX_TEXT = 300
MAX_NAME = 100
MAX_NOTE = 150
MAX_PHONE = 30
_PHONE = re.compile(r"^\+?[0-9 ()\-]{3,30}$")


class Section(models.TextChoices):
    """The plan's sections in the order the patient works through them."""

    WARNING_SIGNS = "warning_signs", _("Warning signs that a crisis may be coming")
    COPING = "coping", _("Things I can do on my own to take my mind off it")
    DISTRACTION = "distraction", _("People and places that help me feel better")
    HELP = "help", _("People I can ask for help")
    PROFESSIONALS = "professionals", _("Professionals and services I can contact")
    SAFE_ENVIRONMENT = "safe_environment", _("Making my surroundings safer")
    REASONS = "reasons", _("My reasons for living")


#: Sections whose items are people or places to call: name, phone, note.
CONTACT_SECTIONS = frozenset({Section.DISTRACTION, Section.HELP, Section.PROFESSIONALS})
#: The six steps, numbered as the patient uses them; reasons for living stand apart.
STEPS = (
    Section.WARNING_SIGNS,
    Section.COPING,
    Section.DISTRACTION,
    Section.HELP,
    Section.PROFESSIONALS,
    Section.SAFE_ENVIRONMENT,
)

HINTS: dict[str, Any] = {
    Section.WARNING_SIGNS: _(
        "Thoughts, feelings, pictures or situations that tell you things are getting worse."
    ),
    Section.COPING: _("Things you can do alone, without anyone else, that have helped before."),
    Section.DISTRACTION: _("People to be with and places to go, without needing to talk about it."),
    Section.HELP: _("Family or friends you can tell that you are struggling."),
    Section.PROFESSIONALS: _("Your clinician, your clinic, your doctor, a crisis line."),
    Section.SAFE_ENVIRONMENT: _(
        "What you will do to keep things you could use to hurt yourself out of reach."
    ),
    Section.REASONS: _("The people, plans and things that matter most to you."),
}


class PlanError(ValueError):
    """A plan that cannot be stored; ``field`` names the item (``coping.2``, ``help.0.phone``)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str = ""
    note: str = ""

    @property
    def tel(self) -> str:
        return tel_href(self.phone)

    @property
    def sms(self) -> str:
        return "sms:" + dial_string(self.phone) if self.phone else ""


@dataclass(frozen=True)
class PlanContent:
    """Every section's items; text sections hold strings, contact sections ``Contact``s."""

    texts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    contacts: dict[str, tuple[Contact, ...]] = field(default_factory=dict)

    def items(self, section: str) -> tuple[Any, ...]:
        if section in CONTACT_SECTIONS:
            return self.contacts.get(section, ())
        return self.texts.get(section, ())

    @property
    def is_empty(self) -> bool:
        return not any(self.items(section) for section in Section.values)

    def to_json(self) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        for section in Section.values:
            if section in CONTACT_SECTIONS:
                out[section] = [
                    {"name": c.name, "phone": c.phone, "note": c.note}
                    for c in self.contacts.get(section, ())
                ]
            else:
                out[section] = list(self.texts.get(section, ()))
        return out

    def only(self, sections: frozenset[str] | set[str]) -> PlanContent:
        """The same plan with only ``sections`` (what a supporter is shown)."""
        return PlanContent(
            {k: v for k, v in self.texts.items() if k in sections},
            {k: v for k, v in self.contacts.items() if k in sections},
        )


def dial_string(phone: str) -> str:
    """The number as a phone dials it: digits, with a leading + kept."""
    digits = re.sub(r"[^0-9]", "", phone)
    return ("+" + digits) if phone.strip().startswith("+") else digits


def tel_href(phone: str) -> str:
    return "tel:" + dial_string(phone) if phone else ""


def _text(value: Any, limit: int, field_name: str, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise PlanError(str(_("Enter text here.")), field_name)
    text = " ".join(value.split())
    if required and not text:
        raise PlanError(str(_("Enter a name, or leave the whole row empty.")), field_name)
    if len(text) > limit:
        raise PlanError(
            str(_("Keep this to %(limit)d characters or fewer.") % {"limit": limit}), field_name
        )
    return text


def parse_plan(data: Any) -> PlanContent:
    """Validate a plan given as JSON-like data ({section: [items]}); unknown sections are
    refused, empty items dropped. Raises ``PlanError`` for the first problem found."""
    if not isinstance(data, dict):
        raise PlanError(str(_("A plan is a set of sections.")), "content")
    for key in data:
        if key not in Section.values:
            raise PlanError(str(_("There is no section by this name.")), str(key))
    texts: dict[str, tuple[str, ...]] = {}
    contacts: dict[str, tuple[Contact, ...]] = {}
    for section in Section.values:
        raw = data.get(section) or []
        if not isinstance(raw, list):
            raise PlanError(str(_("A section is a list of items.")), section)
        if section in CONTACT_SECTIONS:
            people = []
            for index, item in enumerate(raw):
                where = f"{section}.{index}"
                if isinstance(item, str):
                    item = {"name": item}
                if not isinstance(item, dict):
                    raise PlanError(str(_("Give a name and, if you like, a phone number.")), where)
                phone = _text(item.get("phone"), MAX_PHONE, f"{where}.phone")
                note = _text(item.get("note"), MAX_NOTE, f"{where}.note")
                wanted = bool(phone or note)
                name = _text(item.get("name"), MAX_NAME, f"{where}.name", required=wanted)
                if not name:
                    continue
                if phone and not _PHONE.match(phone):
                    raise PlanError(
                        str(_("Use digits, spaces and + - ( ) only in a phone number.")),
                        f"{where}.phone",
                    )
                people.append(Contact(name, phone, note))
            _check_count(people, section)
            contacts[section] = tuple(people)
        else:
            lines = [_text(item, MAX_TEXT, f"{section}.{i}") for i, item in enumerate(raw)]
            kept = [line for line in lines if line]
            _check_count(kept, section)
            texts[section] = tuple(kept)
    return PlanContent(texts, contacts)


def _check_count(items: list[Any], section: str) -> None:
    if len(items) > MAX_ITEMS:
        raise PlanError(
            str(_("Keep to %(limit)d items in a section.") % {"limit": MAX_ITEMS}), section
        )


def parse_shared(values: Any) -> frozenset[str]:
    if not isinstance(values, (list, tuple, set, frozenset)):
        raise PlanError(str(_("Choose sections to share.")), "shared_sections")
    for value in values:
        if value not in Section.values:
            raise PlanError(str(_("There is no section by this name.")), "shared_sections")
    return frozenset(values)

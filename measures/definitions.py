"""Instruments as data: reading and checking questionnaire definitions.

Pure code (no database). A definition is a mapping (read from a TOML file in
``measures/content/``, from JSON, or from a FHIR ``Questionnaire`` by ``measures.fhir``)
that ``parse_definition`` turns into a ``Definition`` or rejects with ``DefinitionError``
listing every problem with its location (``items[3] (id '4'): options``), so that a
reviewer fixes them all in one pass and nothing is half-imported. The format is
described in ``measures/content/README.md``; ``Definition.as_data`` gives it back in its
canonical form (what is stored, hashed and exported).

Item text ships only where the instrument's licence allows it (``item_text = "public"``);
a licensed instrument ships without it and a clinic that holds the right adds its own
(``parse_licensed_text``).
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

CONTENT_DIR = Path(__file__).resolve().parent / "content"

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
ITEM_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,19}$")
VERSION_PATTERN = re.compile(r"^[0-9]+(\.[0-9]+){0,2}$")
LOINC_PATTERN = re.compile(r"^[0-9]{1,7}-[0-9]$")

METHODS = ("sum", "mean", "scaled_sum", "highest_positive")
PRORATIONS = ("none", "mean")
ITEM_TEXT = ("public", "licensed")
CRITERIA = ("", "a", "b", "c")
MAX_TEXT = 600
MAX_ITEMS = 100


class DefinitionError(Exception):
    """The definition is not valid; ``problems`` lists each one with its location."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Option:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    id: str
    options: str
    text: str = ""
    reversed: bool = False
    #: Unscored items (e.g. PHQ-9's difficulty question) are asked but never counted.
    scored: bool = True
    required: bool = True
    #: For ``highest_positive``: the level a positive answer to this item stands for.
    weight: int | None = None
    loinc: str = ""


@dataclass(frozen=True)
class Band:
    """A severity band: scores from ``lower`` (inclusive) up to the next band's lower."""

    lower: Fraction
    label: str


@dataclass(frozen=True)
class Subscale:
    id: str
    title: str
    items: tuple[str, ...]
    method: str = "sum"
    loinc: str = ""


@dataclass(frozen=True)
class Scoring:
    method: str
    #: The share of scored items (0–1) that must be answered for a valid score.
    min_answered: Fraction = Fraction(1)
    #: ``mean``: missing items count as the mean of the answered ones (sum × n / answered).
    proration: str = "none"
    scale: Fraction = Fraction(1)
    decimals: int = 0
    loinc_total: str = ""


@dataclass(frozen=True)
class Change:
    """What reliable change and clinical significance are computed from (all optional)."""

    reliability: float | None = None
    reliability_kind: str = ""
    #: The reference (pretreatment or clinical-sample) SD for Jacobson & Truax's SE.
    reference_sd: float | None = None
    #: A published fixed threshold for reliable change, used where no SD is known.
    reliable_change_points: float | None = None
    #: Jacobson & Truax's norms: the dysfunctional and functional populations.
    clinical_mean: float | None = None
    clinical_sd: float | None = None
    functional_mean: float | None = None
    functional_sd: float | None = None
    #: Which clinical-significance criterion (a, b, c) the norms support, if any.
    criterion: str = ""
    #: A published caseness cut-off: "recovered" means moving from a case to below it.
    cutoff: float | None = None
    source: str = ""


@dataclass(frozen=True)
class Definition:
    key: str
    version: str
    title: str
    short_title: str
    instructions: str
    period: str
    higher_is_worse: bool
    item_text: str
    licence: str
    citation: str
    source: str
    loinc_panel: str
    show_band_to_patient: bool
    scoring: Scoring
    option_sets: Mapping[str, tuple[Option, ...]]
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    subscales: tuple[Subscale, ...]
    change: Change

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.scored)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def options_of(self, item: Item) -> tuple[Option, ...]:
        return self.option_sets[item.options]

    @property
    def has_item_text(self) -> bool:
        return all(item.text for item in self.items)

    def with_item_text(
        self, texts: Mapping[str, str], labels: Mapping[str, tuple[str, ...]] | None = None
    ) -> Definition:
        """This definition with a clinic's licensed item text (and option labels)."""
        items = tuple(replace(item, text=texts.get(item.id, item.text)) for item in self.items)
        option_sets = dict(self.option_sets)
        for name, names in (labels or {}).items():
            option_sets[name] = tuple(
                Option(option.value, label)
                for option, label in zip(option_sets[name], names, strict=True)
            )
        return replace(self, items=items, option_sets=option_sets)

    def score_range(self) -> tuple[Fraction, Fraction]:
        """The lowest and highest total score."""
        from measures.scoring import score_range

        return score_range(self)

    def as_data(self) -> dict[str, Any]:
        """The canonical mapping (JSON-able; ``parse_definition`` reads it back)."""
        change = {k: v for k, v in vars(self.change).items() if v not in (None, "")}
        return {
            "key": self.key,
            "version": self.version,
            "title": self.title,
            "short_title": self.short_title,
            "instructions": self.instructions,
            "period": self.period,
            "higher_is_worse": self.higher_is_worse,
            "item_text": self.item_text,
            "show_band_to_patient": self.show_band_to_patient,
            "licence": self.licence,
            "citation": self.citation,
            "source": self.source,
            "loinc_panel": self.loinc_panel,
            "scoring": {
                "method": self.scoring.method,
                "min_answered": _number_out(self.scoring.min_answered),
                "proration": self.scoring.proration,
                "scale": _number_out(self.scoring.scale),
                "decimals": self.scoring.decimals,
                "loinc_total": self.scoring.loinc_total,
            },
            "change": change,
            "options": {
                name: [{"value": o.value, "label": o.label} for o in options]
                for name, options in self.option_sets.items()
            },
            "bands": [{"lower": _number_out(b.lower), "label": b.label} for b in self.bands],
            "subscales": [
                {
                    "id": s.id,
                    "title": s.title,
                    "items": list(s.items),
                    "method": s.method,
                    "loinc": s.loinc,
                }
                for s in self.subscales
            ],
            "items": [
                {
                    k: v
                    for k, v in {
                        "id": i.id,
                        "text": i.text,
                        "options": i.options,
                        "reversed": i.reversed,
                        "scored": i.scored,
                        "required": i.required,
                        "weight": i.weight,
                        "loinc": i.loinc,
                    }.items()
                    if v is not None
                }
                for i in self.items
            ],
        }

    def scoring_data(self) -> dict[str, Any]:
        """The canonical mapping without item text or option labels: what scoring uses."""
        data = self.as_data()
        for item in data["items"]:
            item["text"] = ""
        for options in data["options"].values():
            for option in options:
                option["label"] = ""
        return data

    def digest(self) -> str:
        """A fingerprint of the scoring definition (wording excluded)."""
        encoded = json.dumps(self.scoring_data(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(encoded.encode()).hexdigest()


def _number_out(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


# --- checking --------------------------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.found.append(f"{where}: {message}" if where else message)


def _text(
    data: Mapping[str, Any],
    key: str,
    where: str,
    problems: _Problems,
    *,
    required: bool = True,
    max_length: int = MAX_TEXT,
) -> str:
    value = data.get(key, None if required else "")
    if value is None:
        problems.add(where + key, "is missing")
        return ""
    if not isinstance(value, str):
        problems.add(where + key, "must be a text")
        return ""
    text: str = value.strip()
    if required and not text:
        problems.add(where + key, "is empty")
    elif len(text) > max_length:
        problems.add(where + key, f"is longer than {max_length} characters")
    return text


def _bool(
    data: Mapping[str, Any], key: str, where: str, problems: _Problems, default: bool | None
) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        problems.add(where + key, "must be true or false" if key in data else "is missing")
        return bool(default)
    return value


def _number(
    data: Mapping[str, Any], key: str, where: str, problems: _Problems, *, required: bool = False
) -> Fraction | None:
    value = data.get(key)
    if value is None:
        if required:
            problems.add(where + key, "is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.add(where + key, "must be a number")
        return None
    return Fraction(str(value))


def _float(data: Mapping[str, Any], key: str, where: str, problems: _Problems) -> float | None:
    number = _number(data, key, where, problems)
    return None if number is None else float(number)


def _loinc(data: Mapping[str, Any], key: str, where: str, problems: _Problems) -> str:
    code = _text(data, key, where, problems, required=False, max_length=12)
    if code and not LOINC_PATTERN.match(code):
        problems.add(where + key, f"{code!r} is not a LOINC code (digits, hyphen, check digit)")
    return code


def _unknown(data: Mapping[str, Any], known: set[str], where: str, problems: _Problems) -> None:
    for key in sorted(set(data) - known):
        problems.add(where + key, "is not a known field")


TOP_KEYS = {
    "key",
    "version",
    "title",
    "short_title",
    "instructions",
    "period",
    "higher_is_worse",
    "item_text",
    "show_band_to_patient",
    "licence",
    "citation",
    "source",
    "loinc_panel",
    "scoring",
    "change",
    "options",
    "bands",
    "subscales",
    "items",
}
SCORING_KEYS = {"method", "min_answered", "proration", "scale", "decimals", "loinc_total"}
CHANGE_KEYS = {
    "reliability",
    "reliability_kind",
    "reference_sd",
    "reliable_change_points",
    "clinical_mean",
    "clinical_sd",
    "functional_mean",
    "functional_sd",
    "criterion",
    "cutoff",
    "source",
}
ITEM_KEYS = {"id", "text", "options", "reversed", "scored", "required", "weight", "loinc"}
SUBSCALE_KEYS = {"id", "title", "items", "method", "loinc"}


def _scoring(raw: Any, problems: _Problems) -> Scoring:
    if not isinstance(raw, Mapping):
        problems.add("scoring", "is missing or not a table")
        return Scoring(method="sum")
    where = "scoring."
    _unknown(raw, SCORING_KEYS, where, problems)
    method = raw.get("method")
    if method not in METHODS:
        problems.add(where + "method", f"{method!r} is not one of {', '.join(METHODS)}")
        method = "sum"
    min_answered = _number(raw, "min_answered", where, problems, required=True)
    if min_answered is not None and not 0 < min_answered <= 1:
        problems.add(where + "min_answered", "must be a share above 0 and at most 1")
    proration = raw.get("proration", "none")
    if proration not in PRORATIONS:
        problems.add(where + "proration", f"{proration!r} is not one of {', '.join(PRORATIONS)}")
        proration = "none"
    scale = _number(raw, "scale", where, problems) or Fraction(1)
    if scale <= 0:
        problems.add(where + "scale", "must be above 0")
    if method != "scaled_sum" and scale != 1:
        problems.add(where + "scale", "is only used by the scaled_sum method")
    decimals = raw.get("decimals", 0)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 4:
        problems.add(where + "decimals", "must be a whole number from 0 to 4")
        decimals = 0
    share = min_answered if min_answered is not None else Fraction(1)
    if share < 1 and proration == "none" and method in ("sum", "scaled_sum"):
        problems.add(
            where + "proration",
            "a sum with fewer than all items answered needs proration = 'mean'",
        )
    if method == "highest_positive" and proration != "none":
        problems.add(where + "proration", "a highest-positive-item score is never prorated")
    return Scoring(
        method=str(method),
        min_answered=share,
        proration=str(proration),
        scale=scale,
        decimals=decimals,
        loinc_total=_loinc(raw, "loinc_total", where, problems),
    )


def _change(raw: Any, problems: _Problems) -> Change:
    if raw is None:
        return Change()
    if not isinstance(raw, Mapping):
        problems.add("change", "must be a table")
        return Change()
    where = "change."
    _unknown(raw, CHANGE_KEYS, where, problems)
    change = Change(
        reliability=_float(raw, "reliability", where, problems),
        reliability_kind=_text(raw, "reliability_kind", where, problems, required=False),
        reference_sd=_float(raw, "reference_sd", where, problems),
        reliable_change_points=_float(raw, "reliable_change_points", where, problems),
        clinical_mean=_float(raw, "clinical_mean", where, problems),
        clinical_sd=_float(raw, "clinical_sd", where, problems),
        functional_mean=_float(raw, "functional_mean", where, problems),
        functional_sd=_float(raw, "functional_sd", where, problems),
        criterion=str(raw.get("criterion", "")),
        cutoff=_float(raw, "cutoff", where, problems),
        source=_text(raw, "source", where, problems, required=False),
    )
    if change.reliability is not None and not 0 < change.reliability < 1:
        problems.add(where + "reliability", "must be above 0 and below 1")
    for name in ("reference_sd", "clinical_sd", "functional_sd", "reliable_change_points"):
        value = getattr(change, name)
        if value is not None and value <= 0:
            problems.add(where + name, "must be above 0")
    if change.reference_sd is not None and change.reliability is None:
        problems.add(where + "reliability", "is needed with reference_sd")
    if change.criterion not in CRITERIA:
        problems.add(where + "criterion", f"{change.criterion!r} is not one of a, b, c")
    needs = {
        "a": ("clinical_mean", "clinical_sd"),
        "b": ("functional_mean", "functional_sd"),
        "c": ("clinical_mean", "clinical_sd", "functional_mean", "functional_sd"),
    }.get(change.criterion, ())
    for name in needs:
        if getattr(change, name) is None:
            problems.add(where + name, f"is needed for criterion {change.criterion}")
    given = [n for n in vars(change) if n != "source" and getattr(change, n) not in (None, "")]
    if given and not change.source:
        problems.add(where + "source", "is missing: say where the values come from")
    return change


def _option_sets(raw: Any, problems: _Problems) -> dict[str, tuple[Option, ...]]:
    if not isinstance(raw, Mapping) or not raw:
        problems.add("options", "must name at least one set of answer options")
        return {}
    sets: dict[str, tuple[Option, ...]] = {}
    for name, options in raw.items():
        where = f"options.{name}"
        if not isinstance(options, list) or len(options) < 2:
            problems.add(where, "must list at least two options")
            continue
        found: list[Option] = []
        for index, option in enumerate(options, start=1):
            at = f"{where}[{index}]."
            if not isinstance(option, Mapping):
                problems.add(f"{where}[{index}]", "must be a table with value and label")
                continue
            _unknown(option, {"value", "label"}, at, problems)
            value = option.get("value")
            if isinstance(value, bool) or not isinstance(value, int):
                problems.add(at + "value", "must be a whole number")
                continue
            found.append(Option(value, _text(option, "label", at, problems, max_length=120)))
        values = [option.value for option in found]
        if len(set(values)) != len(values):
            problems.add(where, "has the same value twice")
        if values != sorted(values):
            problems.add(where, "must list its values in rising order")
        sets[str(name)] = tuple(found)
    return sets


def _items(
    raw: Any, option_sets: Mapping[str, tuple[Option, ...]], method: str, problems: _Problems
) -> tuple[Item, ...]:
    if not isinstance(raw, list) or not raw:
        problems.add("items", "must list at least one item")
        return ()
    if len(raw) > MAX_ITEMS:
        problems.add("items", f"has more than {MAX_ITEMS} items")
    items: list[Item] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw, start=1):
        if not isinstance(entry, Mapping):
            problems.add(f"items[{index}]", "must be a table")
            continue
        item_id = entry.get("id")
        label = f"items[{index}]" + (f" (id {item_id!r})" if isinstance(item_id, str) else "")
        where = label + "."
        _unknown(entry, ITEM_KEYS, where, problems)
        if not isinstance(item_id, str) or not ITEM_ID_PATTERN.match(item_id):
            problems.add(where + "id", "must be 1–20 letters, digits, '.', '_' or '-'")
            item_id = f"#{index}"
        elif item_id in seen:
            problems.add(where + "id", "is used twice")
        seen.add(item_id)
        options = entry.get("options")
        if not isinstance(options, str) or options not in option_sets:
            problems.add(where + "options", f"{options!r} is not a set under [options]")
            options = ""
        weight = entry.get("weight")
        if method == "highest_positive":
            if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
                problems.add(where + "weight", "a highest-positive-item score needs a weight ≥ 1")
                weight = 1
        elif weight is not None:
            problems.add(where + "weight", "is only used by the highest_positive method")
            weight = None
        item = Item(
            id=item_id,
            options=str(options),
            text=_text(entry, "text", where, problems, required=False),
            reversed=_bool(entry, "reversed", where, problems, False),
            scored=_bool(entry, "scored", where, problems, True),
            required=_bool(entry, "required", where, problems, True),
            weight=weight,
            loinc=_loinc(entry, "loinc", where, problems),
        )
        if item.reversed and not item.scored:
            problems.add(where + "reversed", "an unscored item is never reversed")
        if item.reversed and method == "highest_positive":
            problems.add(where + "reversed", "a highest-positive-item score never reverses items")
        if method == "highest_positive" and options and min(o.value for o in option_sets[options]):
            problems.add(where + "options", "a screen's options must start at 0 (no)")
        items.append(item)
    if not any(item.scored for item in items):
        problems.add("items", "no item is scored")
    return tuple(items)


def _bands(
    raw: Any, score_range: tuple[Fraction, Fraction] | None, problems: _Problems
) -> tuple[Band, ...]:
    """The bands, checked against the score range (when the items allow computing it)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.add("bands", "must be a list of tables")
        return ()
    bands: list[Band] = []
    for index, entry in enumerate(raw, start=1):
        where = f"bands[{index}]."
        if not isinstance(entry, Mapping):
            problems.add(f"bands[{index}]", "must be a table")
            continue
        _unknown(entry, {"lower", "label"}, where, problems)
        lower = _number(entry, "lower", where, problems, required=True)
        label = _text(entry, "label", where, problems, max_length=120)
        if lower is None:
            continue
        if score_range is not None and not score_range[0] <= lower <= score_range[1]:
            problems.add(where + "lower", f"{float(lower):g} is outside the score range")
        if bands and lower <= bands[-1].lower:
            problems.add(where + "lower", "must be above the band before it")
        bands.append(Band(lower, label))
    if bands and score_range is not None and bands[0].lower != score_range[0]:
        lowest = float(score_range[0])
        problems.add("bands[1].lower", f"must be the lowest possible score, {lowest:g}")
    return tuple(bands)


def _subscales(raw: Any, items: tuple[Item, ...], problems: _Problems) -> tuple[Subscale, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.add("subscales", "must be a list of tables")
        return ()
    scored = {item.id for item in items if item.scored}
    found: list[Subscale] = []
    for index, entry in enumerate(raw, start=1):
        if not isinstance(entry, Mapping):
            problems.add(f"subscales[{index}]", "must be a table")
            continue
        sid = entry.get("id")
        where = f"subscales[{index}] (id {sid!r})."
        _unknown(entry, SUBSCALE_KEYS, where, problems)
        if not isinstance(sid, str) or not ITEM_ID_PATTERN.match(sid):
            problems.add(where + "id", "must be 1–20 letters, digits, '.', '_' or '-'")
            sid = f"#{index}"
        elif any(s.id == sid for s in found):
            problems.add(where + "id", "is used twice")
        members = entry.get("items")
        if not isinstance(members, list) or not members:
            problems.add(where + "items", "must list at least one item id")
            members = []
        for member in members:
            if member not in scored:
                problems.add(where + "items", f"{member!r} is not a scored item")
        if len(set(map(str, members))) != len(members):
            problems.add(where + "items", "lists an item twice")
        method = entry.get("method", "sum")
        if method not in ("sum", "mean"):
            problems.add(where + "method", f"{method!r} is not sum or mean")
            method = "sum"
        found.append(
            Subscale(
                id=sid,
                title=_text(entry, "title", where, problems, max_length=120),
                items=tuple(str(m) for m in members),
                method=str(method),
                loinc=_loinc(entry, "loinc", where, problems),
            )
        )
    return tuple(found)


def parse_definition(data: Mapping[str, Any]) -> Definition:
    """Check ``data`` whole and return the definition, or raise ``DefinitionError``."""
    problems = _Problems()
    if not isinstance(data, Mapping):
        raise DefinitionError(["the definition must be a table"])
    _unknown(data, TOP_KEYS, "", problems)
    key = _text(data, "key", "", problems, max_length=40)
    if key and not KEY_PATTERN.match(key):
        problems.add("key", "must be lower-case letters, digits and _ (starting with a letter)")
    version = _text(data, "version", "", problems, max_length=20)
    if version and not VERSION_PATTERN.match(version):
        problems.add("version", "must be like 1, 1.2 or 1.2.3")
    item_text = data.get("item_text")
    if item_text not in ITEM_TEXT:
        problems.add("item_text", "must be 'public' (text may be shipped) or 'licensed'")
    scoring = _scoring(data.get("scoring"), problems)
    option_sets = _option_sets(data.get("options"), problems)
    items = _items(data.get("items"), option_sets, scoring.method, problems)
    if item_text == "public":
        for index, item in enumerate(items, start=1):
            if not item.text:
                problems.add(f"items[{index}] (id {item.id!r}).text", "is missing")
    elif item_text == "licensed":
        for index, item in enumerate(items, start=1):
            if item.text:
                problems.add(
                    f"items[{index}] (id {item.id!r}).text",
                    "must be empty: this instrument's text is licensed (a clinic loads its own)",
                )
    ranges = {
        (min(o.value for o in option_sets[i.options]), max(o.value for o in option_sets[i.options]))
        for i in items
        if i.scored and i.options
    }
    if len(ranges) > 1 and (scoring.method == "mean" or scoring.proration == "mean"):
        problems.add("items", "a mean or a prorated sum needs every scored item on one range")
    score_range: tuple[Fraction, Fraction] | None = None
    if items and option_sets and all(item.options for item in items):
        from measures.scoring import range_of

        score_range = range_of(scoring, items, option_sets)
    bands = _bands(data.get("bands"), score_range, problems)
    subscales = _subscales(data.get("subscales"), items, problems)
    change = _change(data.get("change"), problems)
    if scoring.method == "highest_positive" and (
        change.reliability is not None or change.reliable_change_points is not None
    ):
        problems.add("change", "a screen scored by its highest positive item has no change score")
    definition = Definition(
        key=key,
        version=version,
        title=_text(data, "title", "", problems, max_length=200),
        short_title=_text(data, "short_title", "", problems, max_length=30),
        instructions=_text(data, "instructions", "", problems, required=False),
        period=_text(data, "period", "", problems, required=False, max_length=60),
        higher_is_worse=_bool(data, "higher_is_worse", "", problems, None),
        item_text=str(item_text),
        licence=_text(data, "licence", "", problems),
        citation=_text(data, "citation", "", problems),
        source=_text(data, "source", "", problems, required=False),
        loinc_panel=_loinc(data, "loinc_panel", "", problems),
        show_band_to_patient=_bool(data, "show_band_to_patient", "", problems, False),
        scoring=scoring,
        option_sets=option_sets,
        items=items,
        bands=bands,
        subscales=subscales,
        change=change,
    )
    if problems.found:
        raise DefinitionError(problems.found)
    return definition


# --- files -----------------------------------------------------------------------------------


def read_definition_file(path: Path) -> Definition:
    """One definition from a ``.toml`` or ``.json`` file; problems are prefixed by its name."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DefinitionError([f"{path.name}: cannot be read: {exc}"]) from exc
    try:
        definition = parse_definition(data)
    except DefinitionError as exc:
        raise DefinitionError([f"{path.name}: {problem}" for problem in exc.problems]) from exc
    if path.suffix == ".toml" and definition.key != path.stem:
        raise DefinitionError([f"{path.name}: key {definition.key!r} must be the file's name"])
    return definition


def read_content(directory: Path = CONTENT_DIR) -> list[Definition]:
    """Every definition in ``directory``, or ``DefinitionError`` with all their problems."""
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        raise DefinitionError([f"{directory}: no *.toml definition files"])
    found: list[Definition] = []
    problems: list[str] = []
    for path in paths:
        try:
            found.append(read_definition_file(path))
        except DefinitionError as exc:
            problems += exc.problems
    if problems:
        raise DefinitionError(problems)
    return found


# --- a clinic's licensed item text ------------------------------------------------------------


@dataclass(frozen=True)
class LicensedText:
    instrument: str
    note: str
    items: Mapping[str, str]
    labels: Mapping[str, tuple[str, ...]]


def parse_licensed_text(data: Mapping[str, Any], definition: Definition) -> LicensedText:
    """Check a clinic's item-text file against ``definition``: every item's text, nothing
    else, and option labels (optional) for the sets it names."""
    problems = _Problems()
    _unknown(data, {"instrument", "note", "items", "options"}, "", problems)
    if data.get("instrument") != definition.key:
        problems.add("instrument", f"must be {definition.key!r}")
    note = _text(data, "note", "", problems, max_length=300)
    raw_items = data.get("items")
    texts: dict[str, str] = {}
    if not isinstance(raw_items, Mapping):
        problems.add("items", "must be a table of item id = text")
        raw_items = {}
    known = {item.id for item in definition.items}
    for item_id in sorted(set(raw_items) - known):
        problems.add(f"items.{item_id}", "is not an item of this instrument")
    for item in definition.items:
        text = _text(raw_items, item.id, "items.", problems, max_length=MAX_TEXT)
        if text:
            texts[item.id] = text
    labels: dict[str, tuple[str, ...]] = {}
    raw_options = data.get("options", {})
    if not isinstance(raw_options, Mapping):
        problems.add("options", "must be a table of option set = list of labels")
        raw_options = {}
    for name, names in raw_options.items():
        where = f"options.{name}"
        if name not in definition.option_sets:
            problems.add(where, "is not an option set of this instrument")
            continue
        expected = len(definition.option_sets[name])
        if (
            not isinstance(names, list)
            or len(names) != expected
            or not all(isinstance(n, str) and n.strip() for n in names)
        ):
            problems.add(where, f"must list {expected} non-empty labels, lowest value first")
            continue
        labels[str(name)] = tuple(n.strip()[:120] for n in names)
    if problems.found:
        raise DefinitionError(problems.found)
    return LicensedText(definition.key, note, texts, labels)

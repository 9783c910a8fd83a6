"""FHIR R4 export and import of instruments, responses and scores (``fhir.resources``).

``fhir.resources`` 8 models FHIR R5 at its top level and R4B under ``fhir.resources.R4B``
(there is no plain R4 package); ``Questionnaire``, ``QuestionnaireResponse``,
``Observation`` and ``Bundle`` are wire-compatible between R4 and R4B for everything used
here, so every resource is built as R4 JSON and validated with the R4B models (ADR 0018).

Mapping (one to one; ``definition_from_questionnaire`` reads back what
``questionnaire_resource`` writes):

* a definition version → ``Questionnaire`` (``url`` ``urn:wisemind:questionnaire:<key>``,
  ``version``, ``title``, ``description`` = instructions, ``copyright`` = licence,
  ``code`` = LOINC panel); each item → ``item`` (``linkId``, ``text`` — empty for licensed
  instruments —, ``required``, ``code`` = LOINC, ``answerOption.valueCoding`` with the
  option's value as its ``ordinalValue``); the scoring rules (method, minimum answered,
  proration, bands, subscales, reliability and norms, per-item reversal/weight) travel in
  the ``…/measures-scoring`` and ``…/measures-item-scoring`` extensions as canonical JSON;
* an administration → ``QuestionnaireResponse`` (answered items only);
* its current score → an ``Observation`` for the total and one per subscale, coded with
  LOINC where a code exists (PHQ-9 total 44261-6, GAD-7 total 70274-6, …) and otherwise
  with wisemind's own code system, ``derivedFrom`` the response.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from measures.definitions import Definition, DefinitionError, parse_definition

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
EXT_SCORING = "urn:wisemind:fhir:StructureDefinition:measures-scoring"
EXT_ITEM = "urn:wisemind:fhir:StructureDefinition:measures-item-scoring"
EXT_SUBSCALE = "urn:wisemind:fhir:StructureDefinition:measures-subscale"
CODES = "urn:wisemind:fhir:CodeSystem:measures"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

#: The canonical definition's fields that travel in the scoring extension.
EXTENSION_FIELDS = (
    "short_title",
    "period",
    "higher_is_worse",
    "item_text",
    "show_band_to_patient",
    "citation",
    "source",
    "loinc_panel",
    "scoring",
    "change",
    "bands",
    "subscales",
)


def questionnaire_url(key: str) -> str:
    return f"urn:wisemind:questionnaire:{key}"


def questionnaire_id(key: str, version: str) -> str:
    return f"{key.replace('_', '-')}-{version}"


def _options_system(key: str, name: str) -> str:
    return f"urn:wisemind:fhir:CodeSystem:{key}:{name}"


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def questionnaire_resource(definition: Definition) -> dict[str, Any]:
    """The definition as a validated FHIR ``Questionnaire`` (JSON)."""
    data = definition.as_data()
    items = []
    for raw in data["items"]:
        options = data["options"][raw["options"]]
        item: dict[str, Any] = {
            "linkId": raw["id"],
            "type": "choice",
            "required": raw["required"],
            "extension": [
                {
                    "url": EXT_ITEM,
                    "valueString": _json(
                        {k: raw[k] for k in ("options", "reversed", "scored", "weight") if k in raw}
                    ),
                }
            ],
            "answerOption": [
                {
                    "extension": [{"url": ORDINAL, "valueDecimal": option["value"]}],
                    "valueCoding": {
                        "system": _options_system(definition.key, raw["options"]),
                        "code": str(option["value"]),
                        "display": option["label"],
                    },
                }
                for option in options
            ],
        }
        if raw["text"]:
            item["text"] = raw["text"]
        if raw.get("loinc"):
            item["code"] = [{"system": LOINC, "code": raw["loinc"]}]
        items.append(item)
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": questionnaire_id(definition.key, definition.version),
        "extension": [
            {"url": EXT_SCORING, "valueString": _json({k: data[k] for k in EXTENSION_FIELDS})}
        ],
        "url": questionnaire_url(definition.key),
        "version": definition.version,
        "name": definition.key.upper(),
        "title": definition.title,
        "status": "active",
        "subjectType": ["Patient"],
        "copyright": definition.licence,
        "item": items,
    }
    if definition.instructions:
        resource["description"] = definition.instructions
    if definition.loinc_panel:
        resource["code"] = [{"system": LOINC, "code": definition.loinc_panel}]
    return _validated(Questionnaire, resource)


def definition_from_questionnaire(resource: Mapping[str, Any]) -> Definition:
    """Read a ``Questionnaire`` written by ``questionnaire_resource`` back into a checked
    definition (``DefinitionError`` lists every problem)."""
    parsed = Questionnaire.model_validate(resource)
    extension = _extension(parsed.extension, EXT_SCORING)
    if extension is None:
        raise DefinitionError(["Questionnaire: the measures-scoring extension is missing"])
    data: dict[str, Any] = json.loads(extension)
    url = parsed.url or ""
    prefix = questionnaire_url("")
    data["key"] = url[len(prefix) :] if url.startswith(prefix) else ""
    data["version"] = parsed.version or ""
    data["title"] = parsed.title or ""
    data["instructions"] = parsed.description or ""
    data["licence"] = parsed.copyright or ""
    options: dict[str, list[dict[str, Any]]] = {}
    items = []
    problems = []
    for index, item in enumerate(parsed.item or [], start=1):
        extra = _extension(item.extension, EXT_ITEM)
        if extra is None:
            problems.append(f"item[{index}] (linkId {item.linkId!r}): scoring extension missing")
            continue
        raw: dict[str, Any] = json.loads(extra)
        raw["id"] = item.linkId
        raw["text"] = item.text or ""
        raw["required"] = bool(item.required)
        if item.code:
            raw["loinc"] = item.code[0].code
        set_name = raw.get("options", "")
        options.setdefault(
            set_name,
            [
                {"value": int(o.valueCoding.code), "label": o.valueCoding.display or ""}
                for o in item.answerOption or []
                if o.valueCoding is not None and o.valueCoding.code is not None
            ],
        )
        items.append(raw)
    if problems:
        raise DefinitionError(problems)
    data["options"] = options
    data["items"] = items
    return parse_definition(data)


def _extension(extensions: Any, url: str) -> str | None:
    for extension in extensions or []:
        if extension.url == url:
            return str(extension.valueString)
    return None


def _validated(model: Any, resource: dict[str, Any]) -> dict[str, Any]:
    """``resource`` checked by its ``fhir.resources`` model, as the model writes it."""
    out: dict[str, Any] = json.loads(model.model_validate(resource).model_dump_json())
    return out


# --- responses and scores ---------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreRecord:
    """One score Observation: the total (``subscale`` empty) or a subscale."""

    subscale: str
    code: str
    system: str
    display: str
    value: float
    band: str = ""


@dataclass(frozen=True)
class ResponseRecord:
    """One administration as exported: who, which definition, when, the answers, scores."""

    id: str
    patient: str
    key: str
    version: str
    authored: str
    answers: Mapping[str, int]
    labels: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    scores: tuple[ScoreRecord, ...] = ()


def score_records(
    definition: Definition, detail: Mapping[str, Any], band: str
) -> tuple[ScoreRecord, ...]:
    """The Observations of a stored score (``Score.detail``): total and valid subscales."""
    records = []
    total = detail.get("score")
    if total is not None:
        loinc = definition.scoring.loinc_total
        records.append(
            ScoreRecord(
                subscale="",
                code=loinc or f"{definition.key}-total",
                system=LOINC if loinc else CODES,
                display=f"{definition.short_title} total score",
                value=float(total),
                band=band,
            )
        )
    for subscale in detail.get("subscales", []):
        if subscale.get("score") is None:
            continue
        loinc = subscale.get("loinc") or ""
        records.append(
            ScoreRecord(
                subscale=subscale["id"],
                code=loinc or f"{definition.key}-{subscale['id']}",
                system=LOINC if loinc else CODES,
                display=f"{definition.short_title} {subscale['title']}",
                value=float(subscale["score"]),
            )
        )
    return tuple(records)


def response_resource(record: ResponseRecord) -> dict[str, Any]:
    items = []
    for item_id, value in record.answers.items():
        system, label = record.labels.get(item_id, ("", ""))
        coding: dict[str, Any] = {"code": str(value)}
        if system:
            coding["system"] = system
        if label:
            coding["display"] = label
        items.append({"linkId": item_id, "answer": [{"valueCoding": coding}]})
    resource = {
        "resourceType": "QuestionnaireResponse",
        "id": record.id,
        "questionnaire": f"{questionnaire_url(record.key)}|{record.version}",
        "status": "completed",
        "subject": {"reference": f"Patient/{record.patient}"},
        "authored": record.authored,
        "item": items,
    }
    return _validated(QuestionnaireResponse, resource)


def observation_resources(record: ResponseRecord) -> list[dict[str, Any]]:
    out = []
    for one in record.scores:
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "id": f"{record.id}-{_fhir_id(one.subscale) or 'total'}",
            "status": "final",
            "category": [{"coding": [{"system": CATEGORY, "code": "survey"}]}],
            "code": {
                "coding": [{"system": one.system, "code": one.code, "display": one.display}],
                "text": one.display,
            },
            "subject": {"reference": f"Patient/{record.patient}"},
            "effectiveDateTime": record.authored,
            "valueQuantity": {"value": one.value, "system": UCUM, "code": "{score}"},
            "method": {
                "text": f"wisemind scoring engine; {record.key} definition version {record.version}"
            },
            "derivedFrom": [{"reference": f"QuestionnaireResponse/{record.id}"}],
        }
        if one.subscale:
            resource["extension"] = [{"url": EXT_SUBSCALE, "valueString": one.subscale}]
        if one.band:
            resource["interpretation"] = [{"text": one.band}]
        out.append(_validated(Observation, resource))
    return out


def bundle(definitions: Iterable[Definition], records: Sequence[ResponseRecord]) -> dict[str, Any]:
    """A validated ``collection`` Bundle of Questionnaires, QuestionnaireResponses and
    Observations."""
    entries = []
    for definition in sorted(definitions, key=lambda d: (d.key, d.version)):
        resource = questionnaire_resource(definition)
        entries.append({"fullUrl": f"Questionnaire/{resource['id']}", "resource": resource})
    for record in records:
        entries.append(
            {"fullUrl": f"QuestionnaireResponse/{record.id}", "resource": response_resource(record)}
        )
        for observation in observation_resources(record):
            entries.append({"fullUrl": f"Observation/{observation['id']}", "resource": observation})
    return _validated(Bundle, {"resourceType": "Bundle", "type": "collection", "entry": entries})


def read_bundle(data: Mapping[str, Any]) -> tuple[list[Definition], list[ResponseRecord]]:
    """A Bundle written by ``bundle`` read back into definitions and records (validated by
    ``fhir.resources`` first, then read from the model's own JSON)."""
    canonical: dict[str, Any] = json.loads(Bundle.model_validate(data).model_dump_json())
    definitions: list[Definition] = []
    responses: dict[str, dict[str, Any]] = {}
    observations: dict[str, list[ScoreRecord]] = {}
    for entry in canonical.get("entry", []):
        resource: dict[str, Any] = entry["resource"]
        kind = resource["resourceType"]
        if kind == "Questionnaire":
            definitions.append(definition_from_questionnaire(resource))
        elif kind == "QuestionnaireResponse":
            url, _bar, version = resource.get("questionnaire", "").partition("|")
            answers: dict[str, int] = {}
            labels: dict[str, tuple[str, str]] = {}
            for item in resource.get("item", []):
                coding = (item.get("answer") or [{}])[0].get("valueCoding") or {}
                if "code" not in coding:
                    continue
                answers[item["linkId"]] = int(coding["code"])
                labels[item["linkId"]] = (coding.get("system", ""), coding.get("display", ""))
            responses[resource["id"]] = {
                "id": resource["id"],
                "patient": resource["subject"]["reference"].removeprefix("Patient/"),
                "key": url.removeprefix(questionnaire_url("")),
                "version": version,
                "authored": resource["authored"],
                "answers": answers,
                "labels": labels,
            }
        elif kind == "Observation":
            source = resource["derivedFrom"][0]["reference"]
            coding = resource["code"]["coding"][0]
            subscale = next(
                (
                    e["valueString"]
                    for e in resource.get("extension", [])
                    if e["url"] == EXT_SUBSCALE
                ),
                "",
            )
            observations.setdefault(source.removeprefix("QuestionnaireResponse/"), []).append(
                ScoreRecord(
                    subscale=subscale,
                    code=coding["code"],
                    system=coding["system"],
                    display=coding["display"],
                    value=float(resource["valueQuantity"]["value"]),
                    band=(resource.get("interpretation") or [{}])[0].get("text", ""),
                )
            )
    records = [
        ResponseRecord(**fields, scores=tuple(observations.get(fields["id"], [])))
        for fields in responses.values()
    ]
    return definitions, records


def _fhir_id(text: str) -> str:
    """``text`` in the characters a FHIR id allows."""
    return "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in text)


# --- from the database ------------------------------------------------------------------------


def patient_records(patient: Any) -> tuple[list[Definition], list[ResponseRecord]]:
    """A patient's sent questionnaires with their current scores, ready for ``bundle``."""
    from measures.models import Score

    scores = (
        Score.objects.select_related("administration__version__instrument", "version__instrument")
        .filter(patient=patient, is_current=True)
        .order_by("observed_at", "id")
    )
    definitions: dict[tuple[str, str], Definition] = {}
    records = []
    for one in scores:
        administration = one.administration
        definition = definitions.get((one.version.instrument.key, one.version.version))
        if definition is None:
            definition = one.version.parsed()
            definitions[(definition.key, definition.version)] = definition
        asked = administration.version.parsed()
        definitions.setdefault((asked.key, asked.version), asked)
        labels = {}
        answers = {}
        for item in asked.items:
            value = administration.answers.get(item.id)
            if value is None:
                continue
            answers[item.id] = int(value)
            label = next((o.label for o in asked.options_of(item) if o.value == value), "")
            labels[item.id] = (_options_system(asked.key, item.options), label)
        assert administration.submitted_at is not None  # noqa: S101 - scores are of sent ones
        records.append(
            ResponseRecord(
                id=str(administration.public_id),
                patient=str(patient.public_id),
                key=asked.key,
                version=asked.version,
                authored=administration.submitted_at.isoformat(),
                answers=answers,
                labels=labels,
                scores=score_records(definition, one.detail, one.band),
            )
        )
    return list(definitions.values()), records


def patient_bundle(patient: Any) -> dict[str, Any]:
    definitions, records = patient_records(patient)
    return bundle(definitions, records)


def ndjson_lines(patients: Iterable[Any]) -> Iterator[str]:
    """Bulk export: one resource per line (FHIR Bulk Data NDJSON), each Questionnaire once."""
    seen: set[str] = set()
    for patient in patients:
        definitions, records = patient_records(patient)
        for definition in definitions:
            resource = questionnaire_resource(definition)
            if resource["id"] not in seen:
                seen.add(resource["id"])
                yield _json(resource)
        for record in records:
            yield _json(response_resource(record))
            for observation in observation_resources(record):
                yield _json(observation)

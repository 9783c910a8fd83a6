"""FHIR R4 export: a validated Bundle that parses back with fhir.resources and round-trips
(export → import → export gives the same content); bulk NDJSON; the command."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from fhir.resources.R4B.bundle import Bundle

from core.testing.factories import make_administration, shipped_instrument
from core.testing.personas import World
from measures.definitions import read_content
from measures.fhir import (
    bundle,
    definition_from_questionnaire,
    ndjson_lines,
    patient_bundle,
    questionnaire_resource,
    read_bundle,
)
from measures.models import Instrument, InstrumentVersion

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("definition", read_content(), ids=lambda d: d.key)
def test_every_definition_round_trips_through_a_questionnaire(definition: object) -> None:
    resource = questionnaire_resource(definition)  # type: ignore[arg-type]
    assert definition_from_questionnaire(resource) == definition


def sent(world: World) -> None:
    values = [2, 2, 2, 2, 2, 0, 0, 0, 1]
    make_administration(
        world.patient_record,
        answers={str(n): v for n, v in enumerate(values, start=1)} | {"10": 1},
        submit=True,
    )
    make_administration(
        world.patient_record,
        "pcl5",
        answers={str(n): 2 for n in range(1, 21)},
        submit=True,
    )


def test_patient_bundle_codes_and_round_trip(world: World) -> None:
    sent(world)
    exported = patient_bundle(world.patient_record)
    # It parses back with fhir.resources
    parsed = Bundle.model_validate(exported)
    kinds = [entry.resource.__resource_type__ for entry in parsed.entry]
    assert kinds.count("Questionnaire") == 2 and kinds.count("QuestionnaireResponse") == 2
    observations = [e["resource"] for e in exported["entry"]
                    if e["resource"]["resourceType"] == "Observation"]  # fmt: skip
    # PHQ-9 total is LOINC 44261-6; PCL-5 total 101698-9 and four cluster subscales
    codes = {o["code"]["coding"][0]["code"]: o["valueQuantity"]["value"] for o in observations}
    assert codes["44261-6"] == 11 and codes["101698-9"] == 40
    assert codes["pcl5-B"] == 10 and codes["pcl5-E"] == 12
    phq = next(o for o in observations if o["code"]["coding"][0]["code"] == "44261-6")
    assert phq["code"]["coding"][0]["system"] == "http://loinc.org"
    assert phq["interpretation"][0]["text"] == "Moderate"
    questionnaire = next(e["resource"] for e in exported["entry"]
                         if e["resource"].get("id") == "phq9-1")  # fmt: skip
    assert questionnaire["code"] == [{"system": "http://loinc.org", "code": "44249-1"}]
    assert questionnaire["item"][8]["code"][0]["code"] == "44260-8"
    # Export → import → export gives the same content
    definitions, records = read_bundle(exported)
    assert bundle(definitions, records) == exported
    assert json.loads(json.dumps(exported)) == exported


def test_a_licensed_instrument_is_exported_without_item_text(world: World) -> None:
    resource = questionnaire_resource(
        InstrumentVersion.objects.get(instrument__key="bsl23").parsed()
    )
    assert all("text" not in item for item in resource["item"])


def test_bulk_ndjson_has_one_resource_per_line_and_each_questionnaire_once(
    world: World,
) -> None:
    sent(world)
    make_administration(world.patient_record, answers={"1": 0}, submit=True)
    lines = list(ndjson_lines([world.patient_record]))
    resources = [json.loads(line) for line in lines]
    types = [r["resourceType"] for r in resources]
    assert types.count("Questionnaire") == 2 and types.count("QuestionnaireResponse") == 3
    assert all("\n" not in line for line in lines)


def test_a_broken_questionnaire_imports_nothing(world: World, tmp_path: Path) -> None:
    data = questionnaire_resource(shipped_instrument("gad7").versions.get().parsed())
    data["version"] = "9"
    scoring = json.loads(data["extension"][0]["valueString"])
    scoring["bands"][1]["lower"] = 99
    scoring["scoring"]["method"] = "median"
    data["extension"][0]["valueString"] = json.dumps(scoring)
    del data["item"][2]["extension"]
    path = tmp_path / "gad7.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError) as raised:
        call_command("import_instrument", path)
    assert "gad7.json: item[3] (linkId '3'): scoring extension missing" in str(raised.value)
    path.write_text(json.dumps({**data, "item": questionnaire_resource(
        shipped_instrument("gad7").versions.get().parsed())["item"]}))  # fmt: skip
    with pytest.raises(CommandError) as raised:
        call_command("import_instrument", path)
    message = str(raised.value)
    assert "scoring.method: 'median' is not one of" in message
    assert "bands[2].lower: 99 is outside the score range" in message
    assert Instrument.objects.get(key="gad7").versions.count() == 1


def test_export_and_import_commands(world: World, tmp_path: Path) -> None:
    sent(world)
    out = tmp_path / "bundle.json"
    call_command("export_fhir", patient=str(world.patient_record.public_id), output=out)
    assert Bundle.model_validate_json(out.read_text()).type == "collection"
    buffer = StringIO()
    call_command("export_fhir", organisation=world.organisation.slug, stdout=buffer)
    assert len(buffer.getvalue().splitlines()) >= 5
    # A Questionnaire file imports as a definition (here: the same one, already stored)
    questionnaire = tmp_path / "who5.json"
    data = questionnaire_resource(shipped_instrument("who5").versions.get().parsed())
    data["version"] = "1.1"
    questionnaire.write_text(json.dumps(data))
    call_command("import_instrument", questionnaire)
    assert Instrument.objects.get(key="who5").versions.count() == 2

"""The definition format: round trips, and broken definitions report every problem with
its location and store nothing."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from measures.definitions import (
    CONTENT_DIR,
    DefinitionError,
    parse_definition,
    parse_licensed_text,
    read_content,
)
from measures.models import Instrument, InstrumentVersion

DEFINITIONS = {d.key: d for d in read_content()}


@pytest.mark.parametrize("key", sorted(DEFINITIONS))
def test_the_canonical_form_reads_back_the_same(key: str) -> None:
    definition = DEFINITIONS[key]
    assert parse_definition(definition.as_data()) == definition


def broken(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(DEFINITIONS["phq9"].as_data())
    data.update(changes)
    return data


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as raised:
        parse_definition(data)
    return raised.value.problems


def test_every_problem_is_reported_with_its_location() -> None:
    data = broken(key="PHQ 9", version="one")
    data["items"][3]["options"] = "freq"
    data["items"][8]["text"] = ""
    data["items"][2]["id"] = "2"
    data["bands"][2]["lower"] = 4
    data["scoring"]["method"] = "median"
    data["change"]["reliability"] = 1.2
    data["subscales"] = [{"id": "s", "title": "S", "items": ["1", "77"]}]
    assert problems_of(data) == [
        "key: must be lower-case letters, digits and _ (starting with a letter)",
        "version: must be like 1, 1.2 or 1.2.3",
        "scoring.method: 'median' is not one of sum, mean, scaled_sum, highest_positive",
        "items[3] (id '2').id: is used twice",
        "items[4] (id '4').options: 'freq' is not a set under [options]",
        "items[9] (id '9').text: is missing",
        "bands[3].lower: must be above the band before it",
        "subscales[1] (id 's').items: '77' is not a scored item",
        "change.reliability: must be above 0 and below 1",
    ]


def test_licensed_instruments_must_not_carry_item_text() -> None:
    data = copy.deepcopy(DEFINITIONS["bsl23"].as_data())
    data["items"][4]["text"] = "Some copied wording"
    assert problems_of(data) == [
        "items[5] (id '5').text: must be empty: this instrument's text is licensed "
        "(a clinic loads its own)"
    ]


def test_a_sum_with_missing_items_needs_proration() -> None:
    data = broken()
    data["scoring"]["min_answered"] = 0.8
    assert problems_of(data) == [
        "scoring.proration: a sum with fewer than all items answered needs proration = 'mean'"
    ]


def test_bands_must_start_at_the_lowest_score() -> None:
    data = broken()
    data["bands"][0]["lower"] = 1
    assert problems_of(data) == ["bands[1].lower: must be the lowest possible score, 0"]


@pytest.mark.django_db
def test_a_broken_content_folder_loads_nothing(tmp_path: Path) -> None:
    # Given the shipped content with one file broken and the tables empty
    InstrumentVersion.objects.all().delete()
    Instrument.objects.all().delete()
    for path in CONTENT_DIR.glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    text = (tmp_path / "gad7.toml").read_text()
    (tmp_path / "gad7.toml").write_text(text.replace('options = "frequency"', 'options = "x"', 1))
    # When it is loaded, the command names the file, item and field, and stores nothing
    with pytest.raises(CommandError) as raised:
        call_command("load_instruments", content=tmp_path)
    assert "gad7.toml: items[1] (id '1').options: 'x' is not a set under [options]" in str(
        raised.value
    )
    assert not Instrument.objects.exists() and not InstrumentVersion.objects.exists()
    # And the whole content loads once fixed, idempotently
    call_command("load_instruments")
    call_command("load_instruments")
    assert InstrumentVersion.objects.count() == len(DEFINITIONS)


@pytest.mark.django_db
def test_a_changed_definition_needs_a_new_version(tmp_path: Path) -> None:
    call_command("load_instruments")
    (tmp_path / "gad7.toml").write_text(
        (CONTENT_DIR / "gad7.toml")
        .read_text()
        .replace('label = "Trouble relaxing"', "", 0)
        .replace("reliable_change_points = 4", "reliable_change_points = 5")
    )
    with pytest.raises(CommandError, match="gad7 version 1: differs from the stored definition"):
        call_command("load_instruments", content=tmp_path)
    text = (tmp_path / "gad7.toml").read_text().replace('version = "1"', 'version = "2"')
    (tmp_path / "gad7.toml").write_text(text)
    call_command("load_instruments", content=tmp_path)
    assert list(
        InstrumentVersion.objects.filter(instrument__key="gad7").values_list("version", flat=True)
    ) == ["2", "1"]


def test_a_clinics_item_text_is_checked_whole() -> None:
    definition = DEFINITIONS["msi_bpd"]
    with pytest.raises(DefinitionError) as raised:
        parse_licensed_text(
            {"instrument": "msi_bpd", "note": "Licensed", "items": {"1": "A", "11": "B"}},
            definition,
        )
    assert raised.value.problems[0] == "items.11: is not an item of this instrument"
    assert "items.2: is missing" in raised.value.problems
    text = parse_licensed_text(
        {
            "instrument": "msi_bpd",
            "note": "Licensed to the clinic",
            "items": {str(n): f"Question {n}" for n in range(1, 11)},
            "options": {"yes_no": ["Nee", "Ja"]},
        },
        definition,
    )
    merged = definition.with_item_text(text.items, text.labels)
    assert merged.has_item_text and merged.items[9].text == "Question 10"
    assert [o.label for o in merged.option_sets["yes_no"]] == ["Nee", "Ja"]
    assert merged.digest() == definition.digest()  # the wording never changes scoring

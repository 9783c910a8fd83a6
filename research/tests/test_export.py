"""The de-identified tables: what is in them, what never is, and that they analyse."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from analytics import cli
from care.models import Patient
from core.testing.factories import make_organisation, make_patient_with_login
from core.testing.personas import World
from research import export
from research.pseudonyms import organisation_key, pseudonym
from research.tests.builders import (
    add_card,
    add_checkin,
    consenting,
    research_patient,
    schedule_for,
)

ZONE = ZoneInfo("Europe/Amsterdam")
DAY = date(2026, 3, 2)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


def _person(patient: Patient) -> str:
    return pseudonym(organisation_key(patient.organisation_id), patient.public_id)


def _identifying(patient: Patient) -> list[str]:
    texts = [patient.given_name, patient.family_name, patient.record_number]
    return [*(t for t in texts if t), str(patient.public_id), patient.public_id.hex]


# --- diary --------------------------------------------------------------------------------


def test_diary_table_has_numbers_of_consenting_patients_only(world: World) -> None:
    # Given a consenting patient with three cards (one with a note, a custom emotion and
    # a personal target), a patient who withdrew, and a consenting patient elsewhere
    patient = consenting(world.patient_record)
    from diary.actions import ensure_card_items

    ensure_card_items(None, patient)
    add_card(
        patient,
        DAY,
        emotions={"Sadness": 4, "Emotional misery": 3, "Missing Jonathan": 5},
        urges={"self_harm": 4, "other": 2},
        acted={"self_harm": True},
        skills_used=5,
        meds=True,
        sleep="6.5",
        note="Pat's private note about Jonathan",
    )
    add_card(patient, DAY + timedelta(days=2), emotions={"Sadness": 1}, urges={"suicide": 0})
    withdrawn = consenting(world.other_patient_record, withdrawn=True)
    add_card(withdrawn, DAY, skills_used=2)
    elsewhere = research_patient(world.other_organisation)
    add_card(elsewhere, DAY, skills_used=7)

    # When the diary table of the patient's organisation is built
    built = export.diary_table(world.organisation.pk)

    # Then it holds the consenting patient's two cards, in study days, under a pseudonym
    frame = built.frame
    assert (built.rows, built.participants) == (2, 1)
    assert list(frame.columns) == list(export.diary_schema())
    assert frame["person"].to_list() == [_person(patient)] * 2
    assert frame["study_day"].to_list() == [1, 3]
    first = frame.row(0, named=True)
    assert first["emotion_sadness"] == 4
    assert first["emotion_emotional_misery"] == 3
    assert (first["urge_self_harm"], first["acted_self_harm"]) == (4, 1)
    assert (first["skills_used"], first["medication_taken"], first["sleep_hours"]) == (5, 1, 6.5)
    assert frame.row(1, named=True)["urge_suicide"] == 0
    # And nothing identifying or written in words leaves, in either format
    for file_format in ("csv", "parquet"):
        data = export.to_bytes(built, file_format)
        for text in [
            *_identifying(patient),
            *_identifying(withdrawn),
            *_identifying(elsewhere),
            "Jonathan",
            "private note",
            "a detail that must not leave",
            "2026",
            "Amsterdam",
        ]:
            assert text.encode() not in data, (file_format, text)
    assert _person(elsewhere) not in frame["person"].to_list()


def test_empty_organisation_gives_empty_tables_with_the_columns(world: World) -> None:
    diary = export.diary_table(world.organisation.pk)
    ema = export.ema_table(world.organisation.pk)
    assert (diary.rows, diary.participants, ema.rows, ema.participants) == (0, 0, 0, 0)
    assert list(diary.frame.columns) == list(export.diary_schema())
    assert ema.frame.columns[:5] == ["person", "study_day", "seconds", "minute_of_day", "answered"]


# --- EMA ----------------------------------------------------------------------------------


def _answers(sad: int, happy: int) -> dict[str, object]:
    return {
        "sad": sad,
        "anxious": 10,
        "angry": 0,
        "happy": happy,
        "urge_self_harm": 0,
        "activity": "home",
        "company": "alone",
    }


def test_ema_table_numeric_answers_with_relative_times(world: World) -> None:
    # Given a consenting patient with four check-ins over two days, one missed, across the
    # switch to summer time, and a second schedule prompting at the same instant
    patient = research_patient(world.organisation, time_zone="Europe/Amsterdam")
    schedule = schedule_for(patient)
    sunday = date(2026, 3, 28)  # summer time starts on 29 March 2026
    add_checkin(schedule, _at(sunday, 9), _answers(40, 60))
    add_checkin(schedule, _at(sunday, 13, 30), None)
    add_checkin(schedule, _at(sunday + timedelta(days=1), 9), _answers(70, 20))
    add_checkin(schedule_for(patient), _at(sunday + timedelta(days=1), 9), None)
    add_checkin(schedule, _at(sunday + timedelta(days=1), 20), _answers(50, 50))

    # When the check-in table is built
    built = export.ema_table(world.organisation.pk)

    # Then there is one row per time, numeric items only, times counted from the first
    frame = built.frame
    assert (built.rows, built.participants) == (4, 1)
    assert frame.columns == [
        "person",
        "study_day",
        "seconds",
        "minute_of_day",
        "answered",
        "sad",
        "anxious",
        "angry",
        "happy",
        "urge_self_harm",
    ]
    assert frame["study_day"].to_list() == [1, 1, 2, 2]
    # 24 hours of local clock time are 23 real hours on the night the clocks go forward.
    assert frame["seconds"].to_list() == [0, 16_200, 23 * 3600, 34 * 3600]
    assert frame["minute_of_day"].to_list() == [540, 810, 540, 1200]
    assert frame["answered"].to_list() == [1, 0, 1, 1]
    assert frame["sad"].to_list() == [40, None, 70, 50]
    assert frame["person"].unique().to_list() == [_person(patient)]
    data = export.to_bytes(built, "csv")
    for text in [*_identifying(patient), "home", "alone", "2026"]:
        assert text.encode() not in data, text


def test_the_queries_do_not_grow_with_people_or_rows(world: World) -> None:
    def count(table: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            export.build(table, world.organisation.pk)
        return len(queries)

    organisation_key(world.organisation.pk)  # made on first use: not part of the count
    first = research_patient(world.organisation)
    add_card(first, DAY, emotions={"Sadness": 1}, urges={"suicide": 1})
    add_checkin(schedule_for(first), _at(DAY, 9), _answers(1, 2))
    few = count("diary"), count("ema")
    for n in range(3):
        patient = research_patient(world.organisation)
        schedule = schedule_for(patient)
        for day in range(4):
            add_card(patient, DAY + timedelta(days=day), emotions={"Joy": n}, urges={"suicide": 1})
            add_checkin(schedule, _at(DAY + timedelta(days=day), 9), _answers(day, n))
    assert (count("diary"), count("ema")) == few
    # The key, the people, then diary: cards, emotions, targets; EMA: items, check-ins.
    assert few == (5, 4)


# --- pseudonyms ---------------------------------------------------------------------------


@given(
    key=st.binary(min_size=32, max_size=32),
    other_key=st.binary(min_size=32, max_size=32),
    person=st.uuids(),
    other_person=st.uuids(),
)
def test_pseudonyms_are_stable_keyed_and_distinct(
    key: bytes, other_key: bytes, person: uuid.UUID, other_person: uuid.UUID
) -> None:
    name = pseudonym(key, person)
    assert name == pseudonym(key, person)
    assert len(name) == 18 and name.startswith("p_")
    assert person.hex[:16] not in name
    if other_person != person:
        assert pseudonym(key, other_person) != name
    if other_key != key:
        assert pseudonym(other_key, person) != name


@pytest.mark.django_db
def test_one_key_per_organisation_made_once() -> None:
    clinic, other = make_organisation(), make_organisation()
    key = organisation_key(clinic.pk)
    assert len(key) == 32
    assert organisation_key(clinic.pk) == key
    assert organisation_key(other.pk) != key
    patient = make_patient_with_login(clinic)
    assert pseudonym(key, patient.public_id) == pseudonym(
        organisation_key(clinic.pk), patient.public_id
    )


# --- straight into the analysis -----------------------------------------------------------


def test_the_export_runs_through_wisemind_analyze(world: World, tmp_path: Path) -> None:
    # Given two consenting patients with check-ins (sad: 10, 30, 20 and 50, 50, 80, 60)
    one = research_patient(world.organisation)
    two = research_patient(world.organisation)
    for patient, values in ((one, [10, 30, 20]), (two, [50, 50, 80, 60])):
        schedule = schedule_for(patient)
        for index, value in enumerate(values):
            add_checkin(schedule, _at(DAY, 9 + 2 * index), _answers(value, 100 - value))
        add_card(patient, DAY, emotions={"Sadness": values[0] // 20}, urges={"suicide": 0})
        add_card(patient, DAY + timedelta(days=1), emotions={"Sadness": 4}, urges={"suicide": 1})
    source = tmp_path / "ema.parquet"
    export.write(export.ema_table(world.organisation.pk), "parquet", source)

    # When wisemind analyze reads the file as the workspace page says
    out = tmp_path / "indices.csv"
    code = cli.run(
        [
            str(source),
            "--id",
            "person",
            "--time",
            "seconds",
            "--day",
            "study_day",
            "--within-day",
            "--items",
            "sad",
            "happy",
            "-o",
            str(out),
        ]
    )

    # Then each person's indices are those of their own series
    assert code == 0
    result = pl.read_csv(out).filter(pl.col("item") == "sad")
    by_person = {row["person"]: row for row in result.iter_rows(named=True)}
    assert set(by_person) == {_person(one), _person(two)}
    # MSSD: mean squared successive difference ((20² + 10²) / 2; (0² + 30² + 20²) / 3).
    assert by_person[_person(one)]["mssd_all"] == pytest.approx(250.0)
    assert by_person[_person(two)]["mssd_all"] == pytest.approx(1300 / 3)
    assert by_person[_person(two)]["mean"] == pytest.approx(60.0)
    assert by_person[_person(one)]["n_obs"] == 3

    # And the diary table analyses by study day
    diary = tmp_path / "diary.csv"
    export.write(export.diary_table(world.organisation.pk), "csv", diary)
    out = tmp_path / "diary-indices.parquet"
    assert (
        cli.run(
            [
                str(diary),
                "--id",
                "person",
                "--time",
                "study_day",
                "--items",
                "emotion_sadness",
                "urge_suicide",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    urges = pl.read_parquet(out).filter(pl.col("item") == "urge_suicide")
    assert sorted(urges["mssd_all"].to_list()) == [1.0, 1.0]

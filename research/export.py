"""De-identified research tables of one organisation's consenting patients.

Two tables, each one row per person and time, sorted by person and time, ready for
``wisemind analyze`` (``docs/research.md`` gives the commands):

* **diary** — one row per diary card: ``person``, ``study_day``, the default emotions
  (``emotion_sadness`` …, 0–5), the urge and whether it was acted on for each target kind
  (``urge_suicide``, ``acted_suicide``, ``urge_self_harm`` …; 0–5 and 0/1), ``skills_used``
  (0–7), ``medication_taken`` (0/1) and ``sleep_hours``.
* **ema** — one row per closed check-in (answered or missed; a missed one has empty items,
  so it breaks the successive pairs on each side): ``person``, ``study_day``, ``seconds``
  (since the person's first check-in), ``minute_of_day`` (local clock time), ``answered``
  (0/1) and one column per scale question (named by the question's id).

What de-identified means here: ``person`` is a keyed pseudonym (:mod:`research.pseudonyms`);
there are no names, record numbers, patient ids, calendar dates or time zones; times are
counted from each person's first row (study day 1 is the day of their first card or
check-in). Nothing written in words leaves: no notes, no "what and how much", no medication
names, no free-text or choice answers, no personal target or emotion names (a clinic's own
emotions and "other" targets are left out, because their names are words someone chose).

Only patients whose research consent stands now are included, and only those of the
organisation asked for. Rows are streamed from the database in a fixed number of queries
(whatever the number of people or rows) and gathered into column chunks.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

import polars as pl
from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation
from django.utils.text import slugify

from care.models import Patient
from diary.defaults import DEFAULT_EMOTIONS
from diary.models import CardEmotion, CardTarget, DiaryCard, TargetKind
from ema.models import Prompt, PromptStatus, Questionnaire
from research.models import ExportFormat, ExportTable
from research.pseudonyms import organisation_key, pseudonym

#: Rows gathered in Python lists before they become a Polars chunk.
CHUNK_ROWS = 50_000
#: Rows fetched from the database per round trip.
FETCH_ROWS = 2_000

#: Target kinds exported (a personal target's name is words someone chose: left out).
TARGET_KINDS = (TargetKind.SUICIDE, TargetKind.SELF_HARM, TargetKind.SUBSTANCE)


@dataclass(frozen=True)
class Export:
    table: str
    frame: pl.DataFrame
    participants: int

    @property
    def rows(self) -> int:
        return self.frame.height


def consenting_patients(organisation_id: int) -> QuerySet[Patient]:
    """The organisation's patients whose consent (given in this organisation) stands now."""
    return Patient.objects.filter(
        organisation_id=organisation_id,
        research_consents__organisation_id=organisation_id,
        research_consents__withdrawn_at__isnull=True,
    )


def emotion_columns() -> dict[str, str]:
    """Default emotion name (case-folded, in every language the product speaks) → column."""
    with translation.override("en"):
        english = [str(label) for label in DEFAULT_EMOTIONS]
    names = ["emotion_" + slugify(label).replace("-", "_") for label in english]
    found: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for label, column in zip(DEFAULT_EMOTIONS, names, strict=True):
                found[str(label).strip().casefold()] = column
    return found


def diary_schema() -> dict[str, pl.DataType]:
    schema: dict[str, pl.DataType] = {"person": pl.String(), "study_day": pl.Int32()}
    for column in dict.fromkeys(emotion_columns().values()):
        schema[column] = pl.Int8()
    for kind in TARGET_KINDS:
        schema[f"urge_{kind}"] = pl.Int8()
        schema[f"acted_{kind}"] = pl.Int8()
    schema["skills_used"] = pl.Int8()
    schema["medication_taken"] = pl.Int8()
    schema["sleep_hours"] = pl.Float64()
    return schema


class _Groups:
    """Rows sorted like the cards, grouped by card id, handed out card by card."""

    def __init__(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self._groups = itertools.groupby(rows, key=itemgetter(0))
        self._next = next(self._groups, None)

    def take(self, card_id: int) -> Iterator[tuple[Any, ...]]:
        while self._next is not None and self._next[0] == card_id:
            _key, group = self._next
            yield from group
            self._next = next(self._groups, None)


class _Chunks:
    """Columns gathered as lists, turned into a Polars frame every :data:`CHUNK_ROWS`."""

    def __init__(self, schema: dict[str, pl.DataType]) -> None:
        self.schema = schema
        self.frames: list[pl.DataFrame] = []
        self._columns: dict[str, list[Any]] = {name: [] for name in schema}

    def add(self, row: dict[str, Any]) -> None:
        for name, values in self._columns.items():
            values.append(row.get(name))
        if len(self._columns["person"]) >= CHUNK_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._columns["person"]:
            self.frames.append(pl.DataFrame(self._columns, schema=self.schema))
            self._columns = {name: [] for name in self.schema}

    def frame(self) -> pl.DataFrame:
        self._flush()
        if not self.frames:
            return pl.DataFrame(schema=self.schema)
        return pl.concat(self.frames, rechunk=True)


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def diary_table(organisation_id: int) -> Export:
    """The diary table of the consenting patients (5 queries once the key exists)."""
    key = organisation_key(organisation_id)
    people = consenting_patients(organisation_id)
    names = dict(people.values_list("pk", "public_id"))
    emotions = emotion_columns()
    cards = (
        DiaryCard.objects.filter(patient__in=people)
        .order_by("patient_id", "date", "id")
        .values_list(
            "id", "patient_id", "date", "skills_used", "prescribed_meds_taken", "sleep_hours"
        )
    )
    card_emotions = _Groups(
        CardEmotion.objects.filter(card__patient__in=people)
        .order_by("card__patient_id", "card__date", "card_id", "id")
        .values_list("card_id", "emotion__name", "rating")
        .iterator(chunk_size=FETCH_ROWS)
    )
    card_targets = _Groups(
        CardTarget.objects.filter(card__patient__in=people, target__kind__in=TARGET_KINDS)
        .order_by("card__patient_id", "card__date", "card_id", "id")
        .values_list("card_id", "target__kind", "urge", "acted")
        .iterator(chunk_size=FETCH_ROWS)
    )
    chunks = _Chunks(diary_schema())
    first_day: dict[int, date] = {}
    for card_id, patient_id, day, skills_used, meds, sleep in cards.iterator(chunk_size=FETCH_ROWS):
        start = first_day.setdefault(patient_id, day)
        row: dict[str, Any] = {
            "person": pseudonym(key, names[patient_id]),
            "study_day": (day - start).days + 1,
            "skills_used": skills_used,
            "medication_taken": _flag(meds),
            "sleep_hours": None if sleep is None else float(sleep),
        }
        for _card, name, rating in card_emotions.take(card_id):
            column = emotions.get(name.strip().casefold())
            if column is not None and row.get(column) is None:
                row[column] = rating
        for _card, kind, urge, acted in card_targets.take(card_id):
            urge_column, acted_column = f"urge_{kind}", f"acted_{kind}"
            if urge is not None:
                row[urge_column] = max(urge, row.get(urge_column) or 0)
            if acted is not None:
                row[acted_column] = int(bool(row.get(acted_column)) or acted)
        chunks.add(row)
    return Export(ExportTable.DIARY, chunks.frame(), participants=len(first_day))


def scale_items(questionnaires: Iterable[list[dict[str, Any]]]) -> list[str]:
    """The ids of the scale questions, in the order they first appear."""
    found: dict[str, None] = {}
    for questions in questionnaires:
        for question in questions:
            if question.get("type") == "scale":
                found.setdefault(str(question["id"]), None)
    return list(found)


def _scale_value(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def ema_table(organisation_id: int) -> Export:
    """The check-in table of the consenting patients (4 queries once the key exists)."""
    key = organisation_key(organisation_id)
    people = consenting_patients(organisation_id)
    known = {
        pk: (public_id, ZoneInfo(zone))
        for pk, public_id, zone in people.values_list("pk", "public_id", "time_zone")
    }
    prompts = Prompt.objects.filter(
        patient__in=people, status__in=[PromptStatus.ANSWERED, PromptStatus.MISSED]
    )
    items = scale_items(
        Questionnaire.objects.filter(pk__in=prompts.values("questionnaire_id"))
        .order_by("pk")
        .values_list("questions", flat=True)
    )
    schema: dict[str, pl.DataType] = {
        "person": pl.String(),
        "study_day": pl.Int32(),
        "seconds": pl.Int64(),
        "minute_of_day": pl.Int16(),
        "answered": pl.Int8(),
        **{item: pl.Int16() for item in items},
    }
    chunks = _Chunks(schema)
    first: dict[int, tuple[datetime, date]] = {}
    pending: dict[str, Any] | None = None
    pending_at: tuple[int, datetime] | None = None
    rows = (
        prompts.order_by("patient_id", "scheduled_at", "id")
        .values_list("patient_id", "scheduled_at", "status", "response__answers")
        .iterator(chunk_size=FETCH_ROWS)
    )
    for patient_id, at, status, answers in rows:
        public_id, zone = known[patient_id]
        local = at.astimezone(zone)
        start_at, start_day = first.setdefault(patient_id, (at, local.date()))
        answered = status == PromptStatus.ANSWERED
        row: dict[str, Any] = {
            "person": pseudonym(key, public_id),
            "study_day": (local.date() - start_day).days + 1,
            "seconds": round((at - start_at).total_seconds()),
            "minute_of_day": local.hour * 60 + local.minute,
            "answered": int(answered),
        }
        if answered and isinstance(answers, dict):
            for item in items:
                row[item] = _scale_value(answers.get(item))
        # Two schedules may prompt at the same instant: one row per time, the answered one.
        if pending_at == (patient_id, at):
            if answered and pending is not None and not pending["answered"]:
                pending = row
            continue
        if pending is not None:
            chunks.add(pending)
        pending, pending_at = row, (patient_id, at)
    if pending is not None:
        chunks.add(pending)
    return Export(ExportTable.EMA, chunks.frame(), participants=len(first))


def build(table: str, organisation_id: int) -> Export:
    if table == ExportTable.DIARY:
        return diary_table(organisation_id)
    if table == ExportTable.EMA:
        return ema_table(organisation_id)
    raise ValueError(f"unknown table {table!r}")


def write(export: Export, file_format: str, target: Path | BinaryIO) -> None:
    """Write the table as Parquet or CSV to a path or a binary file."""
    if file_format == ExportFormat.PARQUET:
        export.frame.write_parquet(target)
    elif file_format == ExportFormat.CSV:
        export.frame.write_csv(target)
    else:
        raise ValueError(f"unknown format {file_format!r}")


def to_bytes(export: Export, file_format: str) -> bytes:
    buffer = io.BytesIO()
    write(export, file_format, buffer)
    return buffer.getvalue()


def file_name(table: str, file_format: str) -> str:
    return f"wisemind-{table}-deidentified.{file_format}"

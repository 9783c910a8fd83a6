"""Import one instrument definition as a new version.

    wisemind import_instrument FILE

FILE is a definition in the content format (``.toml`` or ``.json``) or a FHIR R4
``Questionnaire`` (``.json`` with ``"resourceType": "Questionnaire"``) as wisemind
exports it. The definition is checked whole; every problem is reported with its location
and nothing is stored unless it is valid.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from measures.definitions import Definition, DefinitionError, read_definition_file
from measures.fhir import definition_from_questionnaire
from measures.loading import sync_definitions
from measures.models import Instrument, InstrumentVersion


def read_any(path: Path) -> Definition:
    if path.suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DefinitionError([f"{path.name}: cannot be read: {exc}"]) from exc
        if isinstance(data, dict) and data.get("resourceType") == "Questionnaire":
            try:
                return definition_from_questionnaire(data)
            except DefinitionError as exc:
                raise DefinitionError([f"{path.name}: {p}" for p in exc.problems]) from exc
            except ValueError as exc:  # fhir.resources' validation
                raise DefinitionError([f"{path.name}: not a valid Questionnaire: {exc}"]) from exc
    return read_definition_file(path)


class Command(BaseCommand):
    help = "Import a questionnaire definition (TOML, JSON or a FHIR Questionnaire)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            definition = read_any(file)
            result = sync_definitions(Instrument, InstrumentVersion, [definition])
        except DefinitionError as exc:
            raise CommandError(
                f"{len(exc.problems)} problem(s); nothing was imported:\n  "
                + "\n  ".join(exc.problems)
            ) from exc
        state = "added" if result.added else "already stored"
        self.stdout.write(
            self.style.SUCCESS(f"{definition.short_title} version {definition.version}: {state}.")
        )

"""Load the shipped instrument definitions from ``measures/content/*.toml``.

    wisemind load_instruments [--content DIR]

Idempotent: a second run changes nothing. Every problem is reported with its file and
location (item id, field), and nothing is stored unless every definition is valid. A
definition changed without a new version number is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from measures.definitions import CONTENT_DIR, DefinitionError, read_content
from measures.loading import sync_definitions
from measures.models import Instrument, InstrumentVersion


class Command(BaseCommand):
    help = "Load or update the shipped questionnaire definitions."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--content", type=Path, default=CONTENT_DIR)

    def handle(self, *args: Any, content: Path, **options: Any) -> None:
        try:
            definitions = read_content(content)
            result = sync_definitions(Instrument, InstrumentVersion, definitions)
        except DefinitionError as exc:
            raise CommandError(
                f"The definitions have {len(exc.problems)} problem(s); nothing was loaded:\n  "
                + "\n  ".join(exc.problems)
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Instruments: {len(definitions)} definitions; {result.added} added, "
                f"{result.unchanged} unchanged."
            )
        )

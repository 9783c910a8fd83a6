"""Load a clinic's own item text for a licensed instrument (BSL-23, C-SSRS, …).

    wisemind load_item_text --organisation SLUG FILE.toml

The file is the clinic's, for an instrument it holds a licence for::

    instrument = "bsl23"
    note = "Licensed to Example Clinic by ZI Mannheim, 2026"
    [items]
    "1" = "…"              # every item's text, by item id
    [options]
    intensity = ["…", …]   # optional: the option labels, lowest value first

It is checked whole against the instrument's definition (every item, nothing unknown);
nothing is stored unless it is valid. Loading again replaces the clinic's text.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from measures.actions import load_licensed_text
from measures.definitions import DefinitionError
from measures.models import Instrument


class Command(BaseCommand):
    help = "Load a clinic's licensed item text for an instrument from its own file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--organisation", required=True, help="The clinic's slug.")
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, organisation: str, file: Path, **options: Any) -> None:
        clinic = Organisation.objects.filter(slug=organisation).first()
        if clinic is None:
            raise CommandError(f"No clinic with the slug {organisation!r}.")
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise CommandError(f"{file.name}: cannot be read: {exc}") from exc
        instrument = Instrument.objects.filter(key=str(data.get("instrument", ""))).first()
        if instrument is None:
            raise CommandError(f"{file.name}: instrument {data.get('instrument')!r} is unknown.")
        try:
            load_licensed_text(None, clinic, instrument, data)
        except DefinitionError as exc:
            raise CommandError(
                f"{file.name}: {len(exc.problems)} problem(s); nothing was loaded:\n  "
                + "\n  ".join(exc.problems)
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(f"{instrument.short_title}: item text loaded for {clinic.name}.")
        )

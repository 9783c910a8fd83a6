"""Load or update the built-in skills from ``skills/content/*.toml``.

    wisemind load_skills [--content DIR]

Idempotent: a second run changes nothing. Every problem in the content is reported
with its file and skill, and nothing is stored unless all the content is valid.
Skills removed from the content are marked inactive (practices keep them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from skills.catalogue import CONTENT_DIR, CatalogueError, read_catalogue
from skills.loading import sync_builtin
from skills.models import Skill


class Command(BaseCommand):
    help = "Load or update the built-in DBT skills from the content files."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--content", type=Path, default=CONTENT_DIR, help="Folder of *.toml content files."
        )

    def handle(self, *args: Any, content: Path, **options: Any) -> None:
        try:
            specs = read_catalogue(content)
        except CatalogueError as exc:
            raise CommandError(
                f"The skills content has {len(exc.problems)} problem(s); nothing was loaded:\n  "
                + "\n  ".join(exc.problems)
            ) from exc
        result = sync_builtin(Skill, specs)
        self.stdout.write(
            self.style.SUCCESS(
                f"Skills: {len(specs)} in the content; {result.created} added, "
                f"{result.updated} updated, {result.unchanged} unchanged, "
                f"{result.deactivated} no longer in the content (made inactive)."
            )
        )

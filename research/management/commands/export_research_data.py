"""Write one organisation's de-identified research table to a file (for operators)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from research import actions, export
from research.models import ExportChannel, ExportFormat, ExportTable


class Command(BaseCommand):
    help = (
        "Export the de-identified diary or check-in (EMA) table of an organisation's patients "
        "who agreed to research, as Parquet or CSV (chosen by the file's extension). The "
        "export is recorded with its row and participant counts."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--organisation", required=True, help="the organisation's slug")
        parser.add_argument("--table", required=True, choices=ExportTable.values)
        parser.add_argument(
            "-o", "--output", required=True, type=Path, help="OUT.parquet or OUT.csv"
        )

    def handle(
        self, *args: Any, organisation: str, table: str, output: Path, **options: Any
    ) -> None:
        file_format = output.suffix.lower().lstrip(".")
        if file_format not in ExportFormat.values:
            raise CommandError(f"The output must end in .parquet or .csv, not {output.name!r}.")
        found = Organisation.objects.filter(slug=organisation).first()
        if found is None:
            raise CommandError(f"No organisation with the slug {organisation!r}.")
        built = export.build(table, found.pk)
        export.write(built, file_format, output)
        actions.record_export(
            None,
            organisation_id=found.pk,
            table=table,
            file_format=file_format,
            channel=ExportChannel.COMMAND,
            rows=built.rows,
            participants=built.participants,
        )
        self.stdout.write(f"{built.rows} rows of {built.participants} participants → {output}")

"""``wisemind export_research_data``: an operator's export, recorded like the others."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from core.testing.personas import World
from research.models import ExportChannel, ResearchExport
from research.tests.builders import add_card, consenting, research_patient


def test_command_writes_the_table_and_records_it(world: World, tmp_path: Path) -> None:
    # Given a consenting patient with a card, and a consenting patient elsewhere
    add_card(consenting(world.patient_record), date(2026, 3, 2), skills_used=2)
    add_card(research_patient(world.other_organisation), date(2026, 3, 2), skills_used=5)
    out = tmp_path / "diary.parquet"

    # When the operator exports the organisation's diary table
    stdout = StringIO()
    call_command(
        "export_research_data",
        "--organisation",
        world.organisation.slug,
        "--table",
        "diary",
        "-o",
        str(out),
        stdout=stdout,
    )

    # Then the file holds that organisation's one row, and the export is recorded
    assert pl.read_parquet(out)["skills_used"].to_list() == [2]
    assert "1 rows of 1 participants" in stdout.getvalue()
    recorded = ResearchExport.objects.get()
    assert (recorded.actor, recorded.channel, recorded.rows, recorded.participants) == (
        None,
        ExportChannel.COMMAND,
        1,
        1,
    )


def test_command_writes_csv_by_extension(world: World, tmp_path: Path) -> None:
    out = tmp_path / "ema.csv"
    call_command(
        "export_research_data",
        "--organisation",
        world.organisation.slug,
        "--table",
        "ema",
        "-o",
        str(out),
        stdout=StringIO(),
    )
    assert out.read_text().startswith("person,study_day,seconds,minute_of_day,answered")


@pytest.mark.parametrize(
    ("slug", "name", "message"),
    [("no-such-clinic", "x.csv", "No organisation"), (None, "x.xlsx", "must end in")],
)
def test_command_refuses_bad_input(
    world: World, tmp_path: Path, slug: str | None, name: str, message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command(
            "export_research_data",
            "--organisation",
            slug or world.organisation.slug,
            "--table",
            "diary",
            "-o",
            str(tmp_path / name),
        )
    assert not ResearchExport.objects.exists()

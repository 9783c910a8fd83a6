"""``wisemind analyze``: output, and errors that name the offending rows."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from analytics.tests.conftest import DATA
from core.cli import main


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "in.csv"
    path.write_text(text)
    return path


def analyze(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["wisemind", "analyze", *args])
    return code, capsys.readouterr().err


def test_analyze_writes_indices_with_threshold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ema: pl.DataFrame
) -> None:
    out = tmp_path / "out.parquet"

    code, err = analyze(
        capsys,
        str(DATA),
        "--id",
        "id",
        "--time",
        "counter",
        "--day",
        "day",
        "--items",
        "sad",
        "happy",
        "--within-day",
        "-o",
        str(out),
    )

    assert code == 0, err
    table = pl.read_parquet(out)
    assert table.height == 200
    assert set(table["pac_threshold_withinday"]) == {35.0, 38.0}
    assert "200 rows" in err


def test_without_within_day_the_within_day_columns_are_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write(tmp_path, "id,t,x\n1,1,3\n1,2,5\n1,3,4\n")
    out = tmp_path / "out.csv"

    code, err = analyze(
        capsys,
        str(src),
        "--id",
        "id",
        "--time",
        "t",
        "--items",
        "x",
        "--pac-threshold",
        "2",
        "-o",
        str(out),
    )

    assert code == 0, err
    table = pl.read_csv(out)
    assert not [c for c in table.columns if c.endswith("_withinday")]
    assert table["pac_all"].item() == 0.5
    assert table["pac_rule"].item() == "fixed 2"


@pytest.mark.parametrize(
    ("text", "items", "message"),
    [
        ("id,t,x\n1,1,3\n", ["x", "y"], "missing column: y (the file has: id, t, x)"),
        (
            "id,t,x\n1,1,3\n1,2,high\n1,3,4\n1,4,n/a\n",
            ["x"],
            "column 'x' is not numeric: rows 2, 4 (e.g. 'high', 'n/a')",
        ),
        (
            "id,t,x\n1,1,3\n1,2,5\n2,1,4\n1,2,6\n",
            ["x"],
            "duplicate timestamps (same id + t): rows 2, 4",
        ),
        ("id,t,x\n1,,3\n1,2,5\n", ["x"], "column 't' is empty on row 1"),
    ],
    ids=["missing column", "non-numeric", "duplicate timestamps", "empty time"],
)
def test_malformed_input_names_the_rows(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    items: list[str],
    message: str,
) -> None:
    src = write(tmp_path, text)

    code, err = analyze(
        capsys,
        str(src),
        "--id",
        "id",
        "--time",
        "t",
        "--items",
        *items,
        "-o",
        str(tmp_path / "out.csv"),
    )

    assert code == 2
    assert message in err
    assert not (tmp_path / "out.csv").exists()


def test_within_day_needs_a_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write(tmp_path, "id,t,x\n1,1,3\n1,2,5\n")

    code, err = analyze(
        capsys,
        str(src),
        "--id",
        "id",
        "--time",
        "t",
        "--items",
        "x",
        "--within-day",
        "-o",
        str(tmp_path / "out.csv"),
    )

    assert code == 2
    assert "--within-day needs --day" in err

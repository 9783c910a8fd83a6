"""``wisemind analyze``: the instability indices of a CSV/Parquet file, for researchers.

    wisemind analyze INPUT --id COL --time COL --items COL [COL …] [--day COL]
                     [--period COL] [--engine local|spark] [--within-day] [--max-gap G]
                     [--pac-threshold q0.9|VALUE] [--tasd-lambda L] -o OUT.parquet|csv

Runs without Django. The output has one row per person (and period) and item; the PAC
threshold and its rule are columns of it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from analytics.engine import Columns, Engine, compute, read_table, stages
from analytics.indices import IndexOptions, PacRule
from analytics.inputs import InputError, check


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="wisemind analyze",
        description="Affective-instability indices per person (and period) for each item.",
    )
    p.add_argument("input", type=Path, help="CSV, TSV or Parquet file, one row per prompt")
    p.add_argument("--id", required=True, help="person id column")
    p.add_argument("--time", required=True, help="time (datetime) or counter column")
    p.add_argument("--items", required=True, nargs="+", help="numeric item columns")
    p.add_argument("--day", help="day column (default: the date of a datetime --time)")
    p.add_argument("--period", help="period column (e.g. week) for per-period indices")
    p.add_argument("--engine", choices=["local", "spark"], default="local")
    p.add_argument(
        "--within-day",
        action="store_true",
        help="also the within-day variants (needs --day, a datetime --time or --max-gap)",
    )
    p.add_argument(
        "--max-gap",
        type=float,
        help="within-day pairs at most this far apart (seconds, or counter units)",
    )
    p.add_argument(
        "--pac-threshold",
        default="q0.9",
        help="PAC threshold: qP for the pooled P quantile of |diff| (default q0.9) or a value",
    )
    p.add_argument(
        "--tasd-lambda",
        type=float,
        help="λ of time-adjusted successive differences (Jahng et al. 2008; unconfirmed form)",
    )
    p.add_argument("-o", "--output", required=True, type=Path, help="OUT.parquet or OUT.csv")
    return p


def run(argv: Sequence[str]) -> int:
    args = parser().parse_args(argv)
    out: Path = args.output
    if out.suffix.lower() not in {".parquet", ".csv"}:
        return _fail(f"the output must end in .parquet or .csv, not {out.name!r}")
    if not args.input.exists():
        return _fail(f"no such file: {args.input}")
    try:
        options = IndexOptions(
            pac=PacRule.parse(args.pac_threshold),
            max_gap=args.max_gap,
            time_adjust_lambda=args.tasd_lambda,
        )
    except ValueError as error:
        return _fail(f"--pac-threshold {args.pac_threshold!r}: {error}")
    columns = Columns(
        id=args.id, time=args.time, items=tuple(args.items), day=args.day, period=args.period
    )
    try:
        frame = check(read_table(args.input), columns)
    except InputError as error:
        return _fail(f"{args.input}: {error}")
    except (pl.exceptions.PolarsError, OSError) as error:
        return _fail(f"{args.input}: cannot be read ({error})")
    time_is_date = frame.schema[columns.time].is_temporal()
    if args.within_day and not (args.day or time_is_date or args.max_gap is not None):
        return _fail("--within-day needs --day, a datetime --time, or --max-gap")

    from tqdm import tqdm

    engine: Engine = args.engine
    names = list(stages())
    with tqdm(total=len(names), desc="analyze", unit="step", file=sys.stderr) as bar:

        def progress(stage: str) -> None:
            bar.set_postfix_str(stage)
            bar.update(1)

        result = compute(frame, columns, options, engine=engine, progress=progress)
        bar.update(bar.total - bar.n)
    table = result.frame
    if not args.within_day:
        table = table.select(pl.exclude("^.*_withinday$"))
    if out.suffix.lower() == ".csv":
        table.write_csv(out)
    else:
        table.write_parquet(out)
    print(f"{table.height} rows → {out} (PAC: {options.pac.label})", file=sys.stderr)
    return 0


def _fail(message: str) -> int:
    print(f"wisemind analyze: error: {message}", file=sys.stderr)
    return 2

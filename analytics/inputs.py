"""Checking a researcher's input file before any index is computed.

Every problem names the offending rows (counted from 1 for the first data row, so row r
is line r + 1 of a CSV file with a header), at most :data:`SHOWN` of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from analytics.engine import Columns

SHOWN = 10


class InputError(ValueError):
    """The input cannot be analysed as asked; the message says where and why."""


def _rows(numbers: Sequence[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:SHOWN])
    more = f" and {len(numbers) - SHOWN} more" if len(numbers) > SHOWN else ""
    return f"row{'s' if len(numbers) > 1 else ''} {shown}{more}"


def check(frame: pl.DataFrame, columns: Columns) -> pl.DataFrame:
    """The frame with item columns as float, or :class:`InputError` listing every problem:
    missing columns, non-numeric item values, missing ids or times, duplicate timestamps."""
    wanted = [columns.id, columns.time, *columns.items, columns.day, columns.period]
    absent = [c for c in dict.fromkeys(wanted) if c is not None and c not in frame.columns]
    if absent:
        raise InputError(
            f"missing column{'s' if len(absent) > 1 else ''}: {', '.join(absent)} "
            f"(the file has: {', '.join(frame.columns)})"
        )
    problems: list[str] = []
    numbered = frame.with_row_index("__row", offset=1)
    for item in columns.items:
        dtype = frame.schema[item]
        if dtype.is_numeric() or dtype == pl.Null:
            continue
        text = pl.col(item).cast(pl.String).str.strip_chars()
        bad = numbered.filter(
            pl.col(item).is_not_null() & text.cast(pl.Float64, strict=False).is_null()
        )
        if bad.height:
            examples = ", ".join(repr(v) for v in bad[item].head(3).cast(pl.String).to_list())
            problems.append(
                f"column {item!r} is not numeric: {_rows(bad['__row'].to_list())} (e.g. {examples})"
            )
    for key in (columns.id, columns.time):
        empty = numbered.filter(pl.col(key).is_null())
        if empty.height:
            problems.append(f"column {key!r} is empty on {_rows(empty['__row'].to_list())}")
    keys = [*columns.unit, columns.time]
    duplicated = numbered.filter(pl.struct(keys).is_duplicated()).sort([*keys, "__row"])
    if duplicated.height:
        problems.append(
            f"duplicate timestamps (same {' + '.join(keys)}): "
            f"{_rows(duplicated['__row'].to_list())}"
        )
    if problems:
        raise InputError("; ".join(problems))
    return frame.with_columns(
        pl.col(item).cast(pl.String).str.strip_chars().cast(pl.Float64)
        if not frame.schema[item].is_numeric()
        else pl.col(item)
        for item in columns.items
    )

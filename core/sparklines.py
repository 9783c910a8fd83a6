"""The drawing shared by the server-rendered SVG sparklines (diary trends, caseload urges):
a series becomes runs of points, a day without a value breaking the line."""

from __future__ import annotations

from collections.abc import Sequence

Point = tuple[float, float]


def runs(
    values: Sequence[int | None], maximum: float, *, width: float, pad: float, top: float,
    height: float,
) -> list[list[Point]]:  # fmt: skip
    """Runs of consecutive known values as (x, y) points across ``width`` (``pad`` on each
    side), 0 at ``top + height`` and ``maximum`` at ``top``; a None breaks the line."""
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    out: list[list[Point]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            if out[-1]:
                out.append([])
            continue
        point = (round(pad + index * step, 1), round(top + height * (1 - value / maximum), 1))
        out[-1].append(point)
    return [run for run in out if run]


def draw(lines: list[list[Point]], css_class: str, radius: float) -> list[str]:
    """SVG elements for the runs: a polyline each, a dot for a run of one day. The class
    is ours, never user text."""
    parts = []
    for run in lines:
        if len(run) == 1:
            x, y = run[0]
            parts.append(f'<circle class="{css_class}" cx="{x}" cy="{y}" r="{radius}"/>')
        else:
            coords = " ".join(f"{x},{y}" for x, y in run)
            parts.append(f'<polyline class="{css_class}" points="{coords}"/>')
    return parts

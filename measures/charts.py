"""Server-rendered SVG charts (no JavaScript): one instrument's scores over time, with its
severity bands drawn behind, the baseline as a dashed line and reliable-change markers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from measures.definitions import Definition
from measures.models import Score
from measures.summaries import change_label, number

WIDTH = 640
HEIGHT = 220
LEFT = 44
RIGHT = 12
TOP = 10
BOTTOM = 28
MARKED = ("reliable_improvement", "reliable_deterioration", "recovered")


def _x(when: datetime, first: datetime, last: datetime) -> float:
    span = (last - first).total_seconds()
    inner = WIDTH - LEFT - RIGHT
    if span <= 0:
        return LEFT + inner / 2
    return LEFT + inner * (when - first).total_seconds() / span


def _y(value: float, low: float, high: float) -> float:
    inner = HEIGHT - TOP - BOTTOM
    if high <= low:
        return TOP + inner / 2
    return TOP + inner * (1 - (value - low) / (high - low))


def change_of(score: Score) -> dict[str, object] | None:
    """The change to mark on the chart: against the previous score, else the baseline."""
    for against in ("previous", "baseline"):
        found = (score.change or {}).get(against)
        if isinstance(found, dict) and found.get("label") in MARKED:
            return found
    return None


def score_chart(definition: Definition, scores: Sequence[Score], chart_id: str) -> SafeString:
    """An accessible SVG of ``scores`` (valid ones) on the instrument's full range."""
    points = [s for s in scores if s.value is not None]
    low, high = (float(v) for v in definition.score_range())
    decimals = definition.scoring.decimals
    title = _("%(instrument)s scores over time") % {"instrument": definition.short_title}
    summary = "; ".join(
        f"{date_format(s.observed_at, 'j M Y')}: {number(s.value, decimals)}"
        + (f" ({s.band})" if s.band else "")
        for s in points
    ) or _("No scores yet")
    parts = [
        f'<svg class="score-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" data-testid="score-chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>',
    ]
    # Severity bands behind the scores: each from its lower bound to the next one.
    bounds = [float(b.lower) for b in definition.bands] + [high]
    for index, band in enumerate(definition.bands):
        top, bottom = _y(bounds[index + 1], low, high), _y(bounds[index], low, high)
        parts.append(
            f'<rect class="band band-{min(index, 5)}" data-testid="severity-band" x="{LEFT}" '
            f'y="{top:.1f}" width="{WIDTH - LEFT - RIGHT}" height="{max(bottom - top, 0):.1f}">'
            f"<title>{escape(band.label)}: {number(bounds[index], decimals)}–"
            f"{number(bounds[index + 1], decimals)}</title></rect>"
        )
        parts.append(
            f'<text class="band-label" x="{WIDTH - RIGHT - 4}" y="{bottom - 3:.1f}" '
            f'text-anchor="end">{escape(band.label[:40])}</text>'
        )
    # Axis labels: the range's ends.
    for value in (low, high):
        parts.append(
            f'<text class="axis" x="{LEFT - 6}" y="{_y(value, low, high) + 4:.1f}" '
            f'text-anchor="end">{number(value, decimals)}</text>'
        )
    if points:
        first, last = points[0].observed_at, points[-1].observed_at
        baseline = points[0].value
        assert baseline is not None  # noqa: S101 - points holds valid scores only
        y0 = _y(baseline, low, high)
        parts.append(
            f'<line class="baseline" data-testid="baseline" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
            f'y1="{y0:.1f}" y2="{y0:.1f}"><title>{escape(_("Baseline"))}: '
            f"{number(baseline, decimals)}</title></line>"
        )
        coords = [(_x(s.observed_at, first, last), _y(s.value or 0, low, high)) for s in points]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(f'<polyline class="line" points="{path}"/>')
        for one, (x, y) in zip(points, coords, strict=True):
            label = f"{date_format(one.observed_at, 'j M Y')}: {number(one.value, decimals)}"
            parts.append(
                f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="4">'
                f"<title>{escape(label)}</title></circle>"
            )
            change = change_of(one)
            if change is not None:
                words = change_label(str(change["label"]))
                kind = "up" if float(str(change["difference"])) > 0 else "down"
                tip = y - 10 if kind == "up" else y + 10
                parts.append(
                    f'<path class="rc-marker rc-{escape(str(change["label"]))}" '
                    f'data-testid="reliable-change-marker" '
                    f'd="M{x - 6:.1f},{y:.1f} L{x + 6:.1f},{y:.1f} L{x:.1f},{tip:.1f} Z">'
                    f"<title>{escape(words)} ({escape(str(change['against']))})</title></path>"
                )
        parts.append(
            f'<text class="axis" x="{LEFT}" y="{HEIGHT - 8}">'
            f"{escape(date_format(first, 'j M Y'))}</text>"
        )
        if last != first:
            parts.append(
                f'<text class="axis" x="{WIDTH - RIGHT}" y="{HEIGHT - 8}" text-anchor="end">'
                f"{escape(date_format(last, 'j M Y'))}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped

"""Small server-rendered SVG charts (no JavaScript): one sparkline per series, shared x axis."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.sparklines import draw, runs
from diary.queries import Series

WIDTH = 280
ROW = 44
LABEL = 16
PAD = 4


def _summary(series: Series) -> str:
    known = [value for value in series.values if value is not None]
    if not known:
        return _("%(label)s: no data") % {"label": series.label}
    return _("%(label)s: highest %(high)d, most recent %(last)d, on %(days)d of %(total)d days") % {
        "label": series.label,
        "high": max(known),
        "last": known[-1],
        "days": len(known),
        "total": len(series.values),
    }


def sparklines(dates: Sequence[date], series: Sequence[Series]) -> SafeString:
    """An accessible SVG: a labelled sparkline per series over the same days."""
    height = ROW * len(series)
    parts = [
        f'<svg class="sparklines" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="img" aria-labelledby="trend-title trend-desc">',
        f'<title id="trend-title">{escape(_("Trend over %(n)d days") % {"n": len(dates)})}</title>',
        f'<desc id="trend-desc">{escape("; ".join(_summary(s) for s in series))}</desc>',
    ]
    for index, one in enumerate(series):
        top = index * ROW
        baseline = top + ROW - PAD
        parts.append(
            f'<text x="{PAD}" y="{top + LABEL - 4}" class="spark-label">{escape(one.label)}</text>'
            f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{baseline}" y2="{baseline}" '
            'class="spark-axis"/>'
        )
        lines = runs(
            one.values, one.maximum, width=WIDTH, pad=PAD, top=top + LABEL + PAD,
            height=ROW - LABEL - 2 * PAD,
        )  # fmt: skip
        parts += draw(lines, "spark-line", 2)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text node above is escaped)

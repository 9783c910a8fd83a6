"""The caseload's urge sparkline: a small server-rendered SVG (no JavaScript) with its words.

Two lines over the same days on a 0–5 scale: suicide urges solid, self-harm urges dashed,
so they differ by more than colour. A day without a rating breaks the line. The SVG is
an image whose accessible name says what it shows in numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.sparklines import draw, runs

WIDTH = 140
HEIGHT = 36
PAD = 3
MAXIMUM = 5


def describe(label: str, values: Sequence[int | None]) -> str:
    """One series in words: highest, most recent, and on how many days it was rated."""
    known = [value for value in values if value is not None]
    if not known:
        return _("%(label)s: not rated") % {"label": label}
    text = _("%(label)s: highest %(high)d, most recent %(last)d, rated on %(n)d of %(total)d days")
    return text % {
        "label": label,
        "high": max(known),
        "last": known[-1],
        "n": len(known),
        "total": len(values),
    }


def text_alternative(suicide: Sequence[int | None], self_harm: Sequence[int | None]) -> str:
    return "; ".join(
        [
            _("Urges over %(n)d days (0–5)") % {"n": len(suicide)},
            describe(_("suicide"), suicide),
            describe(_("self-harm"), self_harm),
        ]
    )


def urge_sparkline(suicide: Sequence[int | None], self_harm: Sequence[int | None]) -> SafeString:
    """An accessible inline SVG of both series."""
    label = escape(text_alternative(suicide, self_harm))
    parts = [
        f'<svg class="urge-spark" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="{label}">',
        f'<line class="spark-axis" x1="{PAD}" x2="{WIDTH - PAD}" y1="{HEIGHT - PAD}" '
        f'y2="{HEIGHT - PAD}"/>',
    ]
    for css, values in (("suicide", suicide), ("self-harm", self_harm)):
        lines = runs(values, MAXIMUM, width=WIDTH, pad=PAD, top=PAD, height=HEIGHT - 2 * PAD)
        parts += draw(lines, f"spark-{css}", 1.8)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (the only text, the label, is escaped)

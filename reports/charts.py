"""The report's charts, drawn with matplotlib (Agg backend) as SVG text to embed in the PDF.

Lines differ in marker and dash as well as colour, so they read in black and white.
Text is drawn as paths: nothing is fetched and no font file is needed when rendering.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from reports.content import URGE_KINDS, DiaryWeek, ItemInstability

STYLES: list[dict[str, Any]] = [
    {"color": "#1b4f72", "marker": "o", "linestyle": "-"},
    {"color": "#b03a2e", "marker": "s", "linestyle": "--"},
    {"color": "#7d6608", "marker": "^", "linestyle": "-."},
    {"color": "#196f3d", "marker": "D", "linestyle": ":"},
    {"color": "#6c3483", "marker": "v", "linestyle": "-"},
    {"color": "#424949", "marker": "x", "linestyle": "--"},
]


def _svg_data_uri(figure: Figure) -> str:
    buffer = io.BytesIO()
    with plt.rc_context({"svg.fonttype": "path", "svg.hashsalt": "wisemind"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _axis(ax: Axes, mondays: Sequence[date]) -> None:
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=7)
    step = max(1, len(mondays) // 12)
    ax.set_xticks(range(0, len(mondays), step))
    ax.set_xticklabels([m.strftime("%d %b") for m in mondays[::step]], rotation=0)


def diary_chart(weeks: Sequence[DiaryWeek]) -> str | None:
    """Weekly means: emotional misery and the urges (0–5) above, skills use (0–7) and hours
    of sleep below. None when no week has a card."""
    if not any(w.cards for w in weeks):
        return None
    mondays = [w.first for w in weeks]
    x = list(range(len(weeks)))
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(7.0, 3.7), sharex=True)
    series = [("Emotional misery", [w.misery for w in weeks])] + [
        (label, [w.urges.get(kind) for w in weeks]) for kind, label in URGE_KINDS
    ]
    for (label, values), style in zip(series, STYLES, strict=False):
        top.plot(x, [float("nan") if v is None else v for v in values], label=label, **style)
    top.set_ylim(-0.2, 5.2)
    top.set_ylabel("weekly mean (0–5)", fontsize=8)
    top.legend(fontsize=7, ncol=2, frameon=False, loc="upper left", bbox_to_anchor=(0, 1.25))
    _axis(top, mondays)
    skills = [float("nan") if w.skills_used is None else w.skills_used for w in weeks]
    sleep = [float("nan") if w.sleep_hours is None else w.sleep_hours for w in weeks]
    bottom.plot(x, skills, label="Skills use (0–7)", **STYLES[4])
    bottom.plot(x, sleep, label="Sleep (hours)", **STYLES[5])
    bottom.set_ylim(-0.2, max([9.0, *(v for v in sleep if not math.isnan(v))]) + 0.5)
    bottom.set_ylabel("weekly mean", fontsize=8)
    bottom.set_xlabel("week starting", fontsize=8)
    bottom.legend(fontsize=7, ncol=2, frameon=False, loc="upper left")
    _axis(bottom, mondays)
    figure.tight_layout()
    return _svg_data_uri(figure)


def instability_chart(items: Sequence[ItemInstability]) -> str | None:
    """Within-day MSSD per week, one line per check-in item. None without any value."""
    drawn = [i for i in items if any(w.mssd is not None for w in i.weeks)]
    if not drawn:
        return None
    mondays = sorted({w.start for i in drawn for w in i.weeks})
    where = {m: n for n, m in enumerate(mondays)}
    figure, ax = plt.subplots(figsize=(7.0, 2.5))
    for item, style in zip(drawn, STYLES, strict=False):
        points = [(where[w.start], w.mssd) for w in item.weeks if w.mssd is not None]
        ax.plot([p[0] for p in points], [p[1] for p in points], label=item.label, **style)
    ax.set_ylabel("MSSD (within day)", fontsize=8)
    ax.set_xlabel("week starting", fontsize=8)
    ax.legend(fontsize=7, ncol=3, frameon=False, loc="upper left", bbox_to_anchor=(0, 1.22))
    _axis(ax, mondays)
    figure.tight_layout()
    return _svg_data_uri(figure)

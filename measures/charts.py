"""Server-rendered SVG charts (no JavaScript): one instrument's scores over time, with its
severity bands drawn behind, the baseline as a dashed line, reliable-change markers and the
treatment events known so far on the same time axis (therapy sessions, risk alerts raised,
high-risk watches, safety-plan versions), each also listed in words under the chart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from measures.definitions import Definition
from measures.models import Score
from measures.queries import EventKind, TreatmentEvent
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


@dataclass(frozen=True)
class Window:
    """The chart's time axis: from the first valid score to the last score or event."""

    first: datetime
    last: datetime


def window_of(scores: Sequence[Score], events: Sequence[TreatmentEvent]) -> Window | None:
    points = [s.observed_at for s in scores if s.value is not None]
    if not points:
        return None
    first = points[0]
    later = [e.at for e in events if e.at >= first]
    return Window(first, max([points[-1], *later]))


def events_in(window: Window | None, events: Sequence[TreatmentEvent]) -> list[TreatmentEvent]:
    """The events drawn on a chart: those inside its window, and watches that overlap it."""
    if window is None:
        return []
    return [
        e
        for e in events
        if window.first <= e.at <= window.last
        or (
            e.kind == EventKind.WATCH
            and e.at < window.first
            and (e.until is None or e.until >= window.first)
        )
    ]


def event_label(event: TreatmentEvent) -> str:
    """The words for one event (never an alert's reason: only that one was raised)."""
    if event.kind == EventKind.SESSION:
        return _("Therapy session")
    if event.kind == EventKind.ALERT:
        return _("Risk alert raised")
    if event.kind == EventKind.PLAN:
        return _("Safety plan version %(n)s saved") % {"n": event.number}
    if event.until is None:
        return _("High-risk watch started (still on watch)")
    return _("High-risk watch from %(start)s to %(end)s") % {
        "start": date_format(event.at, "j M Y"),
        "end": date_format(event.until, "j M Y"),
    }


def event_lines(events: Sequence[TreatmentEvent]) -> list[str]:
    """The chart's events in words, oldest first; a day's risk alerts are counted."""
    alerts = Counter(date_format(e.at, "j M Y") for e in events if e.kind == EventKind.ALERT)
    lines: list[str] = []
    counted: set[str] = set()
    for event in events:
        day = date_format(event.at, "j M Y")
        if event.kind == EventKind.ALERT:
            if day not in counted:
                counted.add(day)
                n = alerts[day]
                lines.append(
                    f"{day}: "
                    + (_("%(n)d risk alerts raised") % {"n": n} if n > 1 else event_label(event))
                )
        elif event.kind == EventKind.SESSION:
            lines.append(f"{date_format(event.at, 'j M Y, H:i')}: {event_label(event)}")
        else:
            lines.append(f"{day}: {event_label(event)}")
    return lines


def _event_marks(window: Window, events: Sequence[TreatmentEvent]) -> list[str]:
    top, bottom = TOP, HEIGHT - BOTTOM
    parts: list[str] = []
    for event in events:
        x = _x(max(event.at, window.first), window.first, window.last)
        tip = escape(f"{event_label(event)}, {date_format(event.at, 'j M Y')}")
        if event.kind == EventKind.WATCH:
            end = _x(min(event.until or window.last, window.last), window.first, window.last)
            parts.append(
                f'<rect class="event-watch" data-testid="event-watch" x="{x:.1f}" y="{top}" '
                f'width="{max(end - x, 2):.1f}" height="{bottom - top}"><title>{tip}</title></rect>'
            )
        elif event.kind == EventKind.SESSION:
            parts.append(
                f'<line class="event-session" data-testid="event-session" x1="{x:.1f}" '
                f'x2="{x:.1f}" y1="{top}" y2="{bottom}"><title>{tip}</title></line>'
            )
        elif event.kind == EventKind.ALERT:
            y = top + 7
            parts.append(
                f'<path class="event-alert" data-testid="event-alert" '
                f'd="M{x:.1f},{y - 6:.1f} L{x + 6:.1f},{y:.1f} L{x:.1f},{y + 6:.1f} '
                f'L{x - 6:.1f},{y:.1f} Z"><title>{tip}</title></path>'
            )
        else:
            parts.append(
                f'<rect class="event-plan" data-testid="event-plan" x="{x - 5:.1f}" '
                f'y="{bottom - 11}" width="10" height="10"><title>{tip}</title></rect>'
            )
    return parts


def score_chart(
    definition: Definition,
    scores: Sequence[Score],
    chart_id: str,
    events: Sequence[TreatmentEvent] = (),
) -> SafeString:
    """An accessible SVG of ``scores`` (valid ones) on the instrument's full range, with
    the treatment ``events`` (``events_in`` its window) on the same time axis."""
    points = [s for s in scores if s.value is not None]
    window = window_of(scores, events)
    drawn = events_in(window, events)
    low, high = (float(v) for v in definition.score_range())
    decimals = definition.scoring.decimals
    title = _("%(instrument)s scores over time") % {"instrument": definition.short_title}
    summary = "; ".join(
        f"{date_format(s.observed_at, 'j M Y')}: {number(s.value, decimals)}"
        + (f" ({s.band})" if s.band else "")
        for s in points
    ) or _("No scores yet")
    if drawn:
        summary += ". " + _("Treatment events: %(events)s") % {
            "events": "; ".join(event_lines(drawn))
        }
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
    if points and window is not None:
        first, last = window.first, window.last
        parts.extend(_event_marks(window, drawn))
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

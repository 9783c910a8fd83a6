"""Read-side views of diary cards: the card to fill, recent days, the week grid, the trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from care.models import Patient
from diary.models import CardEmotion, CardTarget, DiaryCard, Emotion, Target


@dataclass(frozen=True)
class DayStatus:
    date: date
    card: DiaryCard | None

    @property
    def state(self) -> str:
        if self.card is None:
            return "missing"
        return "late" if self.card.is_late else "saved"


def cards_between(patient: Patient, first: date, last: date) -> dict[date, DiaryCard]:
    """The patient's cards from ``first`` to ``last`` inclusive, with their rows, by date."""
    cards = (
        DiaryCard.objects.filter(patient=patient, date__gte=first, date__lte=last)
        .prefetch_related(
            Prefetch("targets", queryset=CardTarget.objects.select_related("target")),
            Prefetch("emotions", queryset=CardEmotion.objects.select_related("emotion")),
        )
        .order_by("date")
    )
    return {card.date: card for card in cards}


def recent_days(patient: Patient, today: date, count: int = 14) -> list[DayStatus]:
    """The last ``count`` days, newest first, including days without a card."""
    first = today - timedelta(days=count - 1)
    cards = {
        card.date: card
        for card in DiaryCard.objects.filter(patient=patient, date__gte=first, date__lte=today)
    }
    return [DayStatus(day, cards.get(day)) for day in (today - timedelta(n) for n in range(count))]


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class GridRow:
    date: date
    card: DiaryCard | None
    #: One cell per grid column: the value, or None where the item was not on that day's card.
    emotions: list[int | str | None]
    urges: list[int | str | None]
    acted: list[str]


@dataclass(frozen=True)
class WeekGrid:
    monday: date
    emotions: list[Emotion]
    targets: list[Target]
    rows: list[GridRow]

    @property
    def previous(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.monday + timedelta(days=7)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def data_columns(self) -> int:
        """Columns after the day's: emotions, urges, acted on, and skills, medication, sleep,
        substances and note."""
        return len(self.emotions) + 2 * len(self.targets) + 5


NOT_ON_CARD = "not on card"


def week_grid(patient: Patient, monday: date) -> WeekGrid:
    """Seven rows (Monday to Sunday); a column for every item used on any of those days."""
    sunday = monday + timedelta(days=6)
    emotions = list(
        Emotion.objects.filter(patient=patient, active_from__lte=sunday)
        .exclude(retired_on__lte=monday)
        .order_by("position", "id")
    )
    targets = list(
        Target.objects.filter(patient=patient, active_from__lte=sunday)
        .exclude(retired_on__lte=monday)
        .order_by("position", "id")
    )
    cards = cards_between(patient, monday, sunday)
    rows = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        card = cards.get(day)
        ratings: dict[int, int | None] = {}
        urges: dict[int, CardTarget] = {}
        if card is not None:
            ratings = {row.emotion_id: row.rating for row in card.emotions.all()}
            urges = {row.target_id: row for row in card.targets.all()}
        rows.append(
            GridRow(
                date=day,
                card=card,
                emotions=[_cell(card, e.pk in ratings, ratings.get(e.pk)) for e in emotions],
                urges=[
                    _cell(card, t.pk in urges, urges[t.pk].urge if t.pk in urges else None)
                    for t in targets
                ],
                acted=[_acted(card, urges.get(t.pk)) for t in targets],
            )
        )
    return WeekGrid(monday=monday, emotions=emotions, targets=targets, rows=rows)


def _cell(card: DiaryCard | None, applied: bool, value: int | None) -> int | str | None:
    if card is None:
        return None
    return value if applied else NOT_ON_CARD


def _acted(card: DiaryCard | None, row: CardTarget | None) -> str:
    if card is None or row is None or row.acted is None:
        return ""
    if not row.acted:
        return "no"
    return row.detail or "yes"


@dataclass(frozen=True)
class Series:
    label: str
    maximum: int
    #: One value per day (None: no card, or not asked that day).
    values: list[int | None]


def trend(patient: Patient, last: date, days: int = 28) -> tuple[list[date], list[Series]]:
    """Urges per target and skills use per day over the ``days`` days ending ``last``."""
    first = last - timedelta(days=days - 1)
    dates = [first + timedelta(days=n) for n in range(days)]
    cards = cards_between(patient, first, last)
    by_target: dict[int, Series] = {}
    for target in Target.objects.filter(patient=patient, active_from__lte=last).exclude(
        retired_on__lte=first
    ):
        by_target[target.pk] = Series(label=target.name, maximum=5, values=[None] * days)
    skills = Series(label=str(_("Skills used (0–7)")), maximum=7, values=[None] * days)
    for index, day in enumerate(dates):
        card = cards.get(day)
        if card is None:
            continue
        skills.values[index] = card.skills_used
        for row in card.targets.all():
            if row.target_id in by_target:
                by_target[row.target_id].values[index] = row.urge
    return dates, [*by_target.values(), skills]


def template_for(patient: Patient, day: date) -> dict[str, Any]:
    """The items on ``day``'s card and the card's current values, for forms and the API."""
    card = cards_between(patient, day, day).get(day)
    return {
        "date": day,
        "card": card,
        "targets": list(patient.diary_targets.active_on(day)),
        "emotions": list(patient.diary_emotions.active_on(day)),
    }


@dataclass(frozen=True)
class WeeklySummary:
    """What a supporter sees of the diary: whether cards were filled and skills used.

    Ratings, urges, actions and notes are deliberately left out.
    """

    first: date
    last: date
    days_with_card: int
    days_skills_used: int
    days_skills_helped: int


def weekly_summary(patient: Patient, today: date) -> WeeklySummary:
    """The last seven days (today included)."""
    first = today - timedelta(days=6)
    cards = DiaryCard.objects.filter(patient=patient, date__gte=first, date__lte=today)
    levels = [card.skills_used for card in cards.only("skills_used")]
    return WeeklySummary(
        first=first,
        last=today,
        days_with_card=len(levels),
        days_skills_used=sum(1 for level in levels if level is not None and level >= 4),
        days_skills_helped=sum(1 for level in levels if level in (5, 7)),
    )

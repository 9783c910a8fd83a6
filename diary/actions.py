"""Every write to diary cards and to a patient's targets and emotions."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from care.models import Patient
from core.actions import ActionError, action
from core.appends import append, append_update
from core.versioned_cache import VersionedCache, bump_version
from diary.cards import CardValues, TargetValue, is_late, may_fill, merge_entry
from diary.defaults import DEFAULT_EMOTIONS, DEFAULT_TARGETS
from diary.models import (
    CardEmotion,
    CardRevision,
    CardSource,
    CardTarget,
    DiaryCard,
    Emotion,
    Target,
    is_active_on,
)
from safety.risk import evaluate_diary_card

#: Items created with a patient's first card apply from the start of their history.
FROM_THE_START = date(1900, 1, 1)

SCALAR_FIELDS = tuple(
    f.name for f in fields(CardValues) if f.name not in {"emotions", "targets", "skills"}
)
#: What a save changes on the card itself.
CARD_FIELDS = (*SCALAR_FIELDS, "skills", "updated_at")


class SaveMode(StrEnum):
    #: Replace the card's values (the web form; an edit through the API).
    EDIT = "edit"
    #: Merge into the day's card, keeping the highest urges and ratings (app entries).
    ENTRY = "entry"


@action
def ensure_card_items(actor: User | None, patient: Patient) -> None:
    """Give a patient the default targets and emotions if they have none yet."""
    if patient.diary_targets.exists() or patient.diary_emotions.exists():
        return
    # Two first saves at once: the second waits here for the first, then finds its items.
    Patient.objects.select_for_update().only("pk").get(pk=patient.pk)
    if patient.diary_targets.exists() or patient.diary_emotions.exists():
        return
    Target.objects.bulk_create(
        Target(
            patient=patient,
            name=str(name),
            kind=kind,
            asks_detail=asks_detail,
            position=index,
            active_from=FROM_THE_START,
        )
        for index, (name, kind, asks_detail) in enumerate(DEFAULT_TARGETS)
    )
    Emotion.objects.bulk_create(
        Emotion(patient=patient, name=str(name), position=index, active_from=FROM_THE_START)
        for index, name in enumerate(DEFAULT_EMOTIONS)
    )
    bump_version(patient, "diary_items_version")  # bulk_create sends no post_save


def values_of(
    card: DiaryCard,
    targets: Iterable[CardTarget] | None = None,
    emotions: Iterable[CardEmotion] | None = None,
) -> CardValues:
    """A stored card as submission values (keys are item public ids).

    ``targets`` and ``emotions`` are the card's rows when the caller has them already.
    """
    return CardValues(
        emotions={
            str(row.emotion.public_id): row.rating
            for row in (card.emotions.all() if emotions is None else emotions)
        },
        targets={
            str(row.target.public_id): TargetValue(row.urge, row.acted, row.detail)
            for row in (card.targets.all() if targets is None else targets)
        },
        skills=tuple(card.skills),
        **{name: getattr(card, name) for name in SCALAR_FIELDS},
    )


#: A patient's items by their ``diary_items_version`` (core/versioned_cache.py).
_ITEMS: VersionedCache[_Items] = VersionedCache("diary items")


@dataclass(frozen=True)
class _Items:
    """All of a patient's targets and emotions (retired ones too), by primary key."""

    targets: dict[int, Target]
    emotions: dict[int, Emotion]

    @classmethod
    def of(cls, patient: Patient) -> _Items:
        """Read through this process's cache, at the version on ``patient`` (loaded with the
        request's token); the items are shared between requests, so never change them."""
        key = patient.public_id
        cached = _ITEMS.get(key, patient.diary_items_version)
        if cached is not None:
            return cached
        items = cls(
            {t.pk: t for t in patient.diary_targets.all()},
            {e.pk: e for e in patient.diary_emotions.all()},
        )
        _ITEMS.put_after_commit(
            key, patient.diary_items_version, items, using=router.db_for_read(Target)
        )
        return items

    def on(self, day: date) -> tuple[dict[str, Target], dict[str, Emotion]]:
        """The items on ``day``'s card, by public id, in card order."""
        return (
            {str(t.public_id): t for t in self.targets.values() if is_active_on(t, day)},
            {str(e.public_id): e for e in self.emotions.values() if is_active_on(e, day)},
        )


@dataclass(frozen=True)
class _Rows:
    """A card's rows, each with its item."""

    targets: list[CardTarget]
    emotions: list[CardEmotion]


#: The day's card with its target and emotion rows, in one round trip (the submission
#: path's hottest read): one result row per card row (one with no card row for a card that
#: has none), the card's columns repeated on each, ``{lock}`` its row lock where the
#: database has one.
_CARD_SQL = (
    "SELECT {card_columns}, r.kind AS row_kind, r.id AS row_id, r.item_id AS row_item_id, "
    "r.urge AS row_urge, r.acted AS row_acted, r.detail AS row_detail, "
    "r.rating AS row_rating "
    "FROM {cards} c LEFT JOIN ("
    "SELECT 1 AS kind, id, card_id, target_id AS item_id, urge, acted, detail, "
    "NULL AS rating FROM {targets} "
    "UNION ALL "
    "SELECT 2, id, card_id, emotion_id, NULL, NULL, NULL, rating FROM {emotions}"
    ") r ON r.card_id = c.id "
    "WHERE c.patient_id = %s AND c.date = %s{lock}"
)


@functools.cache
def _card_sql(alias: str) -> str:
    connection = connections[alias]
    quote = connection.ops.quote_name
    lock = ""
    if connection.features.has_select_for_update:
        lock = " FOR UPDATE OF c" if connection.features.has_select_for_update_of else " FOR UPDATE"
    return _CARD_SQL.format(
        card_columns=", ".join(
            f"c.{quote(field.get_attname_column()[1] or field.attname)}"
            for field in DiaryCard._meta.concrete_fields
        ),
        cards=quote(DiaryCard._meta.db_table),
        targets=quote(CardTarget._meta.db_table),
        emotions=quote(CardEmotion._meta.db_table),
        lock=lock,
    )


@functools.cache
def _card_converters(alias: str) -> list[tuple[int, list[Any], Any]]:
    """Per card column that needs one, the converters the ORM applies to it when it reads
    (the backend's, e.g. SQLite's dates and decimals, then the field's, e.g. JSON)."""
    connection = connections[alias]
    found = []
    for index, field in enumerate(DiaryCard._meta.concrete_fields):
        column = field.get_col(DiaryCard._meta.db_table)
        converters = [
            *connection.ops.get_db_converters(column),
            *column.get_db_converters(connection),
        ]
        if converters:
            found.append((index, converters, column))
    return found


def _locked_card(patient: Patient, day: date, items: _Items) -> tuple[DiaryCard, _Rows] | None:
    """The day's card, locked until the transaction ends, with its rows (each with its
    item: one of the patient's, loaded already; a stray one loads on access)."""
    alias = router.db_for_write(DiaryCard)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(_card_sql(alias), [patient.pk, day])
        result = cursor.fetchall()
    if not result:
        return None
    width = len(DiaryCard._meta.concrete_fields)
    values = list(result[0][:width])
    for index, converters, column in _card_converters(alias):
        for convert in converters:
            values[index] = convert(values[index], column, connection)
    card = DiaryCard.from_db(alias, None, values)  # type: ignore[arg-type]
    card.patient = patient  # loaded already (the risk rules read its organisation)
    targets: list[CardTarget] = []
    emotions: list[CardEmotion] = []
    for kind, pk, item_id, urge, acted, detail, rating in (r[width:] for r in result):
        if kind == 1:
            row = CardTarget.from_db(
                alias,
                ["id", "card_id", "target_id", "urge", "acted", "detail"],
                [pk, card.pk, item_id, urge, None if acted is None else bool(acted), detail],
            )
            row.card = card
            if item_id in items.targets:
                row.target = items.targets[item_id]
            targets.append(row)
        elif kind == 2:
            row_e = CardEmotion.from_db(
                alias, ["id", "card_id", "emotion_id", "rating"], [pk, card.pk, item_id, rating]
            )
            row_e.card = card
            if item_id in items.emotions:
                row_e.emotion = items.emotions[item_id]
            emotions.append(row_e)
    return card, _Rows(targets, emotions)


def _check_keys(
    values: CardValues, targets: dict[str, Target], emotions: dict[str, Emotion]
) -> None:
    for key in values.emotions:
        if key not in emotions:
            raise ActionError(_("This emotion is not on this day's card."), field=f"emotions.{key}")
    for key in values.targets:
        if key not in targets:
            raise ActionError(_("This target is not on this day's card."), field=f"targets.{key}")


@dataclass(frozen=True)
class SavedCard:
    """What a save stored: the card, its rows in card order, and whether this save created it."""

    card: DiaryCard
    created: bool
    targets: list[CardTarget]
    emotions: list[CardEmotion]
    #: The card matched one of the clinic's risk rules (the care team has an alert).
    alerted: bool = False


@action
def store_card(
    actor: User,
    patient: Patient,
    day: date,
    values: CardValues,
    *,
    mode: SaveMode,
    source: str = CardSource.WEB,
    filled_at: datetime | None = None,
) -> SavedCard:
    """Save the patient's card for ``day`` (their local date) and run the risk rules.

    Returns the card with the rows as saved, so that a caller can answer without reading
    the card back.
    """
    if not may_fill(day, patient.time_zone, filled_at=filled_at):
        raise ActionError(
            _("Only today's and yesterday's cards can be filled in or changed."), field="date"
        )
    items = _Items.of(patient)
    if not items.targets and not items.emotions:
        # The patient's first card: they get the default items (once), then the card has them.
        ensure_card_items(actor, patient)
        items = _Items.of(patient)
    targets, emotions = items.on(day)
    _check_keys(values, targets, emotions)

    found = _locked_card(patient, day, items)
    rows: _Rows | None = None
    if found is None:
        try:
            with transaction.atomic():
                card = DiaryCard.objects.create(
                    patient=patient,
                    date=day,
                    source=source,
                    first_saved_at=timezone.now(),
                    is_late=is_late(day, patient.time_zone),
                )
        except IntegrityError:
            # Another entry for the same day won the race: merge into its card.
            found = _locked_card(patient, day, items)
            if found is None:
                raise
            card, rows = found
    else:
        card, rows = found
    created = rows is None
    if rows is not None and mode == SaveMode.ENTRY:
        values = merge_entry(values_of(card, rows.targets, rows.emotions), values)
    target_rows, emotion_rows = _write(card, values, targets, emotions, rows)
    _record_revision(actor, card, values, mode, source)
    fired = evaluate_diary_card(card, target_rows)
    return SavedCard(card, created, target_rows, emotion_rows, alerted=bool(fired))


def save_card(
    actor: User,
    patient: Patient,
    day: date,
    values: CardValues,
    *,
    mode: SaveMode,
    source: str = CardSource.WEB,
    filled_at: datetime | None = None,
) -> DiaryCard:
    """Save the patient's card for ``day`` (their local date) and run the risk rules."""
    saved = store_card(actor, patient, day, values, mode=mode, source=source, filled_at=filled_at)
    return saved.card


def _record_revision(
    actor: User, card: DiaryCard, values: CardValues, mode: SaveMode, source: str
) -> None:
    snapshot = asdict(values)
    snapshot["sleep_hours"] = None if values.sleep_hours is None else str(values.sleep_hours)
    append(CardRevision(card=card, saved_by=actor, mode=mode, source=source, values=snapshot))


def _write(
    card: DiaryCard,
    values: CardValues,
    targets: dict[str, Target],
    emotions: dict[str, Emotion],
    rows: _Rows | None,
) -> tuple[list[CardTarget], list[CardEmotion]]:
    """Store ``values`` on the card (``rows``: its rows, none for a new card); return all
    its rows, in card order.

    Rows whose values did not change are not written again (an entry that raises no
    urge or rating changes only the card itself).
    """
    for name in SCALAR_FIELDS:
        setattr(card, name, getattr(values, name))
    card.skills = list(values.skills)
    try:
        card.clean_fields(exclude=["patient", "date", "first_saved_at"])
    except ValidationError as exc:
        # E.g. many entries in one day whose texts, appended, no longer fit: say which field.
        field, messages = next(iter(exc.message_dict.items()))
        raise ActionError(
            _("%(message)s Edit the day's card to shorten it.") % {"message": messages[0]},
            field=field,
        ) from exc
    if card.sleep_hours is not None:
        # As the database stores it (one decimal), so the card reads the same without a reload.
        card.sleep_hours = Decimal(card.sleep_hours).quantize(Decimal("0.1"))
    # With the submission's other writes, just before the commit (``core.appends``).
    append_update(card, CARD_FIELDS)
    target_rows: dict[str, CardTarget] = {}
    emotion_rows: dict[str, CardEmotion] = {}
    if rows is not None:
        target_rows = {str(row.target.public_id): row for row in rows.targets}
        emotion_rows = {str(row.emotion.public_id): row for row in rows.emotions}
    changed_targets: list[CardTarget] = []
    for key, target in targets.items():
        value = values.targets.get(key, TargetValue())
        row = target_rows.get(key) or CardTarget(card=card, target=target)
        if row.pk is None or (row.urge, row.acted, row.detail) != (
            value.urge,
            value.acted,
            value.detail,
        ):
            row.urge, row.acted, row.detail = value.urge, value.acted, value.detail
            changed_targets.append(row)
        target_rows[key] = row
    changed_emotions: list[CardEmotion] = []
    for key, emotion in emotions.items():
        row_e = emotion_rows.get(key) or CardEmotion(card=card, emotion=emotion)
        if row_e.pk is None or row_e.rating != values.emotions.get(key):
            row_e.rating = values.emotions.get(key)
            changed_emotions.append(row_e)
        emotion_rows[key] = row_e
    CardTarget.objects.bulk_create([r for r in changed_targets if r.pk is None])
    CardEmotion.objects.bulk_create([r for r in changed_emotions if r.pk is None])
    for row in changed_targets:
        if row.pk is not None:
            append_update(row, ("urge", "acted", "detail"))
    for row_e in changed_emotions:
        if row_e.pk is not None:
            append_update(row_e, ("rating",))
    return (
        sorted(target_rows.values(), key=lambda r: (r.target.position, r.target_id)),
        sorted(emotion_rows.values(), key=lambda r: (r.emotion.position, r.emotion_id)),
    )


# --- the patient's lists of targets and emotions (clinician) -------------------------------------


def _next_position(items: list[Target] | list[Emotion]) -> int:
    return max((item.position for item in items), default=-1) + 1


@action
def add_target(
    actor: User, patient: Patient, *, name: str, kind: str, asks_detail: bool, starting: date
) -> Target:
    ensure_card_items(actor, patient)
    name = name.strip()
    current = list(patient.diary_targets.active_on(starting))
    if any(t.name.casefold() == name.casefold() for t in current):
        raise ActionError(_("This target is already on the card."), field="name")
    return Target.objects.create(
        patient=patient,
        name=name,
        kind=kind,
        asks_detail=asks_detail,
        position=_next_position(current),
        active_from=starting,
    )


@action
def add_emotion(actor: User, patient: Patient, *, name: str, starting: date) -> Emotion:
    ensure_card_items(actor, patient)
    name = name.strip()
    current = list(patient.diary_emotions.active_on(starting))
    if any(e.name.casefold() == name.casefold() for e in current):
        raise ActionError(_("This emotion is already on the card."), field="name")
    return Emotion.objects.create(
        patient=patient, name=name, position=_next_position(current), active_from=starting
    )


@action
def retire_item(actor: User, item: Target | Emotion, *, from_day: date) -> Target | Emotion:
    """Take a target or emotion off the card from ``from_day`` on; earlier cards keep it."""
    if item.retired_on is not None and item.retired_on <= from_day:
        return item
    if from_day <= item.active_from:
        # Never used: it can simply end before it began (kept for the record).
        from_day = item.active_from
    item.retired_on = from_day
    item.save(update_fields=["retired_on"])
    return item

"""API operations for diary cards: the day's template, entries, edits, and the clinician's view."""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.http import Http404
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import PageNumberPagination, paginate

from care.models import Patient
from core.actions import ActionError
from core.idempotency import idempotent
from core.requests import AuthenticatedRequest
from diary import actions
from diary.access import access_card_item, access_own_diary, access_patient_diary
from diary.cards import CardValues, TargetValue, editable_days, local_today
from diary.models import CardEmotion, CardSource, CardTarget, DiaryCard, Emotion, Target
from diary.queries import cards_between, template_for
from diary.schemas import (
    CardOut,
    CardRangeQuery,
    CardValuesIn,
    DatedItemOut,
    EmotionIn,
    EmotionRowOut,
    EntryIn,
    SavedCardOut,
    TargetIn,
    TargetRowOut,
    TemplateOut,
)
from policy.api import operation

router = Router(tags=["diary"])

#: The longest range one request may ask for (both ends included).
MAX_RANGE = timedelta(days=366)


def card_out(
    card: DiaryCard,
    targets: Iterable[CardTarget] | None = None,
    emotions: Iterable[CardEmotion] | None = None,
) -> CardOut:
    """The card as the API shows it; ``targets``/``emotions`` are its rows when the caller
    has them already (as saved), else they are read from the card."""
    return CardOut(
        id=card.public_id,
        date=card.date,
        is_late=card.is_late,
        source=card.source,
        first_saved_at=card.first_saved_at,
        updated_at=card.updated_at,
        emotions=[
            EmotionRowOut(id=row.emotion.public_id, name=row.emotion.name, rating=row.rating)
            for row in (card.emotions.all() if emotions is None else emotions)
        ],
        targets=[
            TargetRowOut(
                id=row.target.public_id,
                name=row.target.name,
                kind=row.target.kind,
                urge=row.urge,
                acted=row.acted,
                detail=row.detail,
            )
            for row in (card.targets.all() if targets is None else targets)
        ],
        skills_used=card.skills_used,
        skills=list(card.skills),
        prescribed_meds_taken=card.prescribed_meds_taken,
        prn_meds=card.prn_meds,
        alcohol=card.alcohol,
        drugs=card.drugs,
        sleep_hours=card.sleep_hours,
        note=card.note,
        filled_in_session=card.filled_in_session,
    )


def _values(payload: CardValuesIn) -> CardValues:
    return CardValues(
        emotions={str(key): value for key, value in payload.emotions.items()},
        targets={
            str(key): TargetValue(value.urge, value.acted, value.detail.strip())
            for key, value in payload.targets.items()
        },
        skills_used=payload.skills_used,
        skills=tuple(dict.fromkeys(skill.strip() for skill in payload.skills)),
        prescribed_meds_taken=payload.prescribed_meds_taken,
        prn_meds=payload.prn_meds.strip(),
        alcohol=payload.alcohol.strip(),
        drugs=payload.drugs.strip(),
        sleep_hours=payload.sleep_hours,
        note=payload.note.strip(),
        filled_in_session=payload.filled_in_session,
    )


def _saved_out(saved: actions.SavedCard) -> SavedCardOut:
    out = card_out(saved.card, saved.targets, saved.emotions)
    return SavedCardOut(**out.model_dump(), show_safety_plan=saved.alerted)


def _range(patient: Patient, query: CardRangeQuery) -> tuple[date, date]:
    end = query.end or local_today(patient.time_zone)
    start = query.start or end - timedelta(days=27)
    if start > end or end - start + timedelta(days=1) > MAX_RANGE:
        raise ActionError(_("Ask for at most 366 days, with 'from' before 'to'."), field="from")
    return start, end


# --- the patient's own card ---------------------------------------------------------------------


@router.get("/diary/template", response=TemplateOut, operation_id="diary_template")
@operation("diary.fill_own_card")
def diary_template(request: AuthenticatedRequest, day: date | None = None) -> TemplateOut:
    """Today's card to fill (or another day's with ``?day=``): its items and saved values."""
    patient = access_own_diary(request)
    actions.ensure_card_items(request.user, patient)
    yesterday, today = editable_days(patient.time_zone)
    day = day or today
    template = template_for(patient, day)
    card = template["card"]
    return TemplateOut(
        date=day,
        editable=yesterday <= day <= today,
        emotions=template["emotions"],
        targets=template["targets"],
        card=card_out(card) if card is not None else None,
    )


@router.post(
    "/diary/entries",
    response={200: SavedCardOut, 201: SavedCardOut},
    operation_id="add_diary_entry",
)
@operation("diary.fill_own_card")
@idempotent
def add_diary_entry(request: AuthenticatedRequest, payload: EntryIn) -> Status[SavedCardOut]:
    """Add an entry to a day's card: the day keeps the highest urges and ratings it is given.

    Send an ``Idempotency-Key`` so that a retried entry is stored once. Cards filled while
    offline set ``offline`` and ``filled_at`` (then yesterday's card can arrive today).
    """
    patient = access_own_diary(request)
    saved = actions.store_card(
        request.user,
        patient,
        payload.date,
        _values(payload),
        mode=actions.SaveMode.ENTRY,
        source=CardSource.OFFLINE if payload.offline else CardSource.API,
        filled_at=payload.filled_at,
    )
    return Status(201 if saved.created else 200, _saved_out(saved))


@router.put("/diary/cards/{day}", response=SavedCardOut, operation_id="edit_diary_card")
@operation("diary.fill_own_card")
@idempotent
def edit_diary_card(
    request: AuthenticatedRequest, day: str, payload: CardValuesIn
) -> Status[SavedCardOut]:
    """Replace a card's values (correcting a mistake). Today's and yesterday's only."""
    patient = access_own_diary(request)
    parsed = parse_date(day)
    if parsed is None:
        raise Http404
    saved = actions.store_card(
        request.user,
        patient,
        parsed,
        _values(payload),
        mode=actions.SaveMode.EDIT,
        source=CardSource.API,
    )
    return Status(200, _saved_out(saved))


@router.get("/diary/cards", response=list[CardOut], operation_id="list_my_diary_cards")
@operation("diary.fill_own_card")
@paginate(PageNumberPagination)
def list_my_diary_cards(
    request: AuthenticatedRequest, query: Query[CardRangeQuery]
) -> list[CardOut]:
    """The patient's own cards from ``from`` to ``to`` (default: the last four weeks)."""
    patient = access_own_diary(request)
    start, end = _range(patient, query)
    return [card_out(card) for card in cards_between(patient, start, end).values()]


# --- clinicians ----------------------------------------------------------------------------------


@router.get(
    "/patients/{patient_id}/diary/cards",
    response=list[CardOut],
    operation_id="list_patient_diary_cards",
)
@operation("accounts.use_app", object_perm="diary.view_cards")
@paginate(PageNumberPagination)
def list_patient_diary_cards(
    request: AuthenticatedRequest, patient_id: str, query: Query[CardRangeQuery]
) -> list[CardOut]:
    """A patient's cards (missing days are simply absent)."""
    patient = access_patient_diary(request, patient_id)
    start, end = _range(patient, query)
    return [card_out(card) for card in cards_between(patient, start, end).values()]


def _configurable(request: AuthenticatedRequest, patient_id: str) -> Patient:
    patient = access_patient_diary(request, patient_id)
    if not request.user.has_perm("diary.configure_card", patient):
        raise Http404
    return patient


def _dated(item: Target | Emotion) -> dict[str, Any]:
    return {
        "public_id": item.public_id,
        "name": item.name,
        "kind": getattr(item, "kind", None),
        "active_from": item.active_from,
        "retired_on": item.retired_on,
    }


@router.get(
    "/patients/{patient_id}/diary/items",
    response=list[DatedItemOut],
    operation_id="list_diary_items",
)
@operation("accounts.use_app", object_perm="diary.view_cards")
def list_diary_items(request: AuthenticatedRequest, patient_id: str) -> list[dict[str, Any]]:
    """Every target and emotion the patient's card has had, with the dates they applied."""
    patient = access_patient_diary(request, patient_id)
    items: list[Target | Emotion] = [*patient.diary_targets.all(), *patient.diary_emotions.all()]
    return [_dated(item) for item in items]


@router.post(
    "/patients/{patient_id}/diary/targets",
    response={201: DatedItemOut},
    operation_id="add_diary_target",
)
@operation("accounts.use_app", object_perm="diary.configure_card")
def add_diary_target(
    request: AuthenticatedRequest, patient_id: str, payload: TargetIn
) -> Status[dict[str, Any]]:
    patient = _configurable(request, patient_id)
    target = actions.add_target(
        request.user,
        patient,
        name=payload.name,
        kind=payload.kind,
        asks_detail=payload.asks_detail,
        starting=local_today(patient.time_zone),
    )
    return Status(201, _dated(target))


@router.post(
    "/patients/{patient_id}/diary/emotions",
    response={201: DatedItemOut},
    operation_id="add_diary_emotion",
)
@operation("accounts.use_app", object_perm="diary.configure_card")
def add_diary_emotion(
    request: AuthenticatedRequest, patient_id: str, payload: EmotionIn
) -> Status[dict[str, Any]]:
    patient = _configurable(request, patient_id)
    emotion = actions.add_emotion(
        request.user, patient, name=payload.name, starting=local_today(patient.time_zone)
    )
    return Status(201, _dated(emotion))


@router.post(
    "/patients/{patient_id}/diary/items/{item_id}/retire",
    response=DatedItemOut,
    operation_id="retire_diary_item",
)
@operation("accounts.use_app", object_perm="diary.configure_card")
def retire_diary_item(
    request: AuthenticatedRequest, patient_id: str, item_id: str
) -> dict[str, Any]:
    patient = _configurable(request, patient_id)
    item = access_card_item(patient, item_id)
    retired = actions.retire_item(request.user, item, from_day=local_today(patient.time_zone))
    return _dated(retired)

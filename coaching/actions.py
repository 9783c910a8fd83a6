"""Every write of the coaching app: asking, answering and replying, closing, coaching hours."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User, validate_time_zone
from care.models import CareTeamMember, Patient, TeamRole
from coaching.hours import answer_due, is_available
from coaching.models import (
    AWAY_MESSAGE_MAX,
    DISTRESS_MAX,
    INTENSITY_MAX,
    MESSAGE_MAX,
    OTHER_SKILLS_MAX,
    SITUATION_MAX,
    Availability,
    AvailabilityWindow,
    CoachingMessage,
    CoachingRequest,
    RequestSource,
    RequestStatus,
)
from core.actions import ActionError, action, enqueue_after_commit
from safety.risk import evaluate_coaching_request
from skills.coach import EMOTIONS, URGES
from skills.models import Skill

#: At most this many weekly windows, and this far ahead for "away until".
MAX_WINDOWS = 28
MAX_AWAY = timedelta(days=366)


def therapist_for(patient: Patient) -> User | None:
    """The patient's individual therapist: the clinician in the primary-therapist place of
    their current care team (the longest-standing one if there are several)."""
    place = (
        CareTeamMember.objects.current()
        .select_related("member")
        .filter(
            patient=patient,
            team_role=TeamRole.PRIMARY_THERAPIST,
            member__role=Role.CLINICIAN,
            member__is_active=True,
        )
        .order_by("added_at", "id")
        .first()
    )
    return place.member if place is not None else None


def _rating(value: int, top: int, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
        raise ActionError(_("Choose a number from 0 to %(top)d.") % {"top": top}, field=field)


@action
def ask_for_coaching(
    actor: User,
    patient: Patient,
    *,
    distress: int,
    emotion: str,
    emotion_intensity: int,
    urge: str,
    urge_intensity: int,
    situation: str = "",
    skills_tried: Sequence[Skill] = (),
    other_skills: str = "",
    client_token: uuid.UUID | None = None,
    source: str = RequestSource.WEB,
) -> CoachingRequest:
    """Send a coaching request to the patient's therapist.

    With a ``client_token`` (the page form's), the same token returns the request it made
    the first time instead of sending a second one.
    """
    if client_token is not None:
        earlier = CoachingRequest.objects.filter(patient=patient, client_token=client_token)
        found = earlier.first()
        if found is not None:
            return found
    _rating(distress, DISTRESS_MAX, "distress")
    _rating(emotion_intensity, INTENSITY_MAX, "emotion_intensity")
    _rating(urge_intensity, INTENSITY_MAX, "urge_intensity")
    if emotion not in dict(EMOTIONS):
        raise ActionError(_("Choose one of the feelings listed."), field="emotion")
    if urge not in dict(URGES):
        raise ActionError(_("Choose one of the urges listed."), field="urge")
    # A rating of "no feeling" or "no urge" has nothing to rate.
    if emotion == "none":
        emotion_intensity = 0
    if urge == "none":
        urge_intensity = 0
    situation = situation.strip()
    if len(situation) > SITUATION_MAX:
        raise ActionError(
            _("Keep this to %(n)d characters.") % {"n": SITUATION_MAX}, field="situation"
        )
    other_skills = other_skills.strip()
    if len(other_skills) > OTHER_SKILLS_MAX:
        raise ActionError(
            _("Keep this to %(n)d characters.") % {"n": OTHER_SKILLS_MAX}, field="other_skills"
        )
    for skill in skills_tried:
        if not skill.is_active or skill.organisation_id not in (None, patient.organisation_id):
            raise ActionError(_("This skill is not in your library."), field="skills_tried")
    therapist = therapist_for(patient)
    if therapist is None:
        raise ActionError(
            _(
                "You have no individual therapist in wisemind yet, so there is nobody to send "
                "this to. If you need help now, use your safety plan or the crisis numbers."
            )
        )
    now = timezone.now()
    availability = (
        Availability.objects.prefetch_related("windows").filter(clinician=therapist).first()
    )
    expected_by = None
    outside = True
    if availability is not None:
        hours = availability.hours()
        outside = not is_available(hours, now)
        expected_by = answer_due(hours, now, timedelta(minutes=availability.answer_within_minutes))
    fields = dict(
        patient=patient,
        recipient=therapist,
        distress=distress,
        emotion=emotion,
        emotion_intensity=emotion_intensity,
        urge=urge,
        urge_intensity=urge_intensity,
        situation=situation,
        other_skills=other_skills,
        created_at=now,
        waiting_since=now,
        expected_by=expected_by,
        outside_hours=outside,
        client_token=client_token,
        source=source,
    )
    try:
        with transaction.atomic():
            coaching_request = CoachingRequest.objects.create(**fields)
    except IntegrityError:
        # The same form sent twice at once: the other copy stored it first.
        if client_token is None:
            raise
        return CoachingRequest.objects.get(patient=patient, client_token=client_token)
    if skills_tried:
        coaching_request.skills_tried.set(
            list({skill.pk: skill for skill in skills_tried}.values())
        )
    # The clinic's risk rules see the request in this transaction, as they see diary cards.
    evaluate_coaching_request(coaching_request)
    from coaching.tasks import send_coaching_notices

    enqueue_after_commit(send_coaching_notices)
    return coaching_request


def _body(body: str) -> str:
    text = body.strip()
    if not text:
        raise ActionError(_("Write a message."), field="body")
    if len(text) > MESSAGE_MAX:
        raise ActionError(_("Keep this to %(n)d characters.") % {"n": MESSAGE_MAX}, field="body")
    return text


def _locked_open(coaching_request: CoachingRequest) -> CoachingRequest:
    locked = CoachingRequest.objects.select_for_update().get(pk=coaching_request.pk)
    if locked.status == RequestStatus.CLOSED:
        raise ActionError(_("This request is closed."))
    return locked


@action
def answer_request(actor: User, coaching_request: CoachingRequest, body: str) -> CoachingMessage:
    """The therapist's (or a team colleague's) message. The first one sets the response time."""
    text = _body(body)
    locked = _locked_open(coaching_request)
    if actor.pk == locked.patient.user_id:
        raise ActionError(_("Patients reply; they do not answer their own request."))
    now = timezone.now()
    fields = ["status", "last_answer_at"]
    if locked.first_response_at is None:
        locked.first_response_at = now
        locked.first_responder = actor
        fields += ["first_response_at", "first_responder"]
    locked.status = RequestStatus.ANSWERED
    locked.last_answer_at = now
    locked.save(update_fields=fields)
    return CoachingMessage.objects.create(
        request=locked, author=actor, from_patient=False, body=text, created_at=now
    )


@action
def reply_to_request(actor: User, coaching_request: CoachingRequest, body: str) -> CoachingMessage:
    """The patient writes in their own request's thread; it waits for the therapist again."""
    text = _body(body)
    locked = _locked_open(coaching_request)
    if actor.pk != locked.patient.user_id:
        raise ActionError(_("Only the person who asked replies here."))
    now = timezone.now()
    if locked.status == RequestStatus.ANSWERED:
        locked.status = RequestStatus.OPEN
        locked.waiting_since = now
        locked.save(update_fields=["status", "waiting_since"])
    return CoachingMessage.objects.create(
        request=locked, author=actor, from_patient=True, body=text, created_at=now
    )


@action
def close_request(actor: User, coaching_request: CoachingRequest) -> CoachingRequest:
    """Close the request: no more messages."""
    locked = _locked_open(coaching_request)
    locked.status = RequestStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.closed_by = actor
    locked.save(update_fields=["status", "closed_at", "closed_by"])
    return locked


@action
def mark_seen_by_patient(actor: User, coaching_request: CoachingRequest) -> None:
    """The patient opened the request: its answers are no longer new."""
    CoachingRequest.objects.filter(pk=coaching_request.pk).update(patient_seen_at=timezone.now())


@dataclass(frozen=True)
class WindowSpec:
    weekday: int
    start: time
    end: time


@action
def set_availability(
    actor: User,
    *,
    time_zone: str,
    windows: Sequence[WindowSpec],
    answer_within_minutes: int = 60,
    away_until: date | None = None,
    away_message: str = "",
) -> Availability:
    """Replace the clinician's coaching hours."""
    try:
        validate_time_zone(time_zone)
    except Exception as exc:
        raise ActionError(_("Choose a time zone from the list."), field="time_zone") from exc
    _rating_range(answer_within_minutes)
    if len(windows) > MAX_WINDOWS:
        raise ActionError(
            _("Give at most %(n)d time windows.") % {"n": MAX_WINDOWS}, field="windows"
        )
    for spec in windows:
        if not 0 <= spec.weekday <= 6:
            raise ActionError(_("Choose a day of the week."), field="windows")
        if not spec.start < spec.end:
            raise ActionError(
                _("Each window starts before it ends, on the same day."), field="windows"
            )
    by_day = sorted(windows, key=lambda spec: (spec.weekday, spec.start))
    for before, after in itertools.pairwise(by_day):
        if before.weekday == after.weekday and after.start < before.end:
            raise ActionError(_("Two windows on the same day overlap."), field="windows")
    away_message = away_message.strip()
    if len(away_message) > AWAY_MESSAGE_MAX:
        raise ActionError(
            _("Keep this to %(n)d characters.") % {"n": AWAY_MESSAGE_MAX}, field="away_message"
        )
    if away_until is not None:
        today = timezone.now().date()
        if away_until > today + MAX_AWAY:
            raise ActionError(_("Choose a date within a year."), field="away_until")
    availability, _created = Availability.objects.update_or_create(
        clinician=actor,
        defaults={
            "time_zone": time_zone,
            "answer_within_minutes": answer_within_minutes,
            "away_until": away_until,
            "away_message": away_message,
        },
    )
    availability.windows.all().delete()
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(
            availability=availability, weekday=spec.weekday, start=spec.start, end=spec.end
        )
        for spec in by_day
    )
    return availability


def _rating_range(minutes: int) -> None:
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 5 <= minutes <= 1440:
        raise ActionError(
            _("Choose from 5 minutes to 1440 minutes (a day)."), field="answer_within_minutes"
        )

"""API operations for coaching: the patient asks and replies; the therapist's inbox, answer
and close; coaching hours."""

from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import PageNumberPagination, paginate

from coaching import actions
from coaching.access import access_own_requests, access_request, own_availability, own_patient
from coaching.actions import WindowSpec
from coaching.models import CoachingMessage, CoachingRequest, RequestSource
from coaching.queries import inbox, patient_requests, with_thread
from coaching.schemas import (
    AskedOut,
    AvailabilityIO,
    InboxItemOut,
    MessageIn,
    MessageOut,
    RequestIn,
    RequestOut,
    SkillRef,
    WindowIO,
)
from core.actions import ActionError
from core.idempotency import idempotent
from core.requests import AuthenticatedRequest
from policy.api import operation
from safety.risk import coaching_source, raised_alert_for
from skills.access import visible_skills

router = Router(tags=["coaching"])


def request_out(found: CoachingRequest, *, thread: bool = False) -> RequestOut:
    response = found.response_time
    return RequestOut(
        id=found.public_id,
        patient=found.patient.public_id,
        patient_name=found.patient.display_name,
        therapist_name=found.recipient.full_name,
        status=found.status,  # type: ignore[arg-type]
        distress=found.distress,
        emotion=found.emotion,
        emotion_intensity=found.emotion_intensity,
        urge=found.urge,
        urge_intensity=found.urge_intensity,
        situation=found.situation,
        skills_tried=[SkillRef(id=s.public_id, name=s.name) for s in found.skills_tried.all()],
        other_skills=found.other_skills,
        created_at=found.created_at,
        expected_by=found.expected_by,
        outside_hours=found.outside_hours,
        first_response_at=found.first_response_at,
        response_seconds=int(response.total_seconds()) if response is not None else None,
        closed_at=found.closed_at,
        messages=[
            MessageOut(
                id=m.public_id,
                from_patient=m.from_patient,
                author_name=m.author.full_name,
                body=m.body,
                created_at=m.created_at,
            )
            for m in found.messages.all()
        ]
        if thread
        else None,
    )


def _loaded(found: CoachingRequest) -> CoachingRequest:
    return with_thread(CoachingRequest.objects.filter(pk=found.pk)).select_related(
        "patient", "recipient"
    )[0]


# --- the patient -----------------------------------------------------------------------------


@router.post("/coaching/requests", response={201: AskedOut}, operation_id="ask_for_coaching")
@operation("coaching.ask")
@idempotent
def ask_for_coaching(request: AuthenticatedRequest, payload: RequestIn) -> Status[AskedOut]:
    """Send a coaching request to the patient's individual therapist. Send an
    ``Idempotency-Key`` so that a retry is stored once."""
    patient = own_patient(request)
    wanted = set(payload.skills_tried)
    skills = list(visible_skills(request.user).filter(public_id__in=wanted))
    if len(skills) != len(wanted):
        raise ActionError("This skill is not in your library.", field="skills_tried")
    found = actions.ask_for_coaching(
        request.user,
        patient,
        distress=payload.distress,
        emotion=payload.emotion,
        emotion_intensity=payload.emotion_intensity,
        urge=payload.urge,
        urge_intensity=payload.urge_intensity,
        situation=payload.situation,
        skills_tried=skills,
        other_skills=payload.other_skills,
        source=RequestSource.API,
    )
    out = request_out(_loaded(found), thread=True).model_dump()
    alerted = raised_alert_for(patient.pk, coaching_source(found))
    return Status(201, AskedOut(**out, show_safety_plan=alerted))


@router.get(
    "/coaching/requests", response=list[RequestOut], operation_id="list_my_coaching_requests"
)
@operation("coaching.ask")
@paginate(PageNumberPagination)
def list_my_coaching_requests(request: AuthenticatedRequest) -> list[RequestOut]:
    """The patient's own requests, newest first (without their threads)."""
    patient = access_own_requests(request)
    return [
        request_out(r) for r in with_thread(patient_requests(patient)).select_related("patient")
    ]


@router.get("/coaching/inbox", response=list[InboxItemOut], operation_id="list_coaching_inbox")
@operation("coaching.view_inbox")
@paginate(PageNumberPagination)
def list_coaching_inbox(request: AuthenticatedRequest) -> list[InboxItemOut]:
    """Requests to the signed-in therapist that are not closed, longest waiting first."""
    now = timezone.now()
    return [
        InboxItemOut(
            id=r.public_id,
            patient=r.patient.public_id,
            patient_name=r.patient.display_name,
            status=r.status,  # type: ignore[arg-type]
            distress=r.distress,
            urge=r.urge,
            urge_intensity=r.urge_intensity,
            created_at=r.created_at,
            waiting_since=r.waiting_since,
            waiting_seconds=int((now - r.waiting_since).total_seconds()),
        )
        for r in inbox(request.user)
    ]


@router.get(
    "/coaching/availability", response=AvailabilityIO, operation_id="get_coaching_availability"
)
@operation("coaching.set_availability")
def get_coaching_availability(request: AuthenticatedRequest) -> AvailabilityIO:
    """The signed-in clinician's coaching hours (empty windows until they set them)."""
    current = own_availability(request)
    if current is None:
        return AvailabilityIO(time_zone=request.user.time_zone)
    return AvailabilityIO(
        time_zone=current.time_zone,
        windows=[
            WindowIO(weekday=w.weekday, start=w.start, end=w.end) for w in current.windows.all()
        ],
        answer_within_minutes=current.answer_within_minutes,
        away_until=current.away_until,
        away_message=current.away_message,
    )


@router.put(
    "/coaching/availability", response=AvailabilityIO, operation_id="set_coaching_availability"
)
@operation("coaching.set_availability")
def set_coaching_availability(
    request: AuthenticatedRequest, payload: AvailabilityIO
) -> AvailabilityIO:
    """Replace the signed-in clinician's coaching hours (times are local to ``time_zone``)."""
    own_availability(request)
    actions.set_availability(
        request.user,
        time_zone=payload.time_zone,
        windows=[WindowSpec(w.weekday, w.start, w.end) for w in payload.windows],
        answer_within_minutes=payload.answer_within_minutes,
        away_until=payload.away_until,
        away_message=payload.away_message,
    )
    return get_coaching_availability(request)


# --- one request -----------------------------------------------------------------------------


@router.get(
    "/coaching/requests/{request_id}", response=RequestOut, operation_id="get_coaching_request"
)
@operation("accounts.use_app", object_perm="coaching.view_requests")
def get_coaching_request(request: AuthenticatedRequest, request_id: str) -> RequestOut:
    """One request with its thread (the patient's own, or a patient on the care team's)."""
    found = access_request(request, request_id)
    return request_out(_loaded(found), thread=True)


@router.post(
    "/coaching/requests/{request_id}/replies",
    response={201: MessageOut},
    operation_id="reply_to_coaching_request",
)
@operation("coaching.ask", object_perm="coaching.reply")
def reply_to_coaching_request(
    request: AuthenticatedRequest, request_id: str, payload: MessageIn
) -> Status[MessageOut]:
    """The patient writes in their own request's thread (not once it is closed)."""
    found = access_request(request, request_id, "coaching.reply")
    message = actions.reply_to_request(request.user, found, payload.body)
    return Status(201, _message_out(message))


@router.post(
    "/coaching/requests/{request_id}/answers",
    response={201: MessageOut},
    operation_id="answer_coaching_request",
)
@operation("coaching.view_inbox", object_perm="coaching.answer")
def answer_coaching_request(
    request: AuthenticatedRequest, request_id: str, payload: MessageIn
) -> Status[MessageOut]:
    """A clinician on the patient's team answers; the first answer sets the response time."""
    found = access_request(request, request_id, "coaching.answer")
    message = actions.answer_request(request.user, found, payload.body)
    return Status(201, _message_out(message))


@router.post(
    "/coaching/requests/{request_id}/close",
    response=RequestOut,
    operation_id="close_coaching_request",
)
@operation("coaching.view_inbox", object_perm="coaching.answer")
def close_coaching_request(request: AuthenticatedRequest, request_id: str) -> RequestOut:
    """Close the request: no more messages."""
    found = access_request(request, request_id, "coaching.answer")
    actions.close_request(request.user, found)
    return request_out(_loaded(found), thread=True)


def _message_out(message: CoachingMessage) -> MessageOut:
    return MessageOut(
        id=message.public_id,
        from_patient=message.from_patient,
        author_name=message.author.full_name,
        body=message.body,
        created_at=message.created_at,
    )

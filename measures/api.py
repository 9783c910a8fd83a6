"""API operations for measurement-based care: the instrument catalogue; the patient's
questionnaires (save answers, submit: scored, risk rules applied, ``show_safety_plan``);
the care team's scores, assignments, therapy sessions, recompute and FHIR R4 export; the
clinic's bulk NDJSON."""

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.http import HttpResponse, StreamingHttpResponse
from ninja import Router, Status
from ninja.pagination import PageNumberPagination, paginate

from audit.recording import record_read
from care.models import Patient
from core.idempotency import idempotent
from core.requests import AuthenticatedRequest
from measures import actions
from measures.access import (
    VIEW,
    access_administration,
    access_assignment,
    access_instrument,
    access_patient_results,
    access_patient_sessions,
    access_patient_to_assign,
    access_session,
    own_patient,
)
from measures.definitions import Definition
from measures.fhir import ndjson_lines, patient_bundle
from measures.models import (
    Administration,
    Assignment,
    Instrument,
    LicensedItemText,
    Score,
    TherapySession,
)
from measures.queries import fill_definition, open_questionnaires
from measures.schemas import (
    AnswersIn,
    AssignIn,
    AssignmentOut,
    BandOut,
    ChangeOut,
    InstrumentOut,
    ItemOut,
    OptionOut,
    QuestionnaireOut,
    RecomputedOut,
    ScoreOut,
    SessionIn,
    SessionOut,
    SubmittedOut,
    SubscaleOut,
)
from measures.sessions import instant_to_wall_clock
from measures.summaries import patient_summary
from policy.api import operation

router = Router(tags=["measures"])


def _instrument_out(definition: Definition, has_text: bool) -> InstrumentOut:
    low, high = definition.score_range()
    return InstrumentOut(
        key=definition.key,
        version=definition.version,
        title=definition.title,
        short_title=definition.short_title,
        item_text=definition.item_text,  # type: ignore[arg-type]
        has_item_text=has_text,
        method=definition.scoring.method,  # type: ignore[arg-type]
        range_low=float(low),
        range_high=float(high),
        higher_is_worse=definition.higher_is_worse,
        bands=[BandOut(lower=float(b.lower), label=b.label) for b in definition.bands],
        licence=definition.licence,
        citation=definition.citation,
    )


def _questionnaire_out(administration: Administration) -> QuestionnaireOut:
    definition = fill_definition(administration)
    return QuestionnaireOut(
        id=administration.public_id,
        instrument=definition.key,
        short_title=definition.short_title,
        version=definition.version,
        status=administration.status,  # type: ignore[arg-type]
        due_at=administration.due_at,
        closes_at=administration.closes_at,
        submitted_at=administration.submitted_at,
        instructions=definition.instructions,
        answers=administration.answers,
        items=[
            ItemOut(
                id=item.id,
                text=item.text,
                options=[
                    OptionOut(value=o.value, label=o.label) for o in definition.options_of(item)
                ],
                required=item.required,
                scored=item.scored,
            )
            for item in definition.items
        ],
    )


def _score_out(score: Score) -> ScoreOut:
    detail = score.detail or {}
    return ScoreOut(
        id=score.public_id,
        questionnaire=score.administration.public_id,
        instrument=score.instrument.key,
        version=score.version.version,
        value=score.value,
        band=score.band,
        prorated=bool(detail.get("prorated")),
        reason=str(detail.get("reason") or ""),
        observed_at=score.observed_at,
        subscales=[
            SubscaleOut(id=s["id"], title=s["title"], score=s["score"])
            for s in detail.get("subscales", [])
        ],
        change={k: ChangeOut(**v) for k, v in (score.change or {}).items()},
    )


def _assignment_out(assignment: Assignment) -> AssignmentOut:
    return AssignmentOut(
        id=assignment.public_id,
        instrument=assignment.instrument.key,
        frequency=assignment.frequency,  # type: ignore[arg-type]
        every=assignment.every,
        hours_before=assignment.hours_before,
        next_due_at=assignment.next_due_at,
        created_at=assignment.created_at,
        stopped_at=assignment.stopped_at,
    )


def _session_out(session: TherapySession, time_zone: str) -> SessionOut:
    local = instant_to_wall_clock(session.starts_at, ZoneInfo(time_zone))
    return SessionOut(
        id=session.public_id,
        starts_at=session.starts_at,
        local_start=local.isoformat(timespec="minutes"),
        time_zone=time_zone,
        note=session.note,
        created_at=session.created_at,
        cancelled_at=session.cancelled_at,
    )


# --- the catalogue ---------------------------------------------------------------------------


@router.get("/measures/instruments", response=list[InstrumentOut], operation_id="list_instruments")
@operation("measures.view_instruments")
def list_instruments(request: AuthenticatedRequest) -> list[InstrumentOut]:
    """Every instrument with its newest definition's scoring, bands, licence and citation;
    ``has_item_text`` says whether it can be given to the user's clinic's patients."""
    licensed = set(
        LicensedItemText.objects.filter(organisation=request.user.organisation).values_list(
            "instrument_id", flat=True
        )
    )
    out = []
    for instrument in Instrument.objects.filter(is_active=True).prefetch_related("versions"):
        newest = max(instrument.versions.all(), key=lambda v: (v.loaded_at, v.pk))
        usable = instrument.item_text == "public" or instrument.pk in licensed
        out.append(_instrument_out(newest.parsed(), usable))
    return out


@router.get("/measures/instruments/{key}", response=InstrumentOut, operation_id="get_instrument")
@operation("measures.view_instruments")
def get_instrument(request: AuthenticatedRequest, key: str) -> InstrumentOut:
    instrument = access_instrument(request, key)
    has_text = instrument.item_text == "public" or (
        LicensedItemText.objects.filter(
            organisation=request.user.organisation, instrument=instrument
        ).exists()
    )
    return _instrument_out(actions.current_version(instrument).parsed(), has_text)


# --- the patient -----------------------------------------------------------------------------


@router.get(
    "/measures/questionnaires",
    response=list[QuestionnaireOut],
    operation_id="list_my_questionnaires",
)
@operation("measures.fill_own")
def list_my_questionnaires(request: AuthenticatedRequest) -> list[QuestionnaireOut]:
    """The signed-in patient's questionnaires that are due and not yet sent."""
    patient = own_patient(request)
    waiting = list(open_questionnaires(patient).select_related("patient"))
    return [_questionnaire_out(a) for a in waiting]


@router.get(
    "/measures/questionnaires/{questionnaire_id}",
    response=QuestionnaireOut,
    operation_id="get_questionnaire",
)
@operation("accounts.use_app", object_perm="measures.view_results")
def get_questionnaire(request: AuthenticatedRequest, questionnaire_id: str) -> QuestionnaireOut:
    """One questionnaire with its items and the answers so far (the patient's own, or a
    patient's on the user's care team)."""
    return _questionnaire_out(access_administration(request, questionnaire_id))


@router.put(
    "/measures/questionnaires/{questionnaire_id}/answers",
    response=QuestionnaireOut,
    operation_id="save_questionnaire_answers",
)
@operation("measures.fill_own")
def save_questionnaire_answers(
    request: AuthenticatedRequest, questionnaire_id: str, payload: AnswersIn
) -> QuestionnaireOut:
    """Keep the answers so far (merged with earlier ones); the patient finishes later."""
    administration = access_administration(request, questionnaire_id, own=True)
    saved = actions.save_answers(request.user, administration, payload.answers)
    saved.patient = administration.patient
    return _questionnaire_out(saved)


@router.post(
    "/measures/questionnaires/{questionnaire_id}/submit",
    response={200: SubmittedOut},
    operation_id="submit_questionnaire",
)
@operation("measures.fill_own")
@idempotent
def submit_questionnaire(
    request: AuthenticatedRequest, questionnaire_id: str, payload: AnswersIn
) -> Status[SubmittedOut]:
    """Send the questionnaire (with any last answers): it is scored and the clinic's risk
    rules look at it. ``show_safety_plan`` is true when an answer raised an alert. Sending
    again answers the same; send an ``Idempotency-Key`` to make a retry safe."""
    administration = access_administration(request, questionnaire_id, own=True)
    done = actions.submit_administration(request.user, administration, payload.answers)
    definition = administration.version.parsed()
    return Status(
        200,
        SubmittedOut(
            id=administration.public_id,
            score=done.score.value,
            summary=patient_summary(definition, done.score.value, done.score.band),
            show_safety_plan=done.alerted,
        ),
    )


# --- the care team ---------------------------------------------------------------------------


@router.get(
    "/measures/patients/{patient_id}/scores",
    response=list[ScoreOut],
    operation_id="list_patient_scores",
)
@operation("accounts.use_app", object_perm="measures.view_results")
@paginate(PageNumberPagination)
def list_patient_scores(request: AuthenticatedRequest, patient_id: str) -> list[ScoreOut]:
    """The patient's current scores, oldest first, with reliable change against the
    baseline and the previous score. Support for clinical judgement, not a diagnosis."""
    patient = access_patient_results(request, patient_id)
    scores = Score.objects.select_related("administration", "instrument", "version").filter(
        patient=patient, is_current=True
    )
    return [_score_out(s) for s in scores.order_by("observed_at", "id")]


@router.get(
    "/measures/patients/{patient_id}/assignments",
    response=list[AssignmentOut],
    operation_id="list_assignments",
)
@operation("accounts.use_app", object_perm="measures.view_results")
def list_assignments(request: AuthenticatedRequest, patient_id: str) -> list[AssignmentOut]:
    patient = access_patient_results(request, patient_id)
    found = Assignment.objects.select_related("instrument").filter(patient=patient)
    return [_assignment_out(a) for a in found]


@router.post(
    "/measures/patients/{patient_id}/assignments",
    response={201: AssignmentOut},
    operation_id="assign_questionnaire",
)
@operation("accounts.use_app", object_perm="measures.assign")
@idempotent
def assign_questionnaire(
    request: AuthenticatedRequest, patient_id: str, payload: AssignIn
) -> Status[AssignmentOut]:
    """Ask the patient to fill in an instrument once, every N days or weeks, or before each
    therapy session (``hours_before`` it starts; it closes when the session starts); the
    first questionnaire is due at once (before each session: when the next one opens)."""
    patient = access_patient_to_assign(request, patient_id)
    instrument = access_instrument(request, payload.instrument)
    assignment = actions.assign_instrument(
        request.user,
        patient,
        instrument,
        frequency=payload.frequency,
        every=payload.every,
        hours_before=payload.hours_before,
    )
    return Status(201, _assignment_out(assignment))


@router.post(
    "/measures/patients/{patient_id}/assignments/{assignment_id}/stop",
    response=AssignmentOut,
    operation_id="stop_assignment",
)
@operation("accounts.use_app", object_perm="measures.assign")
def stop_assignment(
    request: AuthenticatedRequest, patient_id: str, assignment_id: str
) -> AssignmentOut:
    patient = access_patient_to_assign(request, patient_id)
    assignment = access_assignment(patient, assignment_id)
    return _assignment_out(actions.stop_assignment(request.user, assignment))


@router.get(
    "/measures/patients/{patient_id}/sessions",
    response=list[SessionOut],
    operation_id="list_sessions",
)
@operation("accounts.use_app", object_perm="measures.view_results")
@paginate(PageNumberPagination)
def list_sessions(request: AuthenticatedRequest, patient_id: str) -> list[SessionOut]:
    """The patient's therapy sessions, soonest first (cancelled ones too)."""
    patient = access_patient_results(request, patient_id)
    found = TherapySession.objects.filter(patient=patient).order_by("starts_at", "id")
    return [_session_out(s, patient.time_zone) for s in found]


@router.post(
    "/measures/patients/{patient_id}/sessions",
    response={201: SessionOut},
    operation_id="add_session",
)
@operation("accounts.use_app", object_perm="measures.manage_sessions")
@idempotent
def add_session(
    request: AuthenticatedRequest, patient_id: str, payload: SessionIn
) -> Status[SessionOut]:
    """Book a therapy session; questionnaires assigned "before each session" follow."""
    patient = access_patient_sessions(request, patient_id)
    session = actions.add_session(request.user, patient, payload.starts_at, payload.note)
    return Status(201, _session_out(session, patient.time_zone))


@router.put(
    "/measures/patients/{patient_id}/sessions/{session_id}",
    response=SessionOut,
    operation_id="change_session",
)
@operation("accounts.use_app", object_perm="measures.manage_sessions")
def change_session(
    request: AuthenticatedRequest, patient_id: str, session_id: str, payload: SessionIn
) -> SessionOut:
    """Move a session or change its note; a questionnaire not yet started moves with it."""
    patient = access_patient_sessions(request, patient_id)
    session = access_session(request, patient, session_id)
    changed = actions.change_session(request.user, session, payload.starts_at, payload.note)
    return _session_out(changed, patient.time_zone)


@router.post(
    "/measures/patients/{patient_id}/sessions/{session_id}/cancel",
    response={200: SessionOut},
    operation_id="cancel_session",
)
@operation("accounts.use_app", object_perm="measures.manage_sessions")
@idempotent
def cancel_session(
    request: AuthenticatedRequest, patient_id: str, session_id: str
) -> Status[SessionOut]:
    """Cancel a session: its questionnaire is withdrawn unless the patient has started it.
    Cancelling again answers the same."""
    patient = access_patient_sessions(request, patient_id)
    session = access_session(request, patient, session_id)
    return Status(
        200, _session_out(actions.cancel_session(request.user, session), patient.time_zone)
    )


@router.post(
    "/measures/patients/{patient_id}/recompute",
    response=RecomputedOut,
    operation_id="recompute_scores",
)
@operation("accounts.use_app", object_perm="measures.assign")
def recompute_scores(request: AuthenticatedRequest, patient_id: str) -> RecomputedOut:
    """Score the patient's questionnaires again with the newest definitions; earlier scores
    stay, with the version they were computed by."""
    patient = access_patient_to_assign(request, patient_id)
    return RecomputedOut(added=actions.recompute_scores(request.user, patient))


@router.get(
    "/measures/patients/{patient_id}/fhir",
    response=dict[str, object],
    operation_id="export_patient_fhir",
)
@operation("accounts.use_app", object_perm="measures.view_results")
def export_patient_fhir(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    """The patient's questionnaires, responses and scores as a FHIR R4 ``Bundle``
    (validated with ``fhir.resources``; R4B models, wire-compatible with R4)."""
    import json

    patient = access_patient_results(request, patient_id)
    return HttpResponse(
        json.dumps(patient_bundle(patient), ensure_ascii=False),
        content_type="application/fhir+json",
    )


@router.get("/measures/fhir/clinic.ndjson", operation_id="export_clinic_ndjson")
@operation("measures.export_clinic")
def export_clinic_ndjson(request: AuthenticatedRequest) -> StreamingHttpResponse:
    """Every questionnaire, response and score of the administrator's clinic as FHIR bulk
    NDJSON (one resource per line). Each patient's read is recorded in the access log."""
    patients = list(
        Patient.objects.filter(
            organisation=request.user.organisation, administrations__status="submitted"
        )
        .distinct()
        .order_by("id")
    )
    for patient in patients:
        record_read(request, resource=VIEW, patient=patient, object_id="fhir-bulk-export")

    def lines() -> Iterator[str]:
        for line in ndjson_lines(patients):
            yield line + "\n"

    return StreamingHttpResponse(lines(), content_type="application/fhir+ndjson")

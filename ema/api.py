"""API operations for check-ins (EMA): the patient's open prompts, answers, settings and web
push; the clinician's schedules, compliance and answers."""

from datetime import time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from care.models import Patient
from core.actions import ActionError
from core.idempotency import idempotent
from core.requests import AuthenticatedRequest
from ema import actions
from ema.access import (
    access_managed_schedule,
    access_own_ema,
    access_own_prompt,
    access_patient_ema,
)
from ema.models import EmaSettings, PromptResponse, Schedule
from ema.push import vapid_keys
from ema.queries import Compliance, compliance, local_today, open_prompts, questionnaires_for
from ema.schemas import (
    AnsweredOut,
    AnswerOut,
    AnswersIn,
    ComplianceOut,
    ComplianceQuery,
    ComplianceRowOut,
    OpenPromptOut,
    PushEndpointIn,
    PushKeyOut,
    PushSubscriptionIn,
    PushSubscriptionOut,
    QuestionnaireOut,
    ResponseOut,
    ScheduleIn,
    ScheduleOut,
    ScheduleUpdateIn,
    SettingsIn,
    SettingsOut,
)
from policy.api import operation

router = Router(tags=["ema"])

#: Schedule fields that cannot be emptied; ``null`` for them in an update means "keep".
_REQUIRED_SCHEDULE_FIELDS = frozenset(actions.SCHEDULE_FIELDS) - {"end_date"}


def _clock(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def _parse_clock(value: str | None) -> time | None:
    return time.fromisoformat(value) if value is not None else None


def _settings_out(settings: EmaSettings) -> SettingsOut:
    return SettingsOut(
        sleep_start=_clock(settings.sleep_start),
        sleep_end=_clock(settings.sleep_end),
        push_enabled=settings.push_enabled,
        email_enabled=settings.email_enabled,
    )


def _schedule_fields(values: dict[str, Any]) -> dict[str, Any]:
    fields = {
        name: value
        for name, value in values.items()
        if value is not None or name not in _REQUIRED_SCHEDULE_FIELDS
    }
    if fields.get("windows") is not None:
        fields["windows"] = [list(window) for window in fields["windows"]]
    return fields


def _compliance_row(row: Compliance) -> ComplianceRowOut:
    return ComplianceRowOut(
        schedule_id=row.schedule.public_id if row.schedule else None,
        kind=row.schedule.kind if row.schedule else None,
        due=row.due,
        on_time=row.on_time,
        late=row.late,
        missed=row.missed,
        rate=row.rate,
    )


# --- the patient's own check-ins -----------------------------------------------------------------


@router.get("/ema/prompts/open", response=list[OpenPromptOut], operation_id="list_open_prompts")
@operation("ema.answer_own_prompts")
def list_open_prompts(request: AuthenticatedRequest) -> list[OpenPromptOut]:
    """Check-ins waiting for an answer, newest first. ``late`` ones can be answered until the
    end of their day."""
    patient = access_own_ema(request)
    now = timezone.now()
    return [
        OpenPromptOut(
            id=prompt.public_id,
            scheduled_at=prompt.scheduled_at,
            expires_at=prompt.expires_at,
            late=prompt.expires_at <= now,
            questionnaire=QuestionnaireOut(
                id=prompt.questionnaire.public_id,
                name=prompt.questionnaire.name,
                questions=prompt.questionnaire.questions,
            ),
        )
        for prompt in open_prompts(patient, now)
    ]


@router.post(
    "/ema/prompts/{prompt_id}/response",
    response={201: AnsweredOut},
    operation_id="answer_prompt",
)
@operation("ema.answer_own_prompts")
@idempotent
def answer_prompt(
    request: AuthenticatedRequest, prompt_id: str, payload: AnswersIn
) -> Status[AnsweredOut]:
    """Answer a check-in, once. Send an ``Idempotency-Key`` so that a retry is stored once.
    A problem with one answer is reported under ``answers.<question id>``."""
    prompt = access_own_prompt(request, prompt_id)
    response = actions.answer_prompt(request.user, prompt, payload.answers)
    answered = AnswerOut.from_orm(response).model_dump()
    return Status(201, AnsweredOut(**answered, show_safety_plan=response.alerted))


@router.get("/ema/settings", response=SettingsOut, operation_id="get_ema_settings")
@operation("ema.answer_own_prompts")
def get_ema_settings(request: AuthenticatedRequest) -> SettingsOut:
    patient = access_own_ema(request)
    settings = EmaSettings.objects.filter(patient=patient).first() or EmaSettings(patient=patient)
    return _settings_out(settings)


@router.put("/ema/settings", response=SettingsOut, operation_id="update_ema_settings")
@operation("ema.answer_own_prompts")
def update_ema_settings(request: AuthenticatedRequest, payload: SettingsIn) -> SettingsOut:
    """Quiet hours (no check-in falls inside them; coming ones are planned again) and
    reminders."""
    patient = access_own_ema(request)
    settings = actions.save_settings(
        request.user,
        patient,
        sleep_start=_parse_clock(payload.sleep_start),
        sleep_end=_parse_clock(payload.sleep_end),
        push_enabled=payload.push_enabled,
        email_enabled=payload.email_enabled,
    )
    return _settings_out(settings)


@router.get("/ema/push/key", response=PushKeyOut, operation_id="push_public_key")
@operation("ema.answer_own_prompts")
def push_public_key(request: AuthenticatedRequest) -> PushKeyOut:
    """The key a browser subscribes to web push with; 404 when web push is not set up."""
    keys = vapid_keys()
    if keys is None:
        raise HttpError(404, _("Phone notifications are not set up on this server."))
    return PushKeyOut(public_key=keys.public_key)


@router.post(
    "/ema/push/subscriptions", response={201: PushSubscriptionOut}, operation_id="register_push"
)
@operation("ema.answer_own_prompts")
def register_push(
    request: AuthenticatedRequest, payload: PushSubscriptionIn
) -> Status[PushSubscriptionOut]:
    """Send check-in notifications to this browser (registering it again is harmless)."""
    subscription = actions.register_push(
        request.user,
        endpoint=payload.endpoint,
        p256dh=payload.keys.p256dh,
        auth=payload.keys.auth,
    )
    return Status(201, PushSubscriptionOut.from_orm(subscription))


@router.delete("/ema/push/subscriptions", response={204: None}, operation_id="unregister_push")
@operation("ema.answer_own_prompts")
def unregister_push(request: AuthenticatedRequest, payload: PushEndpointIn) -> Status[None]:
    """Stop notifications to this browser (204 also when it was not registered)."""
    actions.unregister_push(request.user, payload.endpoint)
    return Status(204, None)


# --- clinicians ----------------------------------------------------------------------------------


def _managed_patient(request: AuthenticatedRequest, patient_id: str) -> Patient:
    patient = access_patient_ema(request, patient_id)
    if not request.user.has_perm("ema.manage_schedules", patient):
        raise Http404
    return patient


def _schedules(patient: Patient) -> QuerySet[Schedule]:
    return Schedule.objects.filter(patient=patient).select_related("questionnaire")


@router.get(
    "/patients/{patient_id}/ema/schedules",
    response=list[ScheduleOut],
    operation_id="list_ema_schedules",
)
@operation("accounts.use_app", object_perm="ema.view_responses")
def list_ema_schedules(request: AuthenticatedRequest, patient_id: str) -> QuerySet[Schedule]:
    """The patient's check-in schedules, active ones first."""
    return _schedules(access_patient_ema(request, patient_id))


@router.post(
    "/patients/{patient_id}/ema/schedules",
    response={201: ScheduleOut},
    operation_id="create_ema_schedule",
)
@operation("accounts.use_app", object_perm="ema.manage_schedules")
@idempotent
def create_ema_schedule(
    request: AuthenticatedRequest, patient_id: str, payload: ScheduleIn
) -> Status[ScheduleOut]:
    """Give the patient a schedule; today's and the next days' prompts are planned at once.
    Times are the patient's local wall-clock times."""
    patient = _managed_patient(request, patient_id)
    fields = _schedule_fields(payload.model_dump(exclude={"questionnaire_id"}))
    fields["start_date"] = fields.get("start_date") or local_today(patient)
    if payload.questionnaire_id is not None:
        chosen = {q.public_id: q for q in questionnaires_for(patient.organisation_id)}
        if payload.questionnaire_id not in chosen:
            raise ActionError(
                _("Choose a questionnaire of this organisation."), field="questionnaire_id"
            )
        fields["questionnaire"] = chosen[payload.questionnaire_id]
    schedule = actions.create_schedule(request.user, patient, **fields)
    return Status(201, ScheduleOut.from_orm(_schedules(patient).get(pk=schedule.pk)))


@router.put(
    "/patients/{patient_id}/ema/schedules/{schedule_id}",
    response=ScheduleOut,
    operation_id="update_ema_schedule",
)
@operation("accounts.use_app", object_perm="ema.manage_schedules")
def update_ema_schedule(
    request: AuthenticatedRequest, patient_id: str, schedule_id: str, payload: ScheduleUpdateIn
) -> Schedule:
    """Change a schedule (fields left out keep their value); coming prompts are planned again."""
    patient = _managed_patient(request, patient_id)
    schedule = access_managed_schedule(request, patient, schedule_id)
    actions.update_schedule(
        request.user, schedule, **_schedule_fields(payload.model_dump(exclude_unset=True))
    )
    return _schedules(patient).get(pk=schedule.pk)


@router.post(
    "/patients/{patient_id}/ema/schedules/{schedule_id}/stop",
    response=ScheduleOut,
    operation_id="stop_ema_schedule",
)
@operation("accounts.use_app", object_perm="ema.manage_schedules")
def stop_ema_schedule(request: AuthenticatedRequest, patient_id: str, schedule_id: str) -> Schedule:
    """No more prompts from this schedule; answered and missed ones stay."""
    patient = _managed_patient(request, patient_id)
    schedule = access_managed_schedule(request, patient, schedule_id)
    actions.stop_schedule(request.user, schedule)
    return _schedules(patient).get(pk=schedule.pk)


@router.get(
    "/patients/{patient_id}/ema/compliance",
    response=ComplianceOut,
    operation_id="ema_compliance",
)
@operation("accounts.use_app", object_perm="ema.view_responses")
def ema_compliance(
    request: AuthenticatedRequest, patient_id: str, query: Query[ComplianceQuery]
) -> ComplianceOut:
    """Per schedule and in total over the last ``days`` days: prompts due (answered, or their
    answer window closed), answered on time, answered late, missed, and the answered share."""
    patient = access_patient_ema(request, patient_id)
    now = timezone.now()
    *rows, total = compliance(patient, days=query.days, now=now)
    return ComplianceOut(
        days=query.days,
        since=now - timedelta(days=query.days),
        until=now,
        schedules=[_compliance_row(row) for row in rows],
        total=_compliance_row(total),
    )


@router.get(
    "/patients/{patient_id}/ema/responses",
    response=list[ResponseOut],
    operation_id="list_ema_responses",
)
@operation("accounts.use_app", object_perm="ema.view_responses")
@paginate(PageNumberPagination)
def list_ema_responses(request: AuthenticatedRequest, patient_id: str) -> QuerySet[PromptResponse]:
    """The patient's answers, newest first."""
    patient = access_patient_ema(request, patient_id)
    return (
        PromptResponse.objects.filter(prompt__patient=patient)
        .select_related("prompt__questionnaire")
        .order_by("-submitted_at", "-id")
    )

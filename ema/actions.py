"""Every write to EMA schedules, settings, prompts, answers and push subscriptions."""

from __future__ import annotations

from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from care.models import Patient
from core.actions import ActionError, action
from core.appends import append
from ema import questionnaires
from ema.models import (
    EmaSettings,
    Prompt,
    PromptResponse,
    PromptStatus,
    PushSubscription,
    Questionnaire,
    Schedule,
    ScheduleKind,
)
from ema.planning import plan_schedule, replan
from ema.schedules import validate
from safety.risk import evaluate_ema_response


def default_questionnaire() -> Questionnaire:
    """The shared momentary questionnaire (created on first use)."""
    questionnaire, _created = Questionnaire.objects.get_or_create(
        organisation=None,
        slug=questionnaires.DEFAULT_SLUG,
        version=1,
        defaults={
            "name": questionnaires.DEFAULT_NAME,
            "questions": questionnaires.DEFAULT_QUESTIONS,
        },
    )
    return questionnaire


def _check(schedule: Schedule) -> None:
    if schedule.end_date and schedule.end_date < schedule.start_date:
        raise ActionError(_("The last day is before the first."), field="end_date")
    if not 5 <= schedule.expires_after_minutes <= 24 * 60:
        raise ActionError(
            _("Allow from 5 minutes to 24 hours to answer."), field="expires_after_minutes"
        )
    field = "times" if schedule.kind == ScheduleKind.FIXED else "windows"
    if schedule.kind == ScheduleKind.INTERVAL and len(schedule.windows) != 1:
        raise ActionError(_("Give one window to prompt in at intervals."), field=field)
    try:
        problems = validate(schedule.rule())
    except (TypeError, ValueError, IndexError) as exc:
        raise ActionError(_("The times are not valid: %(e)s") % {"e": exc}, field=field) from exc
    if problems:
        raise ActionError(problems[0], field=field)


SCHEDULE_FIELDS = (
    "kind",
    "times",
    "windows",
    "prompts_per_window",
    "min_gap_minutes",
    "every_minutes",
    "start_date",
    "end_date",
    "expires_after_minutes",
)


@action
def create_schedule(
    actor: User, patient: Patient, *, questionnaire: Questionnaire | None = None, **fields: Any
) -> Schedule:
    questionnaire = questionnaire or default_questionnaire()
    if questionnaire.organisation_id not in (None, patient.organisation_id):
        raise ActionError(_("Choose a questionnaire of this organisation."), field="questionnaire")
    schedule = Schedule(
        patient=patient,
        questionnaire=questionnaire,
        created_by=actor,
        **{name: fields[name] for name in SCHEDULE_FIELDS if name in fields},
    )
    _check(schedule)
    schedule.save()
    plan_schedule(schedule)
    return schedule


@action
def update_schedule(actor: User, schedule: Schedule, **fields: Any) -> Schedule:
    questionnaire = fields.get("questionnaire")
    if questionnaire is not None:
        if questionnaire.organisation_id not in (None, schedule.patient.organisation_id):
            raise ActionError(
                _("Choose a questionnaire of this organisation."), field="questionnaire"
            )
        schedule.questionnaire = questionnaire
    for name in SCHEDULE_FIELDS:
        if name in fields:
            setattr(schedule, name, fields[name])
    _check(schedule)
    schedule.save()
    replan(Schedule.objects.filter(pk=schedule.pk))
    return schedule


@action
def stop_schedule(actor: User, schedule: Schedule) -> Schedule:
    """No more prompts: future ones are cancelled; answered and missed ones stay."""
    if schedule.active:
        schedule.active = False
        schedule.save(update_fields=["active", "updated_at"])
        Prompt.objects.filter(
            schedule=schedule, status=PromptStatus.PLANNED, scheduled_at__gt=timezone.now()
        ).update(status=PromptStatus.CANCELLED)
    return schedule


@action
def save_settings(
    actor: User,
    patient: Patient,
    *,
    sleep_start: time | None,
    sleep_end: time | None,
    push_enabled: bool,
    email_enabled: bool,
) -> EmaSettings:
    if (sleep_start is None) != (sleep_end is None):
        raise ActionError(_("Give both when you go to sleep and when you wake."), field="sleep_end")
    settings, _created = EmaSettings.objects.get_or_create(patient=patient)
    changed_sleep = (settings.sleep_start, settings.sleep_end) != (sleep_start, sleep_end)
    settings.sleep_start, settings.sleep_end = sleep_start, sleep_end
    settings.push_enabled, settings.email_enabled = push_enabled, email_enabled
    settings.save()
    if changed_sleep:
        replan(patient.ema_schedules.filter(active=True))
    return settings


def answerable_until(prompt: Prompt) -> date:
    """A prompt may still be answered (late) until the end of its local day."""
    return prompt.scheduled_at.astimezone(ZoneInfo(prompt.patient.time_zone)).date()


@action
def answer_prompt(actor: User, prompt: Prompt, answers: dict[str, Any]) -> PromptResponse:
    """Record the answers; late if the prompt had expired. Runs the risk rules.

    The prompt is taken for this answer by one conditional update, which also locks its
    row until the transaction ends: a second answer at the same time waits, then finds it
    answered. ``prompt`` needs only its schedule data, patient and questionnaire (its
    status is read again by that update).
    """
    now = timezone.now()
    local_now = now.astimezone(ZoneInfo(prompt.patient.time_zone)).date()
    if local_now > answerable_until(prompt):
        raise ActionError(_("This check-in closed at the end of its day."))
    is_late = now > prompt.expires_at
    taken = (
        Prompt.objects.filter(pk=prompt.pk, scheduled_at__lte=now)
        .exclude(status__in=[PromptStatus.ANSWERED, PromptStatus.CANCELLED])
        .update(status=PromptStatus.ANSWERED, answered_at=now, is_late=is_late, claimed_at=None)
    )
    if not taken:
        if Prompt.objects.filter(pk=prompt.pk, status=PromptStatus.ANSWERED).exists():
            raise ActionError(_("This check-in is already answered."))
        raise ActionError(_("This check-in is not open."))
    cleaned = questionnaires.clean_answers(prompt.questionnaire.questions, answers)
    prompt.status, prompt.answered_at, prompt.is_late = PromptStatus.ANSWERED, now, is_late
    prompt.claimed_at = None
    response = PromptResponse(prompt=prompt, answers=cleaned, submitted_at=now, answered_by=actor)
    # Nothing reads the answer back before the commit: inside an API submission it goes to
    # the database with the idempotency record (``core.appends``).
    append(response)
    response.alerted = bool(evaluate_ema_response(response))
    return response


@action
def register_push(actor: User, *, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={"user": actor, "p256dh": p256dh, "auth": auth, "revoked_at": None, "failures": 0},
    )
    return subscription


@action
def unregister_push(actor: User, endpoint: str) -> int:
    return PushSubscription.objects.filter(user=actor, endpoint=endpoint).update(
        revoked_at=timezone.now()
    )

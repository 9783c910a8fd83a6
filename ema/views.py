"""Pages: the patient's open check-ins, answering one, their settings; the clinician's EMA page
(schedules, compliance, coming prompts, answers) and schedule editing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from care.models import Patient
from core.actions import ActionError
from core.forms import add_action_error
from core.requests import AuthenticatedRequest
from ema import actions
from ema.access import (
    access_managed_schedule,
    access_own_ema,
    access_own_prompt,
    access_patient_ema,
)
from ema.forms import AnswerForm, ScheduleForm, SettingsForm, describe_times, describe_windows
from ema.models import EmaSettings, Prompt, PromptResponse, PromptStatus, Schedule, ScheduleKind
from ema.queries import (
    Compliance,
    compliance,
    local_today,
    open_prompts,
    questionnaires_for,
    recent_responses,
)
from policy.routes import page
from safety.flow import show_safety_plan

#: The compliance table covers this many days.
COMPLIANCE_DAYS = 28
#: How many coming prompts the clinician's page lists.
UPCOMING = 12


@dataclass(frozen=True)
class OpenCheckin:
    prompt: Prompt
    late: bool


# --- the patient --------------------------------------------------------------------------------


@page("ema.answer_own_prompts")
def pending(request: AuthenticatedRequest) -> HttpResponse:
    patient = access_own_ema(request)
    now = timezone.now()
    checkins = [OpenCheckin(p, p.expires_at <= now) for p in open_prompts(patient, now)]
    return render(request, "ema/pending.html", {"patient": patient, "checkins": checkins})


@page("ema.answer_own_prompts")
def answer(request: AuthenticatedRequest, prompt_id: str) -> HttpResponse:
    prompt = access_own_prompt(request, prompt_id)
    now = timezone.now()
    if prompt.status == PromptStatus.CANCELLED or prompt.scheduled_at > now:
        raise Http404
    if prompt.status == PromptStatus.ANSWERED:
        messages.info(request, _("You have already answered this check-in. Thank you."))
        return redirect("ema:pending")
    if local_today(prompt.patient, now) > actions.answerable_until(prompt):
        messages.info(request, _("This check-in closed at the end of its day."))
        return redirect("ema:pending")
    posted = request.method == "POST"
    form = AnswerForm(request.POST if posted else None, questions=prompt.questionnaire.questions)
    if posted and form.is_valid():
        try:
            response = actions.answer_prompt(request.user, prompt, form.answers())
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            if response.alerted:
                return show_safety_plan(request)
            messages.success(request, _("Thank you. Your answers are saved."))
            return redirect("ema:pending")
    context = {
        "prompt": prompt,
        "patient": prompt.patient,
        "form": form,
        "late": prompt.expires_at <= now,
    }
    return render(request, "ema/answer.html", context)


@page("ema.answer_own_prompts")
def settings(request: AuthenticatedRequest) -> HttpResponse:
    patient = access_own_ema(request)
    current = EmaSettings.objects.filter(patient=patient).first()
    posted = request.method == "POST"
    form = SettingsForm(
        request.POST if posted else None, initial=SettingsForm.initial_from(current)
    )
    if posted and form.is_valid():
        try:
            actions.save_settings(request.user, patient, **form.cleaned_data)
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            messages.success(request, _("Saved. Check-ins follow your new settings."))
            return redirect("ema:settings")
    return render(request, "ema/settings.html", {"form": form})


# --- clinicians ----------------------------------------------------------------------------------


def describe_schedule(schedule: Schedule) -> str:
    """When a schedule asks, in a few words: "09:00, 13:00"; "2 per window in 09:00-12:00 …"."""
    if schedule.kind == ScheduleKind.FIXED:
        return describe_times(schedule.times)
    windows = describe_windows(schedule.windows)
    if schedule.kind == ScheduleKind.INTERVAL:
        return _("every %(n)d min, %(windows)s") % {
            "n": schedule.every_minutes,
            "windows": windows,
        }
    return _("%(n)d per window in %(windows)s, at least %(gap)d min apart") % {
        "n": schedule.prompts_per_window,
        "windows": windows,
        "gap": schedule.min_gap_minutes,
    }


@dataclass(frozen=True)
class ComplianceRow:
    label: str
    row: Compliance

    @property
    def percent(self) -> int | None:
        rate = self.row.rate
        return None if rate is None else round(rate * 100)


@dataclass(frozen=True)
class AnswerRow:
    response: PromptResponse
    cells: list[str]


def _answer_text(question: dict[str, Any], value: Any) -> str:
    if value is None:
        return "–"
    if question["type"] in {"choice", "multi"}:
        labels = {o["value"]: str(o["label"]) for o in question["options"]}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, str(v)) for v in values) or "–"
    return str(value)


def answers_table(responses: list[PromptResponse]) -> tuple[list[str], list[AnswerRow]]:
    """Column headings (every question asked, in order) and one row of answers per response."""
    questions: dict[str, dict[str, Any]] = {}
    for response in responses:
        for question in response.prompt.questionnaire.questions:
            questions.setdefault(question["id"], question)
    headings = [str(q.get("short") or q["text"]) for q in questions.values()]
    rows = [
        AnswerRow(
            response,
            [_answer_text(q, response.answers.get(qid)) for qid, q in questions.items()],
        )
        for response in responses
    ]
    return headings, rows


def _patient_context(patient: Patient) -> dict[str, Any]:
    now = timezone.now()
    schedules = list(Schedule.objects.filter(patient=patient))
    described = {schedule.pk: describe_schedule(schedule) for schedule in schedules}
    *per_schedule, total = compliance(patient, days=COMPLIANCE_DAYS, now=now)
    compliance_rows = [
        ComplianceRow(
            f"{row.schedule.get_kind_display()}: {described[row.schedule.pk]}"
            if row.schedule
            else "",
            row,
        )
        for row in per_schedule
    ]
    upcoming = list(
        Prompt.objects.filter(patient=patient, status=PromptStatus.PLANNED, scheduled_at__gt=now)
        .select_related("schedule")
        .order_by("scheduled_at")[:UPCOMING]
    )
    headings, answer_rows = answers_table(list(recent_responses(patient)))
    return {
        "patient": patient,
        "schedules": [(schedule, described[schedule.pk]) for schedule in schedules],
        "compliance_rows": compliance_rows,
        "compliance_total": ComplianceRow(_("All schedules"), total),
        "compliance_days": COMPLIANCE_DAYS,
        "upcoming": upcoming,
        "answer_headings": headings,
        "answer_rows": answer_rows,
    }


@page("accounts.use_app", object_perm="ema.view_responses")
def patient_ema(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    patient = access_patient_ema(request, patient_id)
    can_manage = request.user.has_perm("ema.manage_schedules", patient)
    posted = request.method == "POST"
    if posted and not can_manage:
        raise Http404
    form = None
    if can_manage:
        form = ScheduleForm(
            request.POST if posted else None,
            initial={"start_date": local_today(patient)},
            questionnaires=questionnaires_for(patient.organisation_id),
        )
    if posted and form is not None and form.is_valid():
        try:
            actions.create_schedule(request.user, patient, **form.schedule_fields())
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            messages.success(request, _("The schedule is on; its coming check-ins are planned."))
            return redirect("ema:patient", patient_id=patient.public_id)
    context = {**_patient_context(patient), "form": form, "can_manage": can_manage}
    return render(request, "ema/patient.html", context)


@page("accounts.use_app", object_perm="ema.manage_schedules")
def schedule(request: AuthenticatedRequest, patient_id: str, schedule_id: str) -> HttpResponse:
    patient = access_patient_ema(request, patient_id)
    chosen = access_managed_schedule(request, patient, schedule_id)
    posted = request.method == "POST" and chosen.active
    form = ScheduleForm(
        request.POST if posted else None,
        initial=ScheduleForm.initial_from(chosen),
        questionnaires=questionnaires_for(patient.organisation_id),
    )
    if posted and form.is_valid():
        try:
            actions.update_schedule(request.user, chosen, **form.schedule_fields())
        except ActionError as exc:
            add_action_error(form, exc)
            chosen.refresh_from_db()  # the action tried the new values on it
        else:
            messages.success(request, _("Saved; the coming check-ins are planned again."))
            return redirect("ema:patient", patient_id=patient.public_id)
    context = {
        "patient": patient,
        "schedule": chosen,
        "description": describe_schedule(chosen),
        "form": form,
    }
    return render(request, "ema/schedule.html", context)


@require_POST
@page("accounts.use_app", object_perm="ema.manage_schedules")
def stop_schedule(request: AuthenticatedRequest, patient_id: str, schedule_id: str) -> HttpResponse:
    patient = access_patient_ema(request, patient_id)
    chosen = access_managed_schedule(request, patient, schedule_id)
    actions.stop_schedule(request.user, chosen)
    messages.success(request, _("The schedule has stopped; no more check-ins come from it."))
    return redirect("ema:patient", patient_id=patient.public_id)

"""Pages: the patient asks, reads and replies; the therapist's inbox, a request (answer,
close) and coaching hours."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from care.crisis import crisis_resources
from coaching import actions
from coaching.access import access_own_requests, access_request, own_availability, own_patient
from coaching.forms import AskForm, AvailabilityForm, MessageForm, spans_text
from coaching.hours import is_available, next_available
from coaching.models import Availability, CoachingRequest, RequestSource, RequestStatus, Weekday
from coaching.queries import (
    describe_hours,
    format_duration,
    inbox,
    median_response_time,
    patient_requests,
    skill_choices,
    skills_practised_today,
    with_thread,
)
from core.actions import ActionError
from core.forms import add_action_error
from core.requests import AuthenticatedRequest
from policy.routes import page
from safety.flow import show_safety_plan
from safety.risk import coaching_source, raised_alert_for
from skills.views import safety_plan_url

if TYPE_CHECKING:
    from accounts.models import User

# --- the patient -----------------------------------------------------------------------------


@page("coaching.ask")
def mine(request: AuthenticatedRequest) -> HttpResponse:
    patient = access_own_requests(request)
    requests = list(patient_requests(patient))
    context = {
        "requests": requests,
        "new_answers": sum(r.has_new_answer for r in requests),
        "has_therapist": actions.therapist_for(patient) is not None,
        "crisis": crisis_resources(patient.organisation),
        "safety_plan_url": safety_plan_url(),
    }
    return render(request, "coaching/mine.html", context)


@page("coaching.ask")
def ask(request: AuthenticatedRequest) -> HttpResponse:
    patient = own_patient(request)
    skills = skill_choices(request.user)
    today = skills_practised_today(patient)
    form = AskForm(
        request.POST if request.method == "POST" else None,
        skills=skills,
        initial={"skills_tried": [s.public_id for s in today]},
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            found = actions.ask_for_coaching(
                request.user,
                patient,
                distress=data["distress"],
                emotion=data["emotion"],
                emotion_intensity=data["emotion_intensity"],
                urge=data["urge"],
                urge_intensity=data["urge_intensity"],
                situation=data["situation"],
                skills_tried=list(data["skills_tried"]),
                other_skills=data["other_skills"],
                client_token=data["token"],
                source=RequestSource.WEB,
            )
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            messages.success(request, _("Your request was sent to your therapist."))
            if raised_alert_for(patient.pk, coaching_source(found)):
                # The urge matched one of the clinic's risk rules: the care team has an
                # alert; the patient sees their safety plan and the crisis numbers at once.
                return show_safety_plan(request)
            return redirect("coaching:request", request_id=found.public_id)
    today_ids = {s.pk for s in today}
    context = {
        "form": form,
        "today_options": [o for o in _options(form) if o[1] in today_ids],
        "more_options": [o for o in _options(form) if o[1] not in today_ids],
        "has_therapist": actions.therapist_for(patient) is not None,
        "crisis": crisis_resources(patient.organisation),
        "safety_plan_url": safety_plan_url(),
    }
    return render(request, "coaching/ask.html", context)


def _options(form: AskForm) -> list[tuple[Any, int]]:
    """The skills checkboxes with each one's skill id, to split today's from the rest."""
    field = form.fields["skills_tried"]
    assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101
    assert field.queryset is not None  # noqa: S101
    ids = {str(s.public_id): s.pk for s in field.queryset}
    return [(box, ids[str(box.data["value"])]) for box in form["skills_tried"]]


def _hours_context(availability: Availability | None) -> dict[str, Any]:
    now = timezone.now()
    hours = availability.hours() if availability is not None else None
    return {
        "availability": availability,
        "hours_lines": describe_hours(availability),
        "available_now": hours is not None and is_available(hours, now),
        "next_available": next_available(hours, now) if hours is not None else None,
        "away": hours is not None
        and hours.away_until is not None
        and hours.away_until >= now.astimezone(hours.zone).date(),
    }


def _render_request(
    request: AuthenticatedRequest,
    found: CoachingRequest,
    form: MessageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    found = with_thread(CoachingRequest.objects.filter(pk=found.pk)).select_related(
        "patient__organisation", "recipient", "closed_by", "first_responder"
    )[0]
    availability = (
        Availability.objects.prefetch_related("windows").filter(clinician=found.recipient).first()
    )
    is_patient = found.patient.user_id == request.user.pk
    hours = _hours_context(availability)
    context: dict[str, Any] = {
        "req": found,
        "thread": list(found.messages.all()),
        "skills": list(found.skills_tried.all()),
        "form": form or MessageForm(),
        "response_time": format_duration(found.response_time),
        "waiting": format_duration(timezone.now() - found.waiting_since),
        "crisis": crisis_resources(found.patient.organisation),
        "safety_plan_url": safety_plan_url(),
        **hours,
    }
    if is_patient:
        context["show_crisis"] = found.urgent_urge or (
            found.status == RequestStatus.OPEN and not hours["available_now"]
        )
        return render(request, "coaching/request_patient.html", context, status=status)
    context["can_answer"] = request.user.has_perm("coaching.answer", found.patient)
    return render(request, "coaching/request_clinician.html", context, status=status)


@page("accounts.use_app", object_perm="coaching.view_requests")
def request_page(request: AuthenticatedRequest, request_id: str) -> HttpResponse:
    found = access_request(request, request_id)
    if found.patient.user_id == request.user.pk and found.has_new_answer:
        actions.mark_seen_by_patient(request.user, found)
    return _render_request(request, found)


def _post_message(
    request: AuthenticatedRequest,
    found: CoachingRequest,
    send: Callable[[User, CoachingRequest, str], object],
    sent: str,
) -> HttpResponse:
    """A message in the request's thread (the patient's reply or the therapist's answer)."""
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            send(request.user, found, form.cleaned_data["body"])
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            messages.success(request, sent)
            return redirect("coaching:request", request_id=found.public_id)
    return _render_request(request, found, form, status=400)


@require_POST
@page("coaching.ask", object_perm="coaching.reply")
def reply(request: AuthenticatedRequest, request_id: str) -> HttpResponse:
    found = access_request(request, request_id, "coaching.reply")
    return _post_message(request, found, actions.reply_to_request, _("Your reply was sent."))


# --- the therapist ---------------------------------------------------------------------------


@require_POST
@page("coaching.view_inbox", object_perm="coaching.answer")
def answer(request: AuthenticatedRequest, request_id: str) -> HttpResponse:
    found = access_request(request, request_id, "coaching.answer")
    return _post_message(request, found, actions.answer_request, _("Your answer was sent."))


@require_POST
@page("coaching.view_inbox", object_perm="coaching.answer")
def close(request: AuthenticatedRequest, request_id: str) -> HttpResponse:
    found = access_request(request, request_id, "coaching.answer")
    try:
        actions.close_request(request.user, found)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The request is closed."))
    return redirect("coaching:request", request_id=found.public_id)


@page("coaching.view_inbox")
def inbox_page(request: AuthenticatedRequest) -> HttpResponse:
    now = timezone.now()
    rows = list(inbox(request.user))
    waiting = [(r, format_duration(now - r.waiting_since)) for r in rows if r.status == "open"]
    answered = [r for r in rows if r.status == RequestStatus.ANSWERED]
    context = {
        "waiting": waiting,
        "answered": answered,
        "median": format_duration(median_response_time(request.user, now)),
        **_hours_context(own_availability(request)),
    }
    return render(request, "coaching/inbox.html", context)


@page("coaching.set_availability")
def availability(request: AuthenticatedRequest) -> HttpResponse:
    current = own_availability(request)
    windows = list(current.windows.all()) if current is not None else []
    initial: dict[str, Any] = {
        "time_zone": current.time_zone if current else request.user.time_zone,
        "answer_within_minutes": current.answer_within_minutes if current else 60,
        "away_until": current.away_until if current else None,
        "away_message": current.away_message if current else "",
        **{f"day_{d.value}": spans_text(windows, d.value) for d in Weekday},
    }
    form = AvailabilityForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            actions.set_availability(request.user, **form.action_kwargs())
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            messages.success(request, _("Your coaching hours are saved."))
            return redirect("coaching:availability")
    return render(request, "coaching/availability.html", {"form": form, "current": current})

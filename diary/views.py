"""Pages: the patient's card for today (or yesterday), recent days, the clinician's week grid."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from care.access import access_patient
from care.models import Patient
from core.actions import ActionError
from core.forms import add_action_error
from core.requests import AuthenticatedRequest
from diary import actions
from diary.access import access_card_item, access_own_diary, access_patient_diary
from diary.cards import editable_days, local_today
from diary.charts import sparklines
from diary.defaults import SKILLS_SCALE
from diary.forms import AddEmotionForm, AddTargetForm, CardForm
from diary.models import Emotion, Target
from diary.queries import (
    recent_days,
    template_for,
    trend,
    week_grid,
    week_start,
    weekly_summary,
)
from ema.queries import open_prompts
from policy.routes import page
from safety.flow import safety_plan_pending, show_safety_plan
from safety.risk import diary_source, raised_alert_for


def _day(value: str) -> date:
    day = parse_date(value)
    if day is None:
        raise Http404
    return day


@page("diary.fill_own_card")
def today(request: AuthenticatedRequest) -> HttpResponse:
    patient = access_own_diary(request)
    return _card_page(request, patient, local_today(patient.time_zone))


@page("diary.fill_own_card")
def card(request: AuthenticatedRequest, day: str) -> HttpResponse:
    patient = access_own_diary(request)
    return _card_page(request, patient, _day(day))


def _card_page(request: AuthenticatedRequest, patient: Patient, day: date) -> HttpResponse:
    if request.method == "GET" and (to_plan := safety_plan_pending(request)):
        return to_plan
    actions.ensure_card_items(request.user, patient)
    yesterday, today_ = editable_days(patient.time_zone)
    if day > today_:
        raise Http404
    editable = yesterday <= day <= today_
    template = template_for(patient, day)
    form = CardForm(
        request.POST if editable and request.method == "POST" else None,
        targets=template["targets"],
        emotions=template["emotions"],
        card=template["card"],
    )
    if editable and request.method == "POST" and form.is_valid():
        try:
            # The form does not ask "filled in during a session": keep what the card says.
            values = replace(
                form.to_values(),
                filled_in_session=bool(template["card"] and template["card"].filled_in_session),
            )
            saved = actions.save_card(
                request.user, patient, day, values, mode=actions.SaveMode.EDIT
            )
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            if raised_alert_for(patient.pk, diary_source(saved)):
                # What the card says matched one of the clinic's risk rules: the care team
                # has been told; the patient sees their plan and the crisis numbers at once.
                return show_safety_plan(request)
            messages.success(request, _("Saved. Thank you for filling in your card."))
            return redirect("diary:card", day=day.isoformat())
    context = {
        "day": day,
        "today": today_,
        "yesterday": yesterday,
        "editable": editable,
        "form": form,
        "card": template["card"],
        # A day a target behaviour was acted on: the card offers a chain analysis of it.
        "acted_on": bool(template["card"])
        and any(row.acted for row in template["card"].targets.all())
        and request.user.has_perm("chains.write_own"),
        "recent": recent_days(patient, today_),
        "skills_scale": SKILLS_SCALE,
        # A banner at the top: a check-in waiting is part of the patient's home page.
        "open_checkins": (
            open_prompts(patient).count() if request.user.has_perm("ema.answer_own_prompts") else 0
        ),
    }
    return render(request, "diary/card.html", context)


# --- clinicians ----------------------------------------------------------------------------------


@page("accounts.use_app", object_perm="diary.view_cards")
def week(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    patient = access_patient_diary(request, patient_id)
    today_ = local_today(patient.time_zone)
    asked = parse_date(request.GET.get("week", "")) or today_
    monday = week_start(asked)
    grid = week_grid(patient, monday)
    dates, series = trend(patient, min(grid.sunday, today_))
    context = {
        "patient": patient,
        "grid": grid,
        "today": today_,
        "has_next": grid.next <= today_,
        "chart": sparklines(dates, series),
        "trend_from": dates[0],
        "trend_to": dates[-1],
        "can_configure": request.user.has_perm("diary.configure_card", patient),
        "skills_scale": SKILLS_SCALE,
    }
    return render(request, "diary/week.html", context)


@page("accounts.use_app", object_perm="diary.configure_card")
def settings(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    patient = access_patient_diary(request, patient_id)
    if not request.user.has_perm("diary.configure_card", patient):
        raise Http404
    actions.ensure_card_items(request.user, patient)
    starting = local_today(patient.time_zone)
    target_form = AddTargetForm(request.POST if "add_target" in request.POST else None)
    emotion_form = AddEmotionForm(request.POST if "add_emotion" in request.POST else None)
    if request.method == "POST":
        try:
            if target_form.is_bound and target_form.is_valid():
                actions.add_target(
                    request.user, patient, starting=starting, **target_form.cleaned_data
                )
                messages.success(request, _("The target is on the card from today."))
                return redirect("diary:settings", patient_id=patient.public_id)
            if emotion_form.is_bound and emotion_form.is_valid():
                actions.add_emotion(
                    request.user, patient, starting=starting, **emotion_form.cleaned_data
                )
                messages.success(request, _("The emotion is on the card from today."))
                return redirect("diary:settings", patient_id=patient.public_id)
        except ActionError as exc:
            add_action_error(target_form if target_form.is_bound else emotion_form, exc)
    context = {
        "patient": patient,
        "targets": Target.objects.filter(patient=patient).order_by("retired_on", "position"),
        "emotions": Emotion.objects.filter(patient=patient).order_by("retired_on", "position"),
        "target_form": target_form,
        "emotion_form": emotion_form,
        "today": starting,
    }
    return render(request, "diary/settings.html", context)


@require_POST
@page("accounts.use_app", object_perm="diary.configure_card")
def retire(request: AuthenticatedRequest, patient_id: str, item_id: str) -> HttpResponse:
    patient = access_patient_diary(request, patient_id)
    if not request.user.has_perm("diary.configure_card", patient):
        raise Http404
    item = access_card_item(patient, item_id)
    actions.retire_item(request.user, item, from_day=local_today(patient.time_zone))
    messages.success(
        request,
        _("“%(name)s” is off the card from today; earlier cards keep it.") % {"name": item.name},
    )
    return redirect(reverse("diary:settings", kwargs={"patient_id": patient.public_id}))


# --- supporters ----------------------------------------------------------------------------------


@page("care.view_shared_with_me", object_perm="care.view_shared_diary_summary")
def shared_summary(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    """The weekly summary a patient chose to share: cards filled and skills used, no ratings."""
    patient = access_patient(request, patient_id, "care.view_shared_diary_summary")
    summary = weekly_summary(patient, local_today(patient.time_zone))
    return render(request, "diary/shared_summary.html", {"patient": patient, "summary": summary})

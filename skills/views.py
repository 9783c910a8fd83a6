"""Pages: the library, a skill, favourites, the practice log, the coach, a clinic's own
skill, and the care team's view of a patient's practice."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.actions import ActionError
from core.forms import add_action_error
from core.requests import AuthenticatedRequest
from policy.routes import page
from skills import actions, coach
from skills.access import (
    access_own_practices,
    access_patient_practices,
    access_skill,
    own_patient,
    visible_skills,
)
from skills.forms import ClinicSkillForm, CoachForm, LibraryFilterForm, PracticeForm
from skills.models import PracticeSource
from skills.queries import (
    LibraryQuery,
    coach_histories,
    is_favourite,
    library,
    practice_summary,
    recent_practices,
)


def safety_plan_url() -> str:
    """The patient's safety plan, or the crisis page where there is no safety plan page."""
    try:
        return reverse("safety:plan")
    except NoReverseMatch:
        return reverse("crisis")


@page("skills.view_library")
def library_page(request: AuthenticatedRequest) -> HttpResponse:
    can_practise = request.user.has_perm("skills.practise")
    form = LibraryFilterForm(request.GET or None, show_favourites=can_practise)
    query = LibraryQuery()
    if form.is_bound and form.is_valid():
        query = LibraryQuery(
            text=form.cleaned_data["q"],
            module=form.cleaned_data["module"],
            situation=form.cleaned_data["situation"],
            favourites_only=form.cleaned_data.get("favourites", False),
        )
    patient = own_patient(request) if can_practise else None
    context = {
        "form": form,
        "skills": library(request.user, query, patient),
        "filtered": query != LibraryQuery(),
        "can_practise": can_practise,
        "can_add": request.user.has_perm("skills.add_clinic_skill"),
    }
    return render(request, "skills/library.html", context)


@page("skills.view_library")
def detail(request: AuthenticatedRequest, skill_id: str) -> HttpResponse:
    skill = access_skill(request, skill_id)
    can_practise = request.user.has_perm("skills.practise")
    context = {
        "skill": skill,
        "can_practise": can_practise,
        "favourite": can_practise and is_favourite(own_patient(request), skill),
    }
    return render(request, "skills/detail.html", context)


@require_POST
@page("skills.practise")
def favourite(request: AuthenticatedRequest, skill_id: str) -> HttpResponse:
    skill = access_skill(request, skill_id)
    starred = request.POST.get("favourite") == "1"
    actions.set_favourite(request.user, own_patient(request), skill, favourite=starred)
    if starred:
        messages.success(request, _("Added to your favourites."))
    else:
        messages.success(request, _("Removed from your favourites."))
    return redirect("skills:detail", skill_id=skill.public_id)


@page("skills.practise")
def practise(request: AuthenticatedRequest, skill_id: str) -> HttpResponse:
    skill = access_skill(request, skill_id)
    patient = own_patient(request)
    # The time is read and shown on the patient's clock (their diary's days), which can differ
    # from the zone in their account settings: parsing in one and showing in the other would
    # move every practice by the difference, onto the wrong card near midnight.
    with timezone.override(patient.time_zone):
        form = PracticeForm(
            request.POST if request.method == "POST" else None,
            initial={"practised_at": timezone.localtime().replace(second=0, microsecond=0)},
        )
        if request.method == "POST" and form.is_valid():
            try:
                practice = actions.record_practice(
                    request.user, patient, skill, source=PracticeSource.WEB, **form.cleaned_data
                )
            except ActionError as exc:
                add_action_error(form, exc)
            else:
                if practice.on_card:
                    messages.success(request, _("Saved, and added to that day's diary card."))
                else:
                    messages.success(request, _("Saved in your practice log."))
                return redirect("skills:my_practice")
        return render(request, "skills/practise.html", {"skill": skill, "form": form})


@page("skills.practise")
def my_practice(request: AuthenticatedRequest) -> HttpResponse:
    patient = access_own_practices(request)
    context = {
        "patient": patient,
        "summary": practice_summary(patient),
        "recent": recent_practices(patient),
    }
    return render(request, "skills/my_practice.html", context)


@page("skills.practise")
def coach_page(request: AuthenticatedRequest) -> HttpResponse:
    # Sent by POST: how someone feels stays out of URLs, browser history and server logs.
    form = CoachForm(request.POST if request.method == "POST" else None)
    advice = None
    skills = {}
    if form.is_bound and form.is_valid():
        patient = access_own_practices(request)
        builtin = {s.slug: s for s in visible_skills(request.user).filter(organisation=None)}
        advice = coach.advise(
            coach.State(**form.cleaned_data), coach_histories(patient), frozenset(builtin)
        )
        skills = {p.slug: builtin[p.slug] for p in advice.proposals}
    context = {
        "form": form,
        "advice": advice,
        "proposals": [(p, skills[p.slug]) for p in advice.proposals] if advice else [],
        "safety_plan_url": safety_plan_url(),
    }
    return render(request, "skills/coach.html", context)


@page("skills.add_clinic_skill")
def add_clinic_skill(request: AuthenticatedRequest) -> HttpResponse:
    form = ClinicSkillForm(request.POST if request.method == "POST" else None)
    organisation = request.user.organisation
    if form.is_bound and form.is_valid() and organisation is not None:
        try:
            skill = actions.add_clinic_skill(request.user, organisation, **form.cleaned_data)
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            messages.success(request, _("The skill is in your clinic's library."))
            return redirect("skills:detail", skill_id=skill.public_id)
    return render(request, "skills/clinic_skill_form.html", {"form": form})


@page("accounts.use_app", object_perm="skills.view_practices")
def patient_practices(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    patient = access_patient_practices(request, patient_id)
    context = {
        "patient": patient,
        "summary": practice_summary(patient),
        "recent": recent_practices(patient),
    }
    return render(request, "skills/patient_practices.html", context)

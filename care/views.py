"""Pages for the crisis page, patients, care teams, supporters and break-glass access."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from care import actions
from care.access import (
    access_care_team_member,
    access_own_patient_profile,
    access_own_supporter_link,
    access_patient,
    access_shared_link,
)
from care.crisis import crisis_resources, default_organisation
from care.forms import (
    BreakGlassForm,
    CareTeamAddForm,
    InvitePatientForm,
    PatientForm,
    SharingForm,
    SupporterInviteForm,
)
from care.models import CareTeamMember, Patient, SupporterLink, TeamRole
from care.queries import caseload_for, patients_for_admin, search_patients
from core.actions import ActionError
from core.forms import add_action_error
from core.pagination import paginate
from core.requests import AuthenticatedRequest
from policy.routes import page, public

# --- crisis ---------------------------------------------------------------------------------


@public
def crisis(request: HttpRequest) -> HttpResponse:
    user = request.user
    organisation = user.organisation if user.is_authenticated else default_organisation()
    context = {
        "crisis": crisis_resources(organisation),
        "can_configure": user.is_authenticated and user.has_perm("accounts.manage_organisation"),
        "has_safety_plan": user.is_authenticated and user.has_perm("safety.use_own_plan"),
    }
    return render(request, "care/crisis.html", context)


# --- patient ------------------------------------------------------------------------------------


def _current_team(patient: Patient) -> list[CareTeamMember]:
    return list(patient.care_team.current().select_related("member"))


@page("care.view_own_care")
def me(request: AuthenticatedRequest) -> HttpResponse:
    patient = access_own_patient_profile(request)
    context = {
        "patient": patient,
        "team": _current_team(patient),
        "supporters": patient.supporter_links.current().select_related("supporter"),
    }
    return render(request, "care/me.html", context)


@page("care.manage_own_supporters")
def my_supporters(request: AuthenticatedRequest) -> HttpResponse:
    patient = access_own_patient_profile(request)
    form = SupporterInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            link = actions.invite_supporter(request.user, patient, **form.cleaned_data)
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is invited. They see only what you chose to share.")
                % {"name": link.supporter.full_name},
            )
            return redirect("care:my_supporters")
    links = patient.supporter_links.current().select_related("supporter")
    return render(request, "care/my_supporters.html", {"form": form, "links": links})


@page("care.manage_own_supporters", object_perm="own supporter link")
def supporter_sharing(request: AuthenticatedRequest, link_id: str) -> HttpResponse:
    link = access_own_supporter_link(request, link_id)
    form = SharingForm(request.POST or None, initial={"scopes": link.scopes})
    if request.method == "POST" and form.is_valid():
        actions.update_sharing(request.user, link, scopes=form.cleaned_data["scopes"])
        messages.success(request, _("Your sharing choices are saved. They apply at once."))
        return redirect("care:my_supporters")
    return render(request, "care/supporter_sharing.html", {"form": form, "link": link})


@require_POST
@page("care.manage_own_supporters", object_perm="own supporter link")
def supporter_withdraw(request: AuthenticatedRequest, link_id: str) -> HttpResponse:
    link = access_own_supporter_link(request, link_id)
    actions.withdraw_supporter(request.user, link)
    messages.success(
        request,
        _("%(name)s no longer sees anything you shared.") % {"name": link.supporter.full_name},
    )
    return redirect("care:my_supporters")


# --- supporter ------------------------------------------------------------------------------


@page("care.view_shared_with_me")
def shared_list(request: AuthenticatedRequest) -> HttpResponse:
    links = SupporterLink.objects.current().filter(supporter=request.user).select_related("patient")
    return render(request, "care/shared_list.html", {"links": links})


@page("care.view_shared_with_me", object_perm="care.view_as_supporter")
def shared_detail(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    link = access_shared_link(request, patient_id)
    patient = link.patient
    team = None
    if request.user.has_perm("care.view_shared_care_team", patient):
        team = _current_team(patient)
    context = {
        "patient": patient,
        "link": link,
        "team": team,
        "crisis": crisis_resources(patient.organisation),
    }
    return render(request, "care/shared_detail.html", context)


# --- clinicians and facilitators ---------------------------------------------------------------
# The caseload page (``care:caseload``) is the clinician dashboard's: dashboard/views.py.


@page("care.view_facilitation")
def facilitation(request: AuthenticatedRequest) -> HttpResponse:
    rows = caseload_for(request.user, team_roles=[TeamRole.SKILLS_TRAINER])
    return render(request, "care/facilitation.html", {"rows": rows})


@page("accounts.use_app", object_perm="care.view_patient")
def patient_detail(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    patient = access_patient(request, patient_id, "care.view_patient")
    context = {
        "patient": patient,
        "team": _current_team(patient),
        "supporter_count": patient.supporter_links.current().count(),
        "can_manage": request.user.has_perm("care.manage_care_team", patient),
        "can_view_diary": request.user.has_perm("diary.view_cards", patient),
        "can_view_ema": request.user.has_perm("ema.view_responses", patient),
        "can_view_skills": request.user.has_perm("skills.view_practices", patient),
        "can_view_safety_plan": request.user.has_perm("safety.view_plan", patient),
        "can_view_chains": request.user.has_perm("chains.view", patient),
        "can_view_measures": request.user.has_perm("measures.view_results", patient),
        "can_request_report": request.user.has_perm("reports.request", patient),
        "can_view_analytics": request.user.has_perm("analytics.view_patient", patient),
    }
    return render(request, "care/patient_detail.html", context)


# --- patient administration ---------------------------------------------------------------------


@page("care.list_patients")
def patient_list(request: AuthenticatedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    paged = paginate(request, search_patients(patients_for_admin(request.user), query))
    return render(request, "care/patient_list.html", {"query": query, **paged.context()})


@page("care.create_patient")
def patient_new(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    organisation = user.organisation
    if organisation is None:  # whoever may create patients belongs to an organisation
        raise Http404
    form = PatientForm(request.POST or None, initial={"time_zone": organisation.time_zone})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        invite = data.pop("invite")
        try:
            patient = actions.create_patient_and_invite(
                user, organisation=organisation, invite=invite, **data
            )
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            messages.success(request, _("%(name)s is added.") % {"name": patient.display_name})
            return redirect("care:patient_manage", patient_id=patient.public_id)
    return render(request, "care/patient_new.html", {"form": form})


@page("care.list_patients", object_perm="care.view_patient_admin")
def patient_manage(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    patient = access_patient(request, patient_id, "care.view_patient_admin")
    user = request.user
    form = CareTeamAddForm(request.POST or None, organisation_id=patient.organisation_id)
    if request.method == "POST":
        if not user.has_perm("care.manage_care_team", patient):
            return redirect("care:patient_manage", patient_id=patient.public_id)
        if form.is_valid():
            try:
                actions.add_to_care_team(user, patient, **form.cleaned_data)
            except ActionError as exc:
                add_action_error(form, exc)
            else:
                messages.success(request, _("The care team is updated."))
                return redirect("care:patient_manage", patient_id=patient.public_id)
    context = {
        "patient": patient,
        "team": _current_team(patient),
        "form": form,
        "invite_form": InvitePatientForm(initial={"email": patient.email}),
        "can_break_glass": user.has_perm("care.break_glass", patient),
    }
    return render(request, "care/patient_manage.html", context)


@require_POST
@page("care.list_patients", object_perm="care.manage_care_team")
def team_remove(request: AuthenticatedRequest, patient_id: str, member_id: str) -> HttpResponse:
    patient = access_patient(request, patient_id, "care.manage_care_team")
    membership = access_care_team_member(request, patient, member_id)
    actions.remove_from_care_team(request.user, membership)
    messages.success(
        request,
        _("%(name)s is no longer on the care team.") % {"name": membership.member.full_name},
    )
    return redirect("care:patient_manage", patient_id=patient.public_id)


@require_POST
@page("care.list_patients", object_perm="care.invite_patient")
def patient_invite(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    patient = access_patient(request, patient_id, "care.invite_patient")
    form = InvitePatientForm(request.POST)
    if not form.is_valid():
        # Never fall back to the stored address when the one typed here is mistyped.
        messages.error(request, " ".join(str(error) for error in form.errors["email"]))
        return redirect("care:patient_manage", patient_id=patient.public_id)
    email = form.cleaned_data["email"]
    try:
        actions.invite_patient(request.user, patient, email=email)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The invitation is on its way."))
    return redirect("care:patient_manage", patient_id=patient.public_id)


@page("care.list_patients", object_perm="care.break_glass")
def break_glass(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    patient = access_patient(request, patient_id, "care.break_glass")
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.break_glass(request.user, patient, reason=form.cleaned_data["reason"])
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            return redirect("care:patient_detail", patient_id=patient.public_id)
    minutes = int(settings.BREAK_GLASS_DURATION.total_seconds() // 60)
    context = {"form": form, "patient": patient, "minutes": minutes}
    return render(request, "care/break_glass.html", context)

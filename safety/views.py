"""Pages: the patient's safety plan (view, edit), the care team's view, history and edit,
and the parts a supporter is shown."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.recording import record_read
from care.crisis import crisis_resources
from care.models import Patient
from core.actions import ActionError
from core.forms import add_action_error
from core.requests import AuthenticatedRequest
from policy.routes import page
from safety import actions, configure, watch
from safety import alerts as alert_actions
from safety.access import (
    access_alert,
    access_own_plan,
    access_patient_plan,
    access_rule,
    access_shared_plan,
    own_organisation,
)
from safety.flow import safety_plan_shown
from safety.forms import FORM_ORDER, AlertSettingsForm, RuleForm, SafetyPlanForm, WatchForm
from safety.models import RiskRule, SafetyPlanVersion
from safety.plans import PlanContent, Section
from safety.queries import alerts_for, plan_sections
from safety.risk import rules_for


def _plan_context(
    patient: Patient, version: SafetyPlanVersion | None, plan: PlanContent | None = None
) -> dict[str, object]:
    plan = plan if plan is not None else (version.plan if version else PlanContent())
    return {
        "patient": patient,
        "version": version,
        "sections": plan_sections(plan),
        "reasons": plan.items(Section.REASONS),
        "is_empty": plan.is_empty,
        "crisis": crisis_resources(patient.organisation),
    }


@page("safety.use_own_plan")
def plan(request: AuthenticatedRequest) -> HttpResponse:
    patient = access_own_plan(request)
    safety_plan_shown(request)
    context = _plan_context(patient, actions.current_version(patient))
    context["edit_url_name"] = "safety:edit"
    context["own"] = True
    return render(request, "safety/plan.html", context)


@page("safety.use_own_plan")
def edit(request: AuthenticatedRequest) -> HttpResponse:
    patient = access_own_plan(request)
    return _edit(request, patient, own=True)


@page("accounts.use_app", object_perm="safety.view_plan")
def patient_plan(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    patient = access_patient_plan(request, patient_id, "safety.view_plan")
    current = actions.current_version(patient)
    version = current
    asked = request.GET.get("version")
    if asked:
        if not asked.isdigit():
            raise Http404
        version = SafetyPlanVersion.objects.filter(patient=patient, number=int(asked)).first()
        if version is None:
            raise Http404
    context = _plan_context(patient, version)
    context["current"] = current
    context["can_edit"] = request.user.has_perm("safety.edit_plan", patient)
    if request.user.has_perm("safety.set_watch", patient):
        context["watch"] = watch.current_watch(patient)
        context["watch_form"] = WatchForm()
    context["history"] = SafetyPlanVersion.objects.filter(patient=patient).select_related(
        "saved_by"
    )
    return render(request, "safety/patient_plan.html", context)


@page("accounts.use_app", object_perm="safety.edit_plan")
def patient_edit(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    patient = access_patient_plan(request, patient_id, "safety.edit_plan")
    return _edit(request, patient, own=False)


def _edit(request: AuthenticatedRequest, patient: Patient, *, own: bool) -> HttpResponse:
    current = actions.current_version(patient)
    number = current.number if current else 0
    shared = (current.shared if current else frozenset()) if own else None
    form = SafetyPlanForm(
        request.POST or None,
        plan=current.plan if current else None,
        shared=shared,
        initial={"based_on": number},
    )
    if request.method == "POST" and form.is_valid() and form.content is not None:
        chosen = form.cleaned_data.get("shared_sections")
        try:
            actions.save_plan(
                request.user,
                patient,
                form.content,
                based_on=form.cleaned_data["based_on"],
                shared_sections=frozenset(chosen) if own and chosen is not None else None,
            )
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            messages.success(request, _("The safety plan is saved."))
            if own:
                return redirect("safety:plan")
            return redirect("safety:patient_plan", patient_id=patient.public_id)
    context = {"patient": patient, "form": form, "own": own, "version": current}
    return render(request, "safety/edit.html", context)


@page("care.view_shared_with_me", object_perm="care.view_shared_safety_plan")
def shared_plan(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    """The sections of the plan the patient chose to show this supporter."""
    patient = access_shared_plan(request, patient_id)
    current = actions.current_version(patient)
    shown = current.plan.only(current.shared) if current else PlanContent()
    context = _plan_context(patient, current, shown)
    context["shared_labels"] = [
        Section(s).label for s in FORM_ORDER if current and s in current.shared
    ]
    return render(request, "safety/shared_plan.html", context)


# --- risk alerts ------------------------------------------------------------------------------


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("What was done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: called the patient, reviewed the safety plan together."),
    )


@page("safety.view_alerts")
def alerts(request: AuthenticatedRequest) -> HttpResponse:
    """Open and acknowledged alerts about the user's patients, newest first."""
    shown = list(alerts_for(request.user))
    for alert in shown:
        record_read(
            request,
            resource="safety.handle_alert",
            patient=alert.patient,
            object_id=str(alert.public_id),
        )
    return render(
        request,
        "safety/alerts.html",
        {"alerts": shown, "crisis": crisis_resources(request.user.organisation)},
    )


@page("safety.view_alerts", object_perm="safety.handle_alert")
def alert(request: AuthenticatedRequest, alert_id: str) -> HttpResponse:
    found = access_alert(request, alert_id)
    form = ResolveForm(request.POST if "resolve" in request.POST else None)
    if request.method == "POST":
        try:
            if "acknowledge" in request.POST:
                alert_actions.acknowledge(request.user, found)
                messages.success(request, _("Acknowledged: the alert will not escalate further."))
                return redirect("safety:alert", alert_id=found.public_id)
            if form.is_valid():
                alert_actions.resolve(request.user, found, form.cleaned_data["resolution"])
                messages.success(request, _("The alert is resolved."))
                return redirect("safety:alerts")
        except ActionError as exc:
            add_action_error(form, exc)
    context = {
        "alert": found,
        "patient": found.patient,
        "notices": found.notices.select_related("recipient"),
        "form": form,
        "crisis": crisis_resources(found.patient.organisation),
    }
    return render(request, "safety/alert.html", context)


@require_POST
@page("accounts.use_app", object_perm="safety.set_watch")
def patient_watch(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    """Start or end a patient's high-risk watch (days without a card then raise alerts)."""
    patient = access_patient_plan(request, patient_id, "safety.set_watch")
    form = WatchForm(request.POST)
    try:
        if "end" in request.POST:
            watch.end_watch(request.user, patient)
            messages.success(request, _("High-risk watch ended."))
        elif form.is_valid():
            watch.start_watch(request.user, patient, form.cleaned_data["reason"])
            messages.success(request, _("The patient is on high-risk watch."))
        else:
            messages.error(request, _("Say why the patient is on high-risk watch."))
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect("safety:patient_plan", patient_id=patient.public_id)


def _rule_input(form: RuleForm, kind: str) -> configure.RuleInput:
    data = form.cleaned_data
    return configure.RuleInput(
        name=data["name"],
        kind=kind,
        threshold=data["threshold"],
        is_active=data["is_active"],
        target_kind=data.get("target_kind") or "",
        question=data.get("question") or "",
    )


@page("safety.configure_rules")
def rules(request: AuthenticatedRequest) -> HttpResponse:
    """The clinic's risk rules and how unacknowledged alerts escalate."""
    organisation = own_organisation(request)
    current = alert_actions.settings_for(organisation)
    form = AlertSettingsForm(
        request.POST or None,
        initial={
            "escalate_after_minutes": current.escalate_after_minutes,
            "on_call_name": current.on_call_name,
            "on_call_email": current.on_call_email,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            configure.change_alert_settings(request.user, organisation, **form.cleaned_data)
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            messages.success(request, _("The escalation settings are saved."))
            return redirect("safety:rules")
    rules_for(organisation.pk)  # the defaults exist before they are listed
    context = {
        "rules": [
            (rule, configure.looks_at(rule))
            for rule in RiskRule.objects.filter(organisation=organisation).order_by("kind", "name")
        ],
        "form": form,
    }
    return render(request, "safety/rules.html", context)


@page("safety.configure_rules")
def add_rule(request: AuthenticatedRequest) -> HttpResponse:
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            configure.add_rule(
                request.user,
                own_organisation(request),
                _rule_input(form, form.cleaned_data["kind"]),
            )
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            messages.success(request, _("The rule is added."))
            return redirect("safety:rules")
    return render(request, "safety/rule_form.html", {"form": form, "rule": None})


@page("safety.configure_rules")
def edit_rule(request: AuthenticatedRequest, rule_id: str) -> HttpResponse:
    rule = access_rule(request, rule_id)
    initial = {
        "name": rule.name,
        "kind": rule.kind,
        "target_kind": rule.target_kind,
        "question": rule.question,
        "threshold": rule.threshold,
        "is_active": rule.is_active,
    }
    form = RuleForm(request.POST or None, initial=initial, fixed_kind=True)
    if request.method == "POST" and form.is_valid():
        try:
            configure.change_rule(request.user, rule, _rule_input(form, rule.kind))
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            messages.success(request, _("The rule is saved."))
            return redirect("safety:rules")
    return render(request, "safety/rule_form.html", {"form": form, "rule": rule})

"""Pages: the patient's questionnaires (fill in, save and come back, send, read the
summary); the clinician's view of a patient's scores (chart with the treatment events,
assignments, therapy sessions, recompute, FHIR export); the instrument catalogue."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from care.crisis import crisis_resources
from care.models import Patient
from core.actions import ActionError
from core.forms import add_action_error
from core.requests import AuthenticatedRequest
from measures import actions
from measures.access import (
    access_administration,
    access_assignment,
    access_own_results,
    access_patient_results,
    access_patient_sessions,
    access_patient_to_assign,
    access_session,
)
from measures.charts import event_lines, events_in, score_chart, window_of
from measures.fhir import patient_bundle
from measures.forms import AssignForm, QuestionnaireForm, SessionForm
from measures.models import AdministrationStatus, Instrument, LicensedItemText
from measures.queries import (
    EventKind,
    assignments,
    fill_definition,
    instrument_choices,
    open_questionnaires,
    sent_questionnaires,
    series_for,
    sessions_of,
    treatment_events,
)
from measures.sessions import instant_to_wall_clock
from measures.summaries import CLINICIAN_NOTE, change_label, patient_summary
from policy.routes import page
from safety.flow import show_safety_plan
from skills.views import safety_plan_url

# --- the patient -----------------------------------------------------------------------------


@page("measures.fill_own")
def mine(request: AuthenticatedRequest) -> HttpResponse:
    patient = access_own_results(request)
    sent = sent_questionnaires(patient)
    context = {
        "waiting": list(open_questionnaires(patient)),
        "sent": sent,
    }
    return render(request, "measures/mine.html", context)


@page("measures.fill_own")
def fill(request: AuthenticatedRequest, administration_id: str) -> HttpResponse:
    administration = access_administration(request, administration_id, own=True)
    if administration.is_submitted:
        return redirect("measures:result", administration_id=administration.public_id)
    if not administration.is_open(timezone.now()):
        if administration.status == AdministrationStatus.WITHDRAWN:
            messages.info(
                request, _("This questionnaire was withdrawn: the session was cancelled.")
            )
        else:
            messages.info(request, _("This questionnaire closed when the session started."))
        return redirect("measures:mine")
    definition = fill_definition(administration)
    form = QuestionnaireForm(
        request.POST if request.method == "POST" else None,
        definition=definition,
        saved=administration.answers,
    )
    if form.is_bound and form.is_valid():
        intent = request.POST.get("intent", "save")
        try:
            if intent == "submit":
                submitted = actions.submit_administration(
                    request.user, administration, form.answers()
                )
            else:
                actions.save_answers(request.user, administration, form.answers())
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            if intent != "submit":
                messages.success(
                    request, _("Your answers are saved. You can come back and finish later.")
                )
                return redirect("measures:mine")
            if submitted.alerted:
                # An answer matched one of the clinic's risk rules: the care team has an
                # alert; the patient sees their safety plan and the crisis numbers at once.
                return show_safety_plan(request)
            messages.success(request, _("Thank you. Your answers were sent to your care team."))
            return redirect("measures:result", administration_id=administration.public_id)
    context = {
        "administration": administration,
        "definition": definition,
        "form": form,
        "crisis": crisis_resources(administration.patient.organisation),
        "safety_plan_url": safety_plan_url(),
    }
    return render(request, "measures/fill.html", context)


@page("measures.fill_own")
def result(request: AuthenticatedRequest, administration_id: str) -> HttpResponse:
    administration = access_administration(request, administration_id, own=True)
    if not administration.is_submitted:
        return redirect("measures:fill", administration_id=administration.public_id)
    current = administration.scores.filter(is_current=True).first()
    definition = administration.version.parsed()
    context = {
        "administration": administration,
        "definition": definition,
        "summary": patient_summary(
            definition,
            current.value if current else None,
            current.band if current else "",
        ),
        "crisis": crisis_resources(administration.patient.organisation),
        "safety_plan_url": safety_plan_url(),
    }
    return render(request, "measures/result.html", context)


# --- the care team ---------------------------------------------------------------------------


def _series_rows(series: Any) -> list[dict[str, Any]]:
    rows = []
    for one in series.scores:
        changes = []
        for against in ("baseline", "previous"):
            found = (one.change or {}).get(against)
            if found:
                changes.append({**found, "words": change_label(found["label"])})
        rows.append({"score": one, "changes": changes})
    return rows


@page("accounts.use_app", object_perm="measures.view_results")
def patient_scores(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    return _patient_page(request, patient_id)


def _chart_entry(one: Any, events: list[Any]) -> dict[str, Any]:
    drawn = events_in(window_of(one.scores, events), events)
    return {
        "series": one,
        "chart": score_chart(one.definition, one.scores, f"chart-{one.instrument.key}", events),
        "rows": _series_rows(one),
        "events": event_lines(drawn),
        "event_kinds": sorted({str(e.kind) for e in drawn}),
    }


def _patient_page(
    request: AuthenticatedRequest,
    patient_id: str,
    form: AssignForm | None = None,
    session_form: SessionForm | None = None,
) -> HttpResponse:
    patient = access_patient_results(request, patient_id)
    # Every date and time on the page is on the patient's clock, as sessions are booked.
    with timezone.override(ZoneInfo(patient.time_zone)):
        return _render_patient_page(request, patient, form, session_form)


def _render_patient_page(
    request: AuthenticatedRequest,
    patient: Patient,
    form: AssignForm | None,
    session_form: SessionForm | None,
) -> HttpResponse:
    may_assign = request.user.has_perm("measures.assign", patient)
    may_book = request.user.has_perm("measures.manage_sessions", patient)
    choices = instrument_choices(patient) if may_assign else []
    series = series_for(patient)
    events = treatment_events(patient) if series else []
    zone = ZoneInfo(patient.time_zone)
    context = {
        "patient": patient,
        "series": [_chart_entry(one, events) for one in series],
        "event_kinds": [kind.value for kind in EventKind],
        "assignments": list(assignments(patient)),
        "sessions": [
            {"session": s, "local": instant_to_wall_clock(s.starts_at, zone)}
            for s in sessions_of(patient)
        ],
        "now": timezone.now(),
        "may_assign": may_assign,
        "may_book": may_book,
        "form": form or (AssignForm(choices=choices) if may_assign else None),
        "session_form": session_form
        or (SessionForm(time_zone=patient.time_zone) if may_book else None),
        "unavailable": [i for i, usable in choices if not usable],
        "note": CLINICIAN_NOTE,
    }
    invalid = form is not None or session_form is not None
    return render(request, "measures/patient.html", context, status=400 if invalid else 200)


@require_POST
@page("accounts.use_app", object_perm="measures.assign")
def assign(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    patient = access_patient_to_assign(request, patient_id)
    form = AssignForm(request.POST, choices=instrument_choices(patient))
    if form.is_valid():
        instrument = Instrument.objects.get(key=form.cleaned_data["instrument"])
        try:
            actions.assign_instrument(
                request.user,
                patient,
                instrument,
                frequency=form.cleaned_data["frequency"],
                every=form.cleaned_data["every"],
                hours_before=form.cleaned_data["hours_before"],
            )
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            messages.success(
                request,
                _("%(instrument)s was assigned.") % {"instrument": instrument.short_title},
            )
            return redirect("measures:patient", patient_id=patient.public_id)
    return _patient_page(request, patient_id, form)


@require_POST
@page("accounts.use_app", object_perm="measures.assign")
def stop(request: AuthenticatedRequest, patient_id: str, assignment_id: str) -> HttpResponse:
    patient = access_patient_to_assign(request, patient_id)
    assignment = access_assignment(patient, assignment_id)
    actions.stop_assignment(request.user, assignment)
    messages.success(request, _("No more questionnaires will be sent from this assignment."))
    return redirect("measures:patient", patient_id=patient.public_id)


@require_POST
@page("accounts.use_app", object_perm="measures.manage_sessions")
def add_session(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    patient = access_patient_sessions(request, patient_id)
    form = SessionForm(request.POST, time_zone=patient.time_zone)
    if form.is_valid():
        try:
            actions.add_session(
                request.user, patient, form.cleaned_data["starts_at"], form.cleaned_data["note"]
            )
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            messages.success(request, _("The session was added."))
            return redirect("measures:patient", patient_id=patient.public_id)
    return _patient_page(request, patient_id, session_form=form)


@page("accounts.use_app", object_perm="measures.manage_sessions")
def edit_session(request: AuthenticatedRequest, patient_id: str, session_id: str) -> HttpResponse:
    patient = access_patient_sessions(request, patient_id)
    session = access_session(request, patient, session_id)
    local = instant_to_wall_clock(session.starts_at, ZoneInfo(patient.time_zone))
    form = SessionForm(
        request.POST if request.method == "POST" else None,
        time_zone=patient.time_zone,
        initial={"starts_at": local, "note": session.note},
    )
    if form.is_bound and form.is_valid():
        try:
            actions.change_session(
                request.user, session, form.cleaned_data["starts_at"], form.cleaned_data["note"]
            )
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            messages.success(request, _("The session was changed."))
            return redirect("measures:patient", patient_id=patient.public_id)
    context = {"patient": patient, "session": session, "local": local, "form": form}
    status = 400 if form.is_bound else 200
    return render(request, "measures/session.html", context, status=status)


@require_POST
@page("accounts.use_app", object_perm="measures.manage_sessions")
def cancel_session(request: AuthenticatedRequest, patient_id: str, session_id: str) -> HttpResponse:
    patient = access_patient_sessions(request, patient_id)
    session = access_session(request, patient, session_id)
    try:
        actions.cancel_session(request.user, session)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The session was cancelled; a questionnaire not yet started is withdrawn.")
        )
    return redirect("measures:patient", patient_id=patient.public_id)


@require_POST
@page("accounts.use_app", object_perm="measures.assign")
def recompute(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    patient = access_patient_to_assign(request, patient_id)
    added = actions.recompute_scores(request.user, patient)
    messages.success(
        request,
        _("%(n)d score(s) recomputed with the newest definitions; earlier ones are kept.")
        % {"n": added},
    )
    return redirect("measures:patient", patient_id=patient.public_id)


@page("accounts.use_app", object_perm="measures.view_results")
def export(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    """The patient's questionnaires and scores as a FHIR R4 Bundle (JSON download)."""
    patient = access_patient_results(request, patient_id)
    bundle = patient_bundle(patient)
    response = HttpResponse(
        json.dumps(bundle, ensure_ascii=False, indent=2), content_type="application/fhir+json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="wisemind-measures-{patient.public_id}.json"'
    )
    return response


@page("measures.view_instruments")
def instruments(request: AuthenticatedRequest) -> HttpResponse:
    organisation = request.user.organisation
    if organisation is None:
        raise Http404
    licensed = set(
        LicensedItemText.objects.filter(organisation=organisation).values_list(
            "instrument_id", flat=True
        )
    )
    rows = []
    for instrument in Instrument.objects.filter(is_active=True).prefetch_related("versions"):
        versions = sorted(instrument.versions.all(), key=lambda v: (v.loaded_at, v.pk))
        definition = versions[-1].parsed()
        rows.append(
            {
                "instrument": instrument,
                "definition": definition,
                "range": definition.score_range(),
                "has_text": instrument.item_text == "public" or instrument.pk in licensed,
            }
        )
    return render(request, "measures/instruments.html", {"rows": rows})

"""Pages: the patient's research consent, the researcher's workspace and its downloads."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.requests import AuthenticatedRequest
from policy.routes import page
from research import actions
from research.access import (
    EXPORT,
    MANAGE_CONSENT,
    access_export_organisation,
    access_own_patient_for_consent,
)
from research.downloads import export_response
from research.export import consenting_patients
from research.models import ExportChannel, ExportFormat, ExportTable, ResearchConsent


@require_http_methods(["GET", "POST"])
@page(MANAGE_CONSENT)
def consent(request: AuthenticatedRequest) -> HttpResponseBase:
    patient = access_own_patient_for_consent(request)
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision == "grant":
            actions.grant_consent(request.user, patient)
            messages.success(request, _("Thank you. You have agreed to take part in research."))
        elif decision == "withdraw":
            actions.withdraw_consent(request.user, patient)
            messages.success(
                request, _("You have withdrawn. Your data will not be in any new export.")
            )
        return redirect("research:consent")
    context = {
        "patient": patient,
        "current": ResearchConsent.objects.current().filter(patient=patient).first(),
        "history": ResearchConsent.objects.filter(patient=patient)[:10],
    }
    return render(request, "research/consent.html", context)


@page("accounts.view_research_home")
def home(request: AuthenticatedRequest) -> HttpResponse:
    """The researcher's workspace: de-identified data, the API and the command line."""
    user = request.user
    context = {
        "tokens": user.api_tokens.usable(),
        "api_docs_url": reverse("api:openapi-view"),
        "may_export": user.has_perm(EXPORT) and user.organisation_id is not None,
    }
    if context["may_export"]:
        organisation_id = access_export_organisation(request)
        context["participants"] = consenting_patients(organisation_id).count()
        context["downloads"] = [
            (table, [(fmt.label, fmt.value) for fmt in ExportFormat]) for table in ExportTable
        ]
    return render(request, "research/home.html", context)


@page(EXPORT)
def download(request: AuthenticatedRequest, table: str, file_format: str) -> HttpResponse:
    """A de-identified table of the researcher's organisation (audited), never cached."""
    return export_response(request, table, file_format, ExportChannel.WEB)

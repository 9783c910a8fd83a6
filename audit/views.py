"""The audit trail for clinic admins: record reads, changes and break-glass grants."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from audit.queries import TrailFilter, access_rows, break_glass_rows, change_rows
from core.pagination import paginate
from core.requests import AuthenticatedRequest
from policy.routes import page

TABS = {
    "access": (_("Record reads"), access_rows),
    "changes": (_("Changes"), change_rows),
    "break-glass": (_("Break-glass"), break_glass_rows),
}


class TrailFilterForm(forms.Form):
    actor = forms.CharField(label=_("Who (e-mail)"), required=False, max_length=200)
    patient = forms.CharField(label=_("Patient"), required=False, max_length=100)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


@page("audit.view_audit_trail")
def trail(request: AuthenticatedRequest) -> HttpResponse:
    organisation_id = request.user.organisation_id
    if organisation_id is None:  # an admin always belongs to an organisation
        raise Http404
    tab = request.GET.get("tab", "access")
    if tab not in TABS:
        tab = "access"
    form = TrailFilterForm(request.GET or None)
    filters = TrailFilter(**form.cleaned_data) if form.is_valid() else TrailFilter()
    _label, query = TABS[tab]
    rows = query(organisation_id, filters)
    paged = paginate(request, rows)
    tab_links = []
    for key, (label, _query) in TABS.items():
        params = paged.params.copy()
        params["tab"] = key
        tab_links.append({"label": label, "href": "?" + params.urlencode(), "current": key == tab})
    context = {
        "form": form,
        "tab": tab,
        "tabs": tab_links,
        **paged.context(),
    }
    return render(request, "audit/trail.html", context)

"""The caseload page (URL name ``care:caseload``): every patient on the user's care teams,
in attention order with the reasons in words, filters and sort."""

from __future__ import annotations

from django.http import HttpResponse, QueryDict
from django.shortcuts import render

from core.pagination import paginate
from core.requests import AuthenticatedRequest
from dashboard.attention import ReasonKind
from dashboard.filters import CaseloadFilters
from dashboard.queries import caseload_rows, filter_rows, sort_rows
from policy.routes import page


@page("care.view_caseload")
def caseload(request: AuthenticatedRequest) -> HttpResponse:
    filters = CaseloadFilters.from_query(request.GET)
    everyone = caseload_rows(request.user, filters.query)
    rows = filter_rows(everyone, needs_attention=filters.needs_attention, reason=filters.reason)
    paged = paginate(request, sort_rows(rows, filters.sort))
    kept = QueryDict(mutable=True)
    kept.update({k: v for k, v in filters.as_params().items() if k != "q"})
    context = {
        "filters": filters,
        "filter_query": kept.urlencode(),
        "reasons": [(kind.slug, kind) for kind in ReasonKind],
        "attention_count": sum(1 for row in everyone if row.assessment.needs_attention),
        **paged.context(),
    }
    return render(request, "dashboard/caseload.html", context)

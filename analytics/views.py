"""The clinician's patient analytics page (URL name ``analytics:patient``): interactive
charts of a period, each with a table for screen readers, drawn by a static script from
the data in a ``json_script`` element (no inline script: CSP)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from analytics.access import VIEW, access_patient_analytics
from analytics.forms import PeriodForm
from analytics.patient import (
    NOTE,
    chart_payload,
    chart_texts,
    choose_period,
    diary_table,
    patient_analytics,
)
from analytics.staticfiles import PLOTLY, inline_style_ids
from care.crisis import crisis_resources
from core.requests import AuthenticatedRequest
from ema.queries import local_today
from policy.routes import page


@page("accounts.use_app", object_perm=VIEW)
def patient(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    patient = access_patient_analytics(request, patient_id)
    today = local_today(patient)
    form = PeriodForm(request.GET or None, today=today)
    context: dict[str, object] = {
        "patient": patient,
        "form": form,
        "note": NOTE,
        "plotly": PLOTLY,
        "plotly_style_ids": inline_style_ids(),
    }
    if form.is_bound and not form.is_valid():
        return render(request, "analytics/patient.html", context, status=400)
    period = form.period if form.is_bound else choose_period(None, None, None, today)
    analytics = patient_analytics(patient, period)
    diary = analytics.diary
    texts = chart_texts(analytics)
    context |= {
        "analytics": analytics,
        "payload": chart_payload(analytics),
        "texts": texts,
        "score_charts": [(s, texts[f"score-{s.key}"]) for s in analytics.scores],
        "trend_charts": [(t, texts[f"trend-{t.key}"]) for t in analytics.trends],
        "emotion_rows": diary_table(diary, diary.emotions),
        "urge_rows": diary_table(diary, diary.urges),
        "daily_rows": diary_table(diary, [diary.skills_used, diary.sleep_hours, diary.medication]),
        "crisis": crisis_resources(patient.organisation),
    }
    return render(request, "analytics/patient.html", context)

"""The report as HTML (a Django template) and as PDF (WeasyPrint).

Nothing is fetched while rendering: the charts are embedded as ``data:`` URIs and the
fetcher refuses every other scheme; fonts come from the system (fontconfig).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from reports import charts
from reports.content import JUDGEMENT_NOTE, PAC_RULE
from reports.gather import Report

#: Only embedded data: no network, no files.
FETCHER = URLFetcher(allowed_protocols={"data"})


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


def report_html(report: Report) -> str:
    context = {
        "report": report,
        "diary_chart": charts.diary_chart(report.weeks),
        "instability_chart": charts.instability_chart(report.instability),
        "judgement_note": JUDGEMENT_NOTE,
        "pac_quantile": PAC_RULE.quantile,
    }
    return render_to_string("reports/report.html", context)


def render_pdf(report: Report) -> Rendered:
    with translation.override("en"):
        html = report_html(report)
    document = HTML(string=html, base_url="data:,", url_fetcher=FETCHER).render()
    return Rendered(pdf=document.write_pdf(), pages=len(document.pages))

"""API operation for the caseload dashboard: the same rows, order and filters as the page.

The figures support clinical judgement; they are not a diagnosis or a risk score.
"""

from ninja import Query, Router
from ninja.pagination import PageNumberPagination, paginate

from core.requests import AuthenticatedRequest
from dashboard.filters import CaseloadFilters
from dashboard.queries import CaseloadRow, caseload_rows, filter_rows, sort_rows
from dashboard.schemas import (
    CaseloadFiltersIn,
    CaseloadRowOut,
    LatestScoreOut,
    RateOut,
    ReasonOut,
    UrgeDayOut,
)
from policy.api import operation

router = Router(tags=["dashboard"])


def _row_out(row: CaseloadRow) -> CaseloadRowOut:
    score = row.latest_score
    return CaseloadRowOut(
        patient_id=row.patient.public_id,
        name=row.patient.display_name,
        today=row.today,
        needs_attention=row.assessment.needs_attention,
        reasons=[ReasonOut(kind=r.kind.slug, text=r.text) for r in row.assessment.reasons],
        open_alerts=row.open_alerts,
        unacknowledged_alerts=row.unacknowledged_alerts,
        last_diary_day=row.last_diary_day,
        diary_cards_14_days=RateOut(done=row.diary.done, of=row.diary.of, share=row.diary.share),
        checkins_14_days=RateOut(
            done=row.checkins.done, of=row.checkins.of, share=row.checkins.share
        ),
        urges_28_days=[
            UrgeDayOut(date=day, suicide=suicide, self_harm=self_harm)
            for day, suicide, self_harm in zip(
                row.dates, row.suicide_urges, row.self_harm_urges, strict=True
            )
        ],
        latest_score=None
        if score is None
        else LatestScoreOut(
            instrument=score.instrument,
            value=score.value,
            band=score.band,
            observed_at=score.observed_at,
            change_label=score.change_label,
            against=score.against,
        ),
    )


@router.get("/dashboard/caseload", response=list[CaseloadRowOut], operation_id="caseload_dashboard")
@operation("care.view_caseload")
@paginate(PageNumberPagination)
def caseload_dashboard(
    request: AuthenticatedRequest, filters: Query[CaseloadFiltersIn]
) -> list[CaseloadRowOut]:
    """Every patient on your care teams, those needing attention first, with the reasons."""
    chosen = CaseloadFilters.parse(
        filters.q, filters.needs_attention, filters.reason or "", filters.sort
    )
    rows = caseload_rows(request.user, chosen.query)
    rows = filter_rows(rows, needs_attention=chosen.needs_attention, reason=chosen.reason)
    return [_row_out(row) for row in sort_rows(rows, chosen.sort)]

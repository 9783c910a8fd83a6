"""API operation of the patient analytics page: the same data its charts draw, for a
period (a preset, or ``first`` and ``last``). The care team's clinical staff, or an
administrator with break-glass; an audited clinical read."""

from datetime import date

from ninja import Query, Router, Schema
from ninja.errors import ValidationError

from analytics.access import VIEW, access_patient_analytics
from analytics.patient import PeriodError, chart_payload, choose_period, patient_analytics
from analytics.schemas import AnalyticsOut
from core.requests import AuthenticatedRequest
from ema.queries import local_today
from policy.api import operation

router = Router(tags=["analytics"])


class PeriodQuery(Schema):
    range: str | None = None
    first: date | None = None
    last: date | None = None


@router.get(
    "/analytics/patients/{patient_id}",
    response=AnalyticsOut,
    operation_id="patient_analytics",
    url_name="patient_analytics",
)
@operation("accounts.use_app", object_perm=VIEW)
def patient_analytics_data(
    request: AuthenticatedRequest, patient_id: str, query: Query[PeriodQuery]
) -> AnalyticsOut:
    """Diary, check-in, questionnaire, treatment-event, early-warning-trend and what-helps
    data of one patient for ``range`` (``30``, ``90``, ``180``, ``365`` days ending today;
    default 90) or ``range=custom`` with ``first`` and ``last`` (local dates)."""
    patient = access_patient_analytics(request, patient_id)
    try:
        period = choose_period(query.range, query.first, query.last, local_today(patient))
    except PeriodError as exc:
        raise ValidationError([{"loc": ["query", exc.field], "msg": exc.message}]) from exc
    return AnalyticsOut(**chart_payload(patient_analytics(patient, period)))

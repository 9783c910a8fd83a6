"""API operation for researchers: a de-identified table of their own organisation's
consenting patients, as Parquet or CSV (audited, like the page's download)."""

from typing import Literal

from django.http import HttpResponse
from ninja import Router

from core.requests import AuthenticatedRequest
from policy.api import operation
from research.access import EXPORT
from research.downloads import export_response
from research.models import ExportChannel

router = Router(tags=["research"])


@router.get(
    "/research/data/{table}",
    operation_id="export_research_data",
    url_name="export_research_data",
)
@operation(EXPORT)
def export_research_data(
    request: AuthenticatedRequest,
    table: Literal["diary", "ema"],
    file_format: Literal["parquet", "csv"] = "parquet",
) -> HttpResponse:
    """The researcher's organisation's de-identified ``diary`` or ``ema`` table, sorted by
    person and time, for ``wisemind analyze`` (``--id person``; ``--time study_day`` for
    diary, ``--time seconds --day study_day`` for ema). Only patients whose research consent
    stands now; pseudonyms, no names, notes, free text or calendar dates. Every export is
    recorded with its row and participant counts."""
    return export_response(request, table, file_format, ExportChannel.API)

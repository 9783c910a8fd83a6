"""One export for a signed-in researcher, as the page and the API serve it: built, recorded
(the audit event with its counts) and returned as a file response."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404, HttpResponse

from research import actions, export
from research.access import access_export_organisation, record_export_read
from research.models import ExportFormat, ExportTable

if TYPE_CHECKING:
    from core.requests import AuthenticatedRequest

CONTENT_TYPES = {
    ExportFormat.PARQUET: "application/vnd.apache.parquet",
    ExportFormat.CSV: "text/csv; charset=utf-8",
}


def export_response(
    request: AuthenticatedRequest, table: str, file_format: str, channel: str
) -> HttpResponse:
    """The researcher's organisation's de-identified ``table`` as a download."""
    organisation_id = access_export_organisation(request)
    if table not in ExportTable.values or file_format not in ExportFormat.values:
        raise Http404
    built = export.build(table, organisation_id)
    recorded = actions.record_export(
        request.user,
        organisation_id=organisation_id,
        table=table,
        file_format=file_format,
        channel=channel,
        rows=built.rows,
        participants=built.participants,
    )
    record_export_read(request, recorded)
    response = HttpResponse(
        export.to_bytes(built, file_format), content_type=CONTENT_TYPES[ExportFormat(file_format)]
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{export.file_name(table, file_format)}"'
    )
    response["Cache-Control"] = "no-store, private"
    return response

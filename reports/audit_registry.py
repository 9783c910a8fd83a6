"""Report requests keep a change history (django-auditlog): who asked for which patient's
report over which dates, and when it was written. The PDF's bytes are not copied into it."""

from auditlog.registry import auditlog

from reports.models import ReportRequest

auditlog.register(ReportRequest, exclude_fields=["pdf"])

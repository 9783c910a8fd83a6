"""A clinician's request for a patient's progress report, and the PDF it produced.

The PDF is kept in the database (``pdf``, bytes), not under ``MEDIA_ROOT``: it can only
ever leave through the authorized, audited download view, it is backed up and deleted
with the patient's record, and the web process and the worker need no shared disk
(``docs/reports.md``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from care.models import Patient


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being written")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class ReportRequest(models.Model):
    """One progress report of ``patient`` from ``first`` to ``last`` (local dates, inclusive)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="report_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    first = models.DateField(_("from"))
    last = models.DateField(_("to"))
    include_notes = models.BooleanField(_("include diary notes"), default=False)
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "-created_at"], name="reports_by_patient")]
        constraints = [
            models.CheckConstraint(condition=Q(first__lte=models.F("last")), name="reports_range")
        ]

    def __str__(self) -> str:
        return f"Report of {self.patient} {self.first}–{self.last} ({self.status})"

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def is_ready(self) -> bool:
        return self.status == ReportStatus.READY

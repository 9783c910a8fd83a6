"""Research consent, the per-organisation pseudonym key, and the record of every export.

A patient's consent is a row per grant: ``withdrawn_at`` is empty while it stands, and at
most one row per patient stands at a time. Withdrawing keeps the row (the history of who
agreed to what, and when) and stops the patient's data from appearing in later exports.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from care.models import Patient


class ResearchConsentQuerySet(models.QuerySet["ResearchConsent"]):
    def current(self) -> ResearchConsentQuerySet:
        """Consents that stand now (not withdrawn)."""
        return self.filter(withdrawn_at__isnull=True)


class ResearchConsent(models.Model):
    """A patient's agreement that the clinic's researchers may use their de-identified
    diary-card numbers and check-in answers, in the words of ``text_version``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="research_consents")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="research_consents"
    )
    text_version = models.CharField(_("consent text version"), max_length=20)
    granted_at = models.DateTimeField(_("agreed at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = ResearchConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(withdrawn_at__isnull=True),
                name="research_one_current_consent",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True)
                | Q(withdrawn_at__gte=models.F("granted_at")),
                name="research_withdrawn_after_granted",
            ),
        ]

    def __str__(self) -> str:
        state = "withdrawn" if self.withdrawn_at else "current"
        return f"Research consent {self.public_id} (v{self.text_version}, {state})"


class PseudonymKey(models.Model):
    """The secret that turns an organisation's patients into pseudonyms (keyed HMAC).

    Made on first use and kept server-side only: never shown, exported, logged or put in
    the change history. Without it a pseudonym cannot be traced back to a patient, and
    pseudonyms of two organisations cannot be linked.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="research_pseudonym_key"
    )
    key = models.BinaryField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation_id"]

    def __str__(self) -> str:
        return f"Pseudonym key of organisation {self.organisation_id}"


class ExportTable(models.TextChoices):
    DIARY = "diary", _("Diary cards")
    EMA = "ema", _("Check-ins (EMA)")


class ExportFormat(models.TextChoices):
    PARQUET = "parquet", _("Parquet")
    CSV = "csv", _("CSV")


class ExportChannel(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    COMMAND = "command", _("Operator command")


class ResearchExport(models.Model):
    """One de-identified export: who made it, of which organisation and table, how big.
    Append-only; the audit event of an export."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="research_exports"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty for an operator's command-line export."),
    )
    table = models.CharField(max_length=10, choices=ExportTable.choices)
    file_format = models.CharField(max_length=10, choices=ExportFormat.choices)
    channel = models.CharField(max_length=10, choices=ExportChannel.choices)
    rows = models.PositiveIntegerField()
    participants = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return (
            f"Research export {self.public_id}: {self.table} of organisation "
            f"{self.organisation_id}, {self.rows} rows, {self.participants} participants"
        )

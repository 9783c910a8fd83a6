"""Pre-aggregated tables the clinician dashboard reads instead of the raw history.

``PatientDay`` is derived data (Zulip's analytics counts): one row per patient per local
calendar day, written only by ``dashboard.days`` (the worker job and the rebuild command)
and never edited by hand, so it is not in the change log. A missing row reads as a day
with no diary card and no check-ins due.
"""

from __future__ import annotations

from django.db import models

from care.models import Patient


class PatientDay(models.Model):
    """What one patient's local day looked like: the diary card and the check-ins."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="dashboard_days")
    #: The local calendar day in the patient's time zone.
    date = models.DateField()
    has_card = models.BooleanField(default=False)
    card_late = models.BooleanField(default=False)
    #: The highest urge on the card's targets of that kind (``None``: no card, or not rated).
    suicide_urge = models.PositiveSmallIntegerField(null=True, blank=True)
    self_harm_urge = models.PositiveSmallIntegerField(null=True, blank=True)
    #: Check-ins scheduled that day and closed (answered, missed or expired); not cancelled.
    prompts_due = models.PositiveSmallIntegerField(default=0)
    prompts_answered = models.PositiveSmallIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        ordering = ["patient", "date"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "date"], name="dashboard_one_row_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.patient} on {self.date}"


class RefreshMark(models.Model):
    """Where the incremental refresh got to: changes at or after ``since`` are picked up
    by the next run. Moved forward only (a conditional update), so two runs at once
    leave the later mark."""

    key = models.SlugField(unique=True)
    since = models.DateTimeField()

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} since {self.since:%Y-%m-%d %H:%M}"

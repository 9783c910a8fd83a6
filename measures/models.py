"""Measurement-based care: instruments (versioned definitions), a clinic's licensed item
text, assignments to patients, administrations (one questionnaire to fill in) and scores.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from care.models import Patient
from measures.definitions import Definition, parse_definition


class Instrument(models.Model):
    """A questionnaire wisemind knows, by its key (``phq9``); its definitions are versions."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    short_title = models.CharField(_("short title"), max_length=30)
    #: Whether the item text may be shipped (``public``) or a clinic loads its own.
    item_text = models.CharField(_("item text"), max_length=10)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["short_title", "key"]

    def __str__(self) -> str:
        return self.short_title


class InstrumentVersion(models.Model):
    """One definition of an instrument, never changed once stored: scores keep the
    version they were computed with."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(_("version"), max_length=20)
    #: The canonical definition (``Definition.as_data``).
    definition = models.JSONField()
    #: A fingerprint of the scoring definition (item text excluded).
    digest = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["instrument", "-loaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "version"], name="instrument_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("A stored definition is never changed; load a new version.")
        super().save(*args, **kwargs)

    def parsed(self) -> Definition:
        return parse_definition(self.definition)


class LicensedItemText(models.Model):
    """A clinic's own item text for a licensed instrument (loaded from the clinic's file by
    ``load_item_text``); its patients then see and answer it like any other."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="licensed_item_texts"
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("licence note"), max_length=300)
    items = models.JSONField(default=dict)
    option_labels = models.JSONField(default=dict)
    loaded_at = models.DateTimeField()

    class Meta:
        ordering = ["organisation", "instrument"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "instrument"], name="licensed_text_once_per_clinic"
            )
        ]

    def __str__(self) -> str:
        return f"Item text of {self.instrument} for {self.organisation}"


class Frequency(models.TextChoices):
    ONCE = "once", _("Once")
    DAYS = "days", _("Every N days")
    WEEKS = "weeks", _("Every N weeks")
    SESSION = "session", _("Before each session")


class TherapySession(models.Model):
    """A patient's therapy session, booked by a clinician on the care team. A questionnaire
    assigned "before each session" opens some hours before ``starts_at`` and closes at it.
    Cancelled, never deleted (a cancelled session's waiting questionnaire is withdrawn)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="therapy_sessions")
    #: The instant; entered and shown on the patient's wall clock (``Patient.time_zone``).
    starts_at = models.DateTimeField(_("starts at"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["patient", "starts_at"], name="measures_session_start")]

    def __str__(self) -> str:
        return f"Session of {self.patient} at {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Assignment(models.Model):
    """A clinician asks a patient to fill in an instrument once, every N days or weeks, or
    before each therapy session (opening ``hours_before`` the session starts)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="assignments")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    frequency = models.CharField(_("how often"), max_length=10, choices=Frequency.choices)
    every = models.PositiveSmallIntegerField(
        _("every"), default=1, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    #: Before each session: how many hours before the session the questionnaire opens.
    hours_before = models.PositiveSmallIntegerField(
        _("hours before the session"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
    )
    #: When the next questionnaire falls due (``None`` once nothing more is due).
    next_due_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["stopped_at", "next_due_at"], name="measures_due")]

    def __str__(self) -> str:
        return f"{self.instrument} for {self.patient}"

    @property
    def is_active(self) -> bool:
        return self.stopped_at is None


class AdministrationStatus(models.TextChoices):
    DUE = "due", _("Waiting")
    IN_PROGRESS = "in_progress", _("Started")
    SUBMITTED = "submitted", _("Sent")
    #: Its session was cancelled before the patient started it.
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: Statuses of a questionnaire the patient may still fill in (unless it has closed).
OPEN_STATUSES = (AdministrationStatus.DUE, AdministrationStatus.IN_PROGRESS)


class Administration(models.Model):
    """One questionnaire for a patient to fill in: saved as they go, scored on submit.

    ``answers`` maps item ids to option values (``null``: not answered). It is the
    QuestionnaireResponse of the FHIR export.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="administrations")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="administrations"
    )
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=12, choices=AdministrationStatus.choices, default=AdministrationStatus.DUE
    )
    #: Before each session: the session it prepares (it closes when the session starts).
    session = models.ForeignKey(
        TherapySession,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="administrations",
    )
    answers = models.JSONField(default=dict)
    due_at = models.DateTimeField()
    #: After this it can no longer be filled in (``None``: it stays open until sent).
    closes_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    #: The reminder: claimed by a worker (a lease), then marked sent.
    reminder_claimed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-due_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "status", "-due_at"], name="measures_patient_status"),
            models.Index(fields=["status", "reminded_at"], name="measures_reminders"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "due_at"],
                condition=Q(assignment__isnull=False),
                name="administration_once_per_due_time",
            ),
            models.UniqueConstraint(
                fields=["assignment", "session"],
                condition=Q(assignment__isnull=False, session__isnull=False),
                name="administration_once_per_session",
            ),
            models.CheckConstraint(
                condition=Q(status="submitted", submitted_at__isnull=False)
                | (~Q(status="submitted") & Q(submitted_at__isnull=True)),
                name="administration_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} for {self.patient} due {self.due_at:%Y-%m-%d}"

    @property
    def is_submitted(self) -> bool:
        return self.status == AdministrationStatus.SUBMITTED

    def is_open(self, now: datetime) -> bool:
        """Whether the patient may still fill it in at ``now``."""
        return self.status in OPEN_STATUSES and (self.closes_at is None or self.closes_at > now)


class Score(models.Model):
    """A score of a submitted administration by one definition version.

    Recomputing with a newer definition adds a score and makes it current; the old one is
    kept (``is_current`` false) with the version it was computed by. ``detail`` holds the
    engine's result (``ScoreResult.as_data``) and ``change`` the reliable-change results
    against the baseline and the previous score with their formula, reliability and
    reference values.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="scores"
    )
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="measure_scores")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="+")
    is_current = models.BooleanField(default=True)
    #: The total (``None``: not enough answers for a valid score).
    value = models.FloatField(null=True, blank=True)
    band = models.CharField(max_length=120, blank=True)
    band_index = models.PositiveSmallIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict)
    change = models.JSONField(default=dict)
    #: When the answers were given (the administration's submission), for ordering.
    observed_at = models.DateTimeField()
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["patient", "instrument", "observed_at", "id"]
        indexes = [
            models.Index(
                fields=["patient", "instrument", "is_current", "observed_at"],
                name="measures_score_series",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["administration"],
                condition=Q(is_current=True),
                name="one_current_score_per_administration",
            ),
            models.UniqueConstraint(
                fields=["administration", "version"], name="one_score_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.value} for {self.patient}"

"""Between-session coaching: a patient's request to their therapist, its short thread, and
each clinician's coaching hours."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import validate_time_zone
from care.models import Patient
from coaching.hours import Hours, Window
from skills.coach import EMOTIONS, URGES

DISTRESS_MAX = 100
INTENSITY_MAX = 5
SITUATION_MAX = 1000
OTHER_SKILLS_MAX = 300
MESSAGE_MAX = 2000
AWAY_MESSAGE_MAX = 300


class RequestStatus(models.TextChoices):
    #: Waiting for the therapist (new, or the patient wrote again after an answer).
    OPEN = "open", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class RequestSource(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("App")


class CoachingRequest(models.Model):
    """A patient asks their therapist for coaching, with how things are right now."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="coaching_requests")
    #: The patient's individual (primary) therapist when the request was made.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coaching_inbox"
    )
    distress = models.PositiveSmallIntegerField(
        _("distress (0–100)"), validators=[MaxValueValidator(DISTRESS_MAX)]
    )
    emotion = models.CharField(_("strongest emotion"), max_length=20, choices=EMOTIONS)
    emotion_intensity = models.PositiveSmallIntegerField(
        _("its intensity (0–5)"), validators=[MaxValueValidator(INTENSITY_MAX)]
    )
    urge = models.CharField(_("strongest urge"), max_length=20, choices=URGES)
    urge_intensity = models.PositiveSmallIntegerField(
        _("its intensity (0–5)"), validators=[MaxValueValidator(INTENSITY_MAX)]
    )
    situation = models.TextField(_("what is happening"), max_length=SITUATION_MAX, blank=True)
    skills_tried = models.ManyToManyField(
        "skills.Skill", blank=True, related_name="+", verbose_name=_("skills already tried")
    )
    #: Skills tried that are not in the library, as the patient wrote them.
    other_skills = models.CharField(
        _("other skills tried"), max_length=OTHER_SKILLS_MAX, blank=True
    )
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    created_at = models.DateTimeField()
    #: When the therapist's side last had something to answer (creation, or a patient reply
    #: after an answer): the inbox's waiting time counts from here.
    waiting_since = models.DateTimeField()
    #: When, by the therapist's hours, an answer can be expected (empty: no hours set).
    expected_by = models.DateTimeField(null=True, blank=True)
    #: Whether the therapist was outside their coaching hours when the request was made.
    outside_hours = models.BooleanField(default=False)
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    last_answer_at = models.DateTimeField(null=True, blank=True)
    #: When the patient last opened the request (for "new answer").
    patient_seen_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: The e-mail to the therapist: claimed by a worker (a lease), then marked sent.
    notice_claimed_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    #: A page form's one-time token: a double-tapped "Send" stores one request.
    client_token = models.UUIDField(null=True, blank=True, editable=False)
    source = models.CharField(
        max_length=10, choices=RequestSource.choices, default=RequestSource.WEB
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "status", "waiting_since"], name="coaching_inbox"),
            models.Index(fields=["patient", "-created_at"], name="coaching_patient_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "client_token"],
                condition=Q(client_token__isnull=False),
                name="coaching_one_request_per_token",
            ),
            models.CheckConstraint(
                condition=Q(distress__lte=DISTRESS_MAX)
                & Q(emotion_intensity__lte=INTENSITY_MAX)
                & Q(urge_intensity__lte=INTENSITY_MAX),
                name="coaching_ratings_in_range",
            ),
            models.CheckConstraint(
                condition=Q(first_response_at__isnull=True)
                | Q(first_response_at__gte=F("created_at")),
                name="coaching_response_after_request",
            ),
        ]

    def __str__(self) -> str:
        return f"Coaching request by {self.patient} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def response_time(self) -> timedelta | None:
        """From the request to the therapist's first message."""
        if self.first_response_at is None:
            return None
        return self.first_response_at - self.created_at

    @property
    def has_new_answer(self) -> bool:
        """An answer the patient has not opened yet."""
        return self.last_answer_at is not None and (
            self.patient_seen_at is None or self.patient_seen_at < self.last_answer_at
        )

    @property
    def is_closed(self) -> bool:
        return self.status == RequestStatus.CLOSED

    @property
    def urgent_urge(self) -> bool:
        """An urge to self-harm or to end one's life: crisis information always shows."""
        return self.urge in ("self_harm", "suicide") and self.urge_intensity > 0


class CoachingMessage(models.Model):
    """One message of a request's thread: the therapist's answer or the patient's reply."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(CoachingRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_patient = models.BooleanField()
    body = models.TextField(max_length=MESSAGE_MAX)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Message by {self.author} at {self.created_at:%Y-%m-%d %H:%M}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Availability(models.Model):
    """A clinician's coaching hours, in their own time zone."""

    clinician = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coaching_availability"
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    answer_within_minutes = models.PositiveSmallIntegerField(
        _("answer within (minutes of coaching hours)"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
    )
    away_until = models.DateField(_("away until (including this day)"), null=True, blank=True)
    away_message = models.CharField(
        _("message while away"), max_length=AWAY_MESSAGE_MAX, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["clinician_id"]
        verbose_name_plural = "availabilities"

    def __str__(self) -> str:
        return f"Coaching hours of {self.clinician}"

    def hours(self, windows: list[AvailabilityWindow] | None = None) -> Hours:
        """The pure form (``coaching.hours``) of these hours."""
        rows = windows if windows is not None else list(self.windows.all())
        return Hours(
            time_zone=self.time_zone,
            windows=tuple(Window(w.weekday, w.start, w.end) for w in rows),
            away_until=self.away_until,
        )


class AvailabilityWindow(models.Model):
    """Every ``weekday`` from ``start`` to ``end`` (local time; never past midnight)."""

    availability = models.ForeignKey(Availability, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="coaching_window_order"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="coaching_window_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

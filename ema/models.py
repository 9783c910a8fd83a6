"""Ecological momentary assessment: questionnaires as data, schedules, prompts, answers."""

from __future__ import annotations

import uuid
from datetime import time, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from care.models import Patient
from ema.schedules import DailyWindow, EveryInterval, FixedTimes, RandomInWindows, Rule, SleepWindow


class Questionnaire(models.Model):
    """A momentary questionnaire defined as data (see ``ema.questionnaires`` for the format)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="ema_questionnaires",
        null=True,
        blank=True,
        help_text=_("Empty for questionnaires every organisation may use."),
    )
    slug = models.SlugField()
    name = models.CharField(_("name"), max_length=120)
    version = models.PositiveIntegerField(default=1)
    questions = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug", "version"], name="ema_questionnaire_version"
            ),
            models.UniqueConstraint(
                fields=["slug", "version"],
                condition=Q(organisation__isnull=True),
                name="ema_shared_questionnaire_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class EmaSettings(models.Model):
    """A patient's own EMA settings: the sleep window and which reminders they want."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="ema_settings")
    sleep_start = models.TimeField(_("sleep from"), null=True, blank=True)
    sleep_end = models.TimeField(_("sleep until"), null=True, blank=True)
    push_enabled = models.BooleanField(_("phone notifications"), default=True)
    email_enabled = models.BooleanField(_("e-mail reminders"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "EMA settings"

    def __str__(self) -> str:
        return f"EMA settings of {self.patient}"

    @property
    def sleep_window(self) -> SleepWindow | None:
        if self.sleep_start is None or self.sleep_end is None:
            return None
        return SleepWindow(self.sleep_start, self.sleep_end)


class ScheduleKind(models.TextChoices):
    FIXED = "fixed", _("At fixed times")
    RANDOM = "random", _("At random times within windows")
    INTERVAL = "interval", _("Every N minutes within a window")


class Schedule(models.Model):
    """When a patient is prompted, with which questionnaire, from when to when."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="ema_schedules")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=ScheduleKind.choices)
    #: Fixed: ["09:00", "13:00"]. Random and interval: windows [["09:00", "12:00"], ...].
    times = models.JSONField(default=list, blank=True)
    windows = models.JSONField(default=list, blank=True)
    prompts_per_window = models.PositiveSmallIntegerField(default=1)
    min_gap_minutes = models.PositiveSmallIntegerField(default=30)
    every_minutes = models.PositiveSmallIntegerField(default=60)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"), null=True, blank=True)
    expires_after_minutes = models.PositiveSmallIntegerField(
        _("minutes to answer"), default=30, help_text=_("After this the prompt counts as missed.")
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-active", "start_date", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.patient}"

    def rule(self) -> Rule:
        """The schedule as the scheduling engine's rule."""
        if self.kind == ScheduleKind.FIXED:
            return FixedTimes(tuple(_time(value) for value in self.times))
        windows = tuple(DailyWindow(_time(start), _time(end)) for start, end in self.windows)
        if self.kind == ScheduleKind.RANDOM:
            return RandomInWindows(
                windows, self.prompts_per_window, timedelta(minutes=self.min_gap_minutes)
            )
        return EveryInterval(windows[0], timedelta(minutes=self.every_minutes))

    @property
    def expires_after(self) -> timedelta:
        return timedelta(minutes=self.expires_after_minutes)


def _time(value: Any) -> time:
    return value if isinstance(value, time) else time.fromisoformat(str(value))


class PromptStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SENT = "sent", _("Sent")
    ANSWERED = "answered", _("Answered")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")


class Prompt(models.Model):
    """One planned prompt. Created ahead of time by the planner, sent by the dispatcher."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="prompts")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="ema_prompts")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    scheduled_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=PromptStatus.choices, default=PromptStatus.PLANNED
    )
    #: Set while a dispatcher is delivering it; a lease that a crashed dispatcher lets lapse.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    is_late = models.BooleanField(default=False, help_text=_("Answered after it had expired."))

    class Meta:
        ordering = ["scheduled_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "scheduled_at"], name="ema_one_prompt_per_instant"
            )
        ]
        indexes = [
            models.Index(fields=["status", "scheduled_at"]),
            models.Index(fields=["patient", "scheduled_at"]),
        ]

    def __str__(self) -> str:
        return f"Prompt for {self.patient} at {self.scheduled_at:%Y-%m-%d %H:%M}"


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    PUSH = "push", _("Phone notification")
    EMAIL = "email", _("E-mail")


class DeliveryOutcome(models.TextChoices):
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class Delivery(models.Model):
    """One attempt to deliver a prompt on one channel, and what happened."""

    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    attempted_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=DeliveryOutcome.choices)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["attempted_at", "id"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.channel} {self.outcome} for {self.prompt_id}"


class PromptResponse(models.Model):
    """The answers to one prompt, checked against its questionnaire."""

    prompt = models.OneToOneField(Prompt, on_delete=models.CASCADE, related_name="response")
    answers = models.JSONField()
    submitted_at = models.DateTimeField()
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    #: Set by ``ema.actions.answer_prompt`` on the answer it stored: whether the answers
    #: matched one of the clinic's risk rules (the care team has an alert). Not stored.
    alerted: bool = False

    class Meta:
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"Answers to {self.prompt}"


class PushSubscription(models.Model):
    """A browser's web-push endpoint for one user (created when they allow notifications)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=800, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Push subscription of {self.user_id}"

"""The safety plan (every save kept as a version) and, later in this module, risk alerts."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from care.models import Patient
from safety.plans import PlanContent, parse_plan


class SafetyPlanVersion(models.Model):
    """One saved state of a patient's safety plan. Versions are added, never changed: the
    newest is the plan, the others are its history (who changed what, and when)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="safety_plan_versions"
    )
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("plan"), default=dict)
    shared_sections = models.JSONField(_("sections shared with supporters"), default=list)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    saved_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        ordering = ["patient", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "number"], name="safety_plan_version_once")
        ]

    def __str__(self) -> str:
        return f"Safety plan v{self.number} of {self.patient}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("A saved safety-plan version is never changed; save a new one.")
        super().save(*args, **kwargs)

    @property
    def plan(self) -> PlanContent:
        return parse_plan(self.content)

    @property
    def shared(self) -> frozenset[str]:
        return frozenset(self.shared_sections)


# --- risk rules and alerts ------------------------------------------------------------------


class RuleKind(models.TextChoices):
    DIARY_URGE = "diary_urge", _("Urge on the diary card at or above a level")
    DIARY_ACTED = "diary_acted", _("Target behaviour acted on (diary card)")
    EMA_ANSWER = "ema_answer", _("Check-in answer at or above a level")
    DIARY_MISSED = "diary_missed", _("Days without a diary card (patients on high-risk watch)")
    COACHING_URGE = "coaching_urge", _("Urge in a coaching request at or above a level")
    QUESTIONNAIRE_ITEM = "questionnaire_item", _("Questionnaire answer at or above a level")


class RiskRule(models.Model):
    """One rule of a clinic's risk rules: what in an answer raises an alert to the team.

    ``target_kind`` (a diary target kind) or ``question`` (a check-in question key) says
    what is looked at; ``threshold`` the level from which the rule fires (for
    ``DIARY_MISSED``: the number of whole days without a card).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="risk_rules"
    )
    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    target_kind = models.CharField(_("diary target"), max_length=20, blank=True)
    question = models.CharField(_("check-in question"), max_length=60, blank=True)
    threshold = models.PositiveSmallIntegerField(_("from level"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="risk_rule_key_once")
        ]

    def __str__(self) -> str:
        return self.name


class RiskWatch(models.Model):
    """A clinician's decision that a patient is at high risk for now: days without a diary
    card then raise an alert (``RuleKind.DIARY_MISSED``). Ended, never deleted."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="risk_watches")
    reason = models.CharField(_("why"), max_length=300)
    started_at = models.DateTimeField(_("since"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(ended_at__isnull=True),
                name="risk_watch_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"High-risk watch of {self.patient}"


class AlertSettings(models.Model):
    """A clinic's alert escalation: how long before an unacknowledged alert goes to the next
    person on the team, and the on-call contact after the team."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="alert_settings"
    )
    escalate_after_minutes = models.PositiveIntegerField(_("escalate after (minutes)"), default=60)
    on_call_name = models.CharField(_("on-call contact"), max_length=120, blank=True)
    on_call_email = models.EmailField(_("on-call e-mail"), blank=True)

    def __str__(self) -> str:
        return f"Alert settings of {self.organisation}"


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class Alert(models.Model):
    """A risk rule that fired for a patient: shown to the care team until resolved.

    ``source_key`` names what fired it (a card's date, a check-in): with the rule it is
    unique, so the same answer saved again never raises a second alert.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="risk_alerts")
    rule = models.ForeignKey(RiskRule, on_delete=models.PROTECT, related_name="alerts")
    source_key = models.CharField(max_length=80)
    reason = models.CharField(_("why"), max_length=300)
    status = models.CharField(
        _("status"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    created_at = models.DateTimeField(_("raised at"))
    level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalate_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    resolution = models.TextField(_("what was done"), blank=True, max_length=2000)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "rule", "source_key"], name="alert_once_per_source"
            )
        ]
        indexes = [models.Index(fields=["status", "escalate_at"])]

    def __str__(self) -> str:
        return f"Alert for {self.patient}: {self.reason}"


class NoticeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")


class AlertNotice(models.Model):
    """An e-mail telling one person about an alert, sent by the worker (at least once)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    email = models.EmailField()
    level = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.PENDING
    )
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["alert", "email"], name="alert_notice_once")]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return f"Notice of {self.alert_id} to {self.email}"

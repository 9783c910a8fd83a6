"""Patients, their care teams, the supporters they share with, and break-glass grants."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, validate_time_zone


class PatientStatus(models.TextChoices):
    ACTIVE = "active", _("In care")
    DISCHARGED = "discharged", _("Discharged")


class Patient(models.Model):
    """A person in care. May exist before (or without) a log-in of their own."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="patients"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="patient_profile",
        null=True,
        blank=True,
    )
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    record_number = models.CharField(
        _("clinic record number"), max_length=40, blank=True, help_text=_("Optional.")
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PatientStatus.choices, default=PatientStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    #: Raised with every change to the patient's diary targets and emotions (the version
    #: stamp of the per-process cache of those lists, core/versioned_cache.py).
    diary_items_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "record_number"],
                condition=~Q(record_number=""),
                name="patient_record_number_unique_per_org",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.given_name
        return f"{first} {self.family_name}".strip()


class TeamRole(models.TextChoices):
    PRIMARY_THERAPIST = "primary_therapist", _("Primary therapist")
    PRESCRIBER = "prescriber", _("Prescriber")
    SKILLS_TRAINER = "skills_trainer", _("Skills trainer")
    CASE_MANAGER = "case_manager", _("Case manager")


class CareTeamMemberQuerySet(models.QuerySet["CareTeamMember"]):
    def current(self) -> CareTeamMemberQuerySet:
        return self.filter(ended_at__isnull=True)


class CareTeamMember(models.Model):
    """A clinician's (or facilitator's) place on a patient's care team."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care_team")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_assignments"
    )
    team_role = models.CharField(_("team role"), max_length=30, choices=TeamRole.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    added_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = CareTeamMemberQuerySet.as_manager()

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "member", "team_role"],
                condition=Q(ended_at__isnull=True),
                name="care_team_one_current_role_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.get_team_role_display()} for {self.patient}"


class SharingScope(models.TextChoices):
    """What a patient may choose to share with a supporter."""

    DIARY_SUMMARY = "diary_summary", _("A weekly summary of my diary card")
    SAFETY_PLAN = "safety_plan", _("My safety plan")
    ASSIGNED_READING = "assigned_reading", _("The reading my clinician assigned me")
    CARE_TEAM = "care_team", _("Who is on my care team and how to reach them")


#: The same choices as a supporter reads them (SharingScope labels speak as the patient).
SUPPORTER_SCOPE_LABELS = {
    SharingScope.DIARY_SUMMARY: _("A weekly summary of their diary card"),
    SharingScope.SAFETY_PLAN: _("Their safety plan"),
    SharingScope.ASSIGNED_READING: _("The reading their clinician assigned"),
    SharingScope.CARE_TEAM: _("Who is on their care team and how to reach them"),
}


class SupporterLinkQuerySet(models.QuerySet["SupporterLink"]):
    def current(self) -> SupporterLinkQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class SupporterLink(models.Model):
    """A supporter (family member, partner, friend) and what the patient shares with them."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="supporter_links")
    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supporting"
    )
    relationship = models.CharField(_("relationship"), max_length=60, blank=True)
    scopes = models.JSONField(_("shared"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = SupporterLinkQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "supporter"],
                condition=Q(withdrawn_at__isnull=True),
                name="supporter_link_one_current_per_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.supporter} supports {self.patient}"

    @property
    def scope_labels(self) -> list[str]:
        """What is shared, in the patient's words."""
        labels = dict(SharingScope.choices)
        return [str(labels[scope]) for scope in self.scopes if scope in labels]

    @property
    def scope_labels_for_supporter(self) -> list[str]:
        """What is shared, as the supporter reads it."""
        return [
            str(SUPPORTER_SCOPE_LABELS[scope])
            for scope in self.scopes
            if scope in SUPPORTER_SCOPE_LABELS
        ]


class BreakGlassGrant(models.Model):
    """Time-limited access to one patient's clinical record for an admin, with a reason."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="break_glass")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    reason = models.TextField(_("reason"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Break-glass by {self.user} on {self.patient}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()

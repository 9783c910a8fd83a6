"""The skills library (built-in and a clinic's own skills), favourites and the practice log."""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from care.models import Patient
from skills.vocabulary import Module

DISTRESS_MAX = 100
NOTE_MAX = 1000


class Skill(models.Model):
    """A skill of the library: built in (``organisation`` is empty, loaded from
    ``skills/content``) or a clinic's own."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="skills",
        help_text=_("Empty for the built-in skills; set for a clinic's own."),
    )
    slug = models.SlugField(_("short name"), max_length=60)
    name = models.CharField(_("name"), max_length=60)
    acronym = models.CharField(_("acronym"), max_length=20, blank=True)
    module = models.CharField(_("module"), max_length=40, choices=Module.choices)
    summary = models.TextField(_("what it is for"), max_length=600)
    when = models.TextField(_("when to reach for it"), max_length=600)
    steps = models.JSONField(_("steps"), default=list)
    example = models.TextField(_("example"), max_length=1000)
    minutes = models.PositiveSmallIntegerField(
        _("typical minutes"), validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    situations = models.JSONField(_("situations"), default=list)
    references = models.JSONField(_("references"), default=list)
    caution = models.TextField(_("caution"), max_length=600, blank=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["module", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(organisation__isnull=True),
                name="skills_builtin_slug_unique",
            ),
            models.UniqueConstraint(
                fields=["organisation", "slug"],
                condition=Q(organisation__isnull=False),
                name="skills_clinic_slug_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_builtin(self) -> bool:
        return self.organisation_id is None


class Favourite(models.Model):
    """A skill a patient starred."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="favourite_skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "skill"], name="skills_one_favourite")
        ]

    def __str__(self) -> str:
        return f"{self.patient} ★ {self.skill}"


class PracticeSource(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("App")


class Practice(models.Model):
    """One time a patient practised a skill, with their distress (0–100) before and after."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="skill_practices")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="practices")
    practised_at = models.DateTimeField(_("when"))
    #: The patient's local calendar day of ``practised_at`` (the diary card's day).
    day = models.DateField()
    distress_before = models.PositiveSmallIntegerField(
        _("distress before (0–100)"), validators=[MaxValueValidator(DISTRESS_MAX)]
    )
    distress_after = models.PositiveSmallIntegerField(
        _("distress after (0–100)"), validators=[MaxValueValidator(DISTRESS_MAX)]
    )
    note = models.TextField(_("note"), max_length=NOTE_MAX, blank=True)
    #: Whether the practice was added to that day's diary card (only while it was editable).
    on_card = models.BooleanField(default=False)
    source = models.CharField(
        max_length=10, choices=PracticeSource.choices, default=PracticeSource.WEB
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-practised_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-practised_at"], name="skills_practice_recent"),
            models.Index(fields=["patient", "skill"], name="skills_practice_by_skill"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(distress_before__lte=DISTRESS_MAX)
                & Q(distress_after__lte=DISTRESS_MAX),
                name="skills_distress_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} by {self.patient} at {self.practised_at:%Y-%m-%d %H:%M}"

    @property
    def drop(self) -> int:
        """How far distress went down (negative: it went up)."""
        return self.distress_before - self.distress_after

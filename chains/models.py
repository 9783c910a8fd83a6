"""The behaviour chain analysis worksheet (CLINICAL.md §2.2): a chain, its links, and the
comments on each link."""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from care.models import Patient

#: Length limits of the worksheet's free text (characters).
BEHAVIOUR_MAX = 300
SECTION_MAX = 4000
LINK_TEXT_MAX = 1000
ALTERNATIVE_MAX = 1000
COMMENT_MAX = 2000
#: A worksheet holds at most this many links and this many skills per link.
LINKS_MAX = 60
SKILLS_PER_LINK_MAX = 8
INTENSITY_MAX = 100


class ChainStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SHARED = "shared", _("Shared with my care team")


class LinkKind(models.TextChoices):
    THOUGHT = "thought", _("Thought")
    FEELING = "feeling", _("Feeling")
    BODY = "body", _("Body sensation")
    ACTION = "action", _("Action")
    EVENT = "event", _("Event")


#: The worksheet's text sections, in the order the worksheet asks them.
SECTIONS: tuple[str, ...] = (
    "problem_behaviour",
    "prompting_event",
    "vulnerabilities",
    "consequences_short",
    "consequences_long",
    "prevention",
    "repair",
)


class ChainAnalysis(models.Model):
    """One chain analysis of one problem behaviour, written by the patient.

    A draft is the patient's alone; once shared it is read-only and the care team can
    read and comment on it. ``version`` goes up with every change, so that a save based on
    an older version (another tab, the app) is refused instead of overwriting it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="chain_analyses")
    status = models.CharField(max_length=10, choices=ChainStatus.choices, default=ChainStatus.DRAFT)
    problem_behaviour = models.CharField(_("problem behaviour"), max_length=BEHAVIOUR_MAX)
    #: The diary day the chain was started from, and what that day's card said then.
    day = models.DateField(_("day"), null=True, blank=True)
    from_card = models.ForeignKey(
        "diary.DiaryCard", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    day_snapshot = models.JSONField(default=dict, blank=True)
    prompting_event = models.TextField(_("prompting event"), max_length=SECTION_MAX, blank=True)
    vulnerabilities = models.TextField(_("vulnerabilities"), max_length=SECTION_MAX, blank=True)
    consequences_short = models.TextField(
        _("consequences straight after"), max_length=SECTION_MAX, blank=True
    )
    consequences_long = models.TextField(
        _("consequences later on"), max_length=SECTION_MAX, blank=True
    )
    prevention = models.TextField(_("prevention plan"), max_length=SECTION_MAX, blank=True)
    repair = models.TextField(_("repair"), max_length=SECTION_MAX, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    shared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("chain analysis")
        verbose_name_plural = _("chain analyses")
        indexes = [
            models.Index(fields=["patient", "status", "-created_at"], name="chains_by_patient"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", shared_at__isnull=True)
                | Q(status="shared", shared_at__isnull=False),
                name="chains_shared_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Chain analysis of {self.patient}: {self.problem_behaviour[:40]}"

    @property
    def is_draft(self) -> bool:
        return self.status == ChainStatus.DRAFT


class ChainLink(models.Model):
    """One link of the chain: a thought, feeling, body sensation, action or event, in order,
    with what could have been done instead (skills from the library, and free text)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    chain = models.ForeignKey(ChainAnalysis, on_delete=models.CASCADE, related_name="links")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=LinkKind.choices)
    text = models.TextField(_("what happened"), max_length=LINK_TEXT_MAX)
    intensity = models.PositiveSmallIntegerField(
        _("how strong (0–100)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(INTENSITY_MAX)],
    )
    skills = models.ManyToManyField(
        "skills.Skill", blank=True, related_name="+", verbose_name=_("skilful alternatives")
    )
    alternative = models.TextField(
        _("what I could do instead"), max_length=ALTERNATIVE_MAX, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["chain", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(intensity__isnull=True) | Q(intensity__lte=INTENSITY_MAX),
                name="chains_intensity_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:40]}"


class LinkComment(models.Model):
    """A comment on one link of a shared chain, by a clinician on the team or the patient."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    link = models.ForeignKey(ChainLink, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"), max_length=COMMENT_MAX)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["link", "created_at", "id"]

    def __str__(self) -> str:
        return f"Comment by {self.author_id} on {self.link_id}"

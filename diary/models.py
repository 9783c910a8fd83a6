"""The daily diary card, and the dated lists of targets and emotions it is filled against."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from care.models import Patient

RATING_MAX = 5
SKILLS_MAX = 7


class DatedItemQuerySet(models.QuerySet[Any]):
    def active_on(self, day: date) -> DatedItemQuerySet:
        """The items in use on ``day`` (started on or before it, not yet retired)."""
        return self.filter(active_from__lte=day).filter(
            Q(retired_on__isnull=True) | Q(retired_on__gt=day)
        )


def is_active_on(item: Target | Emotion, day: date) -> bool:
    """Whether ``item`` is in use on ``day``: ``DatedItemQuerySet.active_on`` for one item."""
    return item.active_from <= day and (item.retired_on is None or item.retired_on > day)


class TargetKind(models.TextChoices):
    SUICIDE = "suicide", _("Suicide")
    SELF_HARM = "self_harm", _("Self-harm")
    SUBSTANCE = "substance", _("Alcohol or drug use")
    OTHER = "other", _("Personal target")


class DatedItem(models.Model):
    """Something the card asks about, in use from ``active_from`` until ``retired_on``.

    Changing an item retires it and adds a new one, so old cards keep the wording they
    were filled in with.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="diary_%(class)ss")
    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveSmallIntegerField(default=0)
    active_from = models.DateField()
    retired_on = models.DateField(null=True, blank=True)

    objects = DatedItemQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Target(DatedItem):
    """A behaviour the patient works on, rated as an urge (0–5) and whether it was acted on."""

    kind = models.CharField(_("kind"), max_length=20, choices=TargetKind.choices)
    asks_detail = models.BooleanField(
        _("ask what and how much"),
        default=False,
        help_text=_("When acted on, ask what was done and how much."),
    )

    class Meta(DatedItem.Meta):
        pass


class Emotion(DatedItem):
    """An emotion rated 0–5 on the card."""

    class Meta(DatedItem.Meta):
        pass


class CardSource(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("App")
    OFFLINE = "offline", _("Sent after being offline")


class DiaryCard(models.Model):
    """One patient's card for one local calendar day."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="diary_cards")
    date = models.DateField(_("date"))
    skills_used = models.PositiveSmallIntegerField(
        _("skills used"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(SKILLS_MAX)],
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)
    prescribed_meds_taken = models.BooleanField(
        _("prescribed medication taken as prescribed"), null=True, blank=True
    )
    prn_meds = models.CharField(_("as-needed medication"), max_length=200, blank=True)
    alcohol = models.CharField(_("alcohol"), max_length=200, blank=True)
    drugs = models.CharField(_("drugs"), max_length=200, blank=True)
    sleep_hours = models.DecimalField(
        _("hours of sleep"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
    )
    note = models.TextField(_("note"), max_length=4000, blank=True)
    filled_in_session = models.BooleanField(_("filled in during a session"), default=False)
    is_late = models.BooleanField(
        default=False, help_text=_("First saved after the day had ended.")
    )
    source = models.CharField(max_length=10, choices=CardSource.choices, default=CardSource.WEB)
    first_saved_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "date"], name="diary_one_card_per_day"),
            models.CheckConstraint(
                condition=Q(skills_used__isnull=True) | Q(skills_used__lte=SKILLS_MAX),
                name="diary_skills_used_0_7",
            ),
        ]

    def __str__(self) -> str:
        return f"Diary card of {self.patient} for {self.date}"


class CardTarget(models.Model):
    card = models.ForeignKey(DiaryCard, on_delete=models.CASCADE, related_name="targets")
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="+")
    urge = models.PositiveSmallIntegerField(
        _("urge"), null=True, blank=True, validators=[MaxValueValidator(RATING_MAX)]
    )
    acted = models.BooleanField(_("acted on it"), null=True, blank=True)
    detail = models.CharField(_("what and how much"), max_length=200, blank=True)

    class Meta:
        ordering = ["target__position", "target_id"]
        constraints = [
            models.UniqueConstraint(fields=["card", "target"], name="diary_one_row_per_target"),
            models.CheckConstraint(
                condition=Q(urge__isnull=True) | Q(urge__lte=RATING_MAX), name="diary_urge_0_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.urge}"


class CardEmotion(models.Model):
    card = models.ForeignKey(DiaryCard, on_delete=models.CASCADE, related_name="emotions")
    emotion = models.ForeignKey(Emotion, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MaxValueValidator(RATING_MAX)]
    )

    class Meta:
        ordering = ["emotion__position", "emotion_id"]
        constraints = [
            models.UniqueConstraint(fields=["card", "emotion"], name="diary_one_row_per_emotion"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__lte=RATING_MAX),
                name="diary_emotion_0_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.emotion}: {self.rating}"


class CardRevision(models.Model):
    """The whole card as saved, once per save: the card's change history. Append-only."""

    card = models.ForeignKey(DiaryCard, on_delete=models.CASCADE, related_name="revisions")
    saved_at = models.DateTimeField(auto_now_add=True)
    saved_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True
    )
    mode = models.CharField(max_length=10)
    source = models.CharField(max_length=10, choices=CardSource.choices)
    values = models.JSONField()

    class Meta:
        ordering = ["card", "saved_at", "id"]

    def __str__(self) -> str:
        return f"{self.card} saved {self.saved_at:%Y-%m-%d %H:%M}"

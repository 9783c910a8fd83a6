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

"""A change to a patient's targets or emotions raises the patient's ``diary_items_version``
(the version stamp of the per-process cache of those lists, core/versioned_cache.py)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from care.models import Patient
from core.versioned_cache import bump_version, raise_version
from diary.models import Emotion, Target


@receiver(post_save, sender=Target)
@receiver(post_save, sender=Emotion)
@receiver(post_delete, sender=Target)
@receiver(post_delete, sender=Emotion)
def items_changed(sender: type[Target | Emotion], instance: Target | Emotion, **_: Any) -> None:
    if type(instance).patient.is_cached(instance):  # type: ignore[attr-defined]
        # Refreshes the caller's patient object too (it is the one the item points at).
        bump_version(instance.patient, "diary_items_version")
    else:
        raise_version(Patient, instance.patient_id, "diary_items_version")

"""A change to a clinic's risk rules raises the clinic's ``risk_rules_version`` (the
version stamp of the per-process cache of its rules, core/versioned_cache.py)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import Organisation
from core.versioned_cache import raise_version
from safety.models import RiskRule


@receiver(post_save, sender=RiskRule)
@receiver(post_delete, sender=RiskRule)
def rules_changed(sender: type[RiskRule], instance: RiskRule, **_: Any) -> None:
    raise_version(Organisation, instance.organisation_id, "risk_rules_version")

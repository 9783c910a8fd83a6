"""Store the built-in skills from the content files, idempotently.

``sync_builtin`` takes the model class, so that the data migration can pass its
historical model and ``load_skills`` the current one. A skill that left the content is
marked inactive, never deleted: practices keep pointing at it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from skills.catalogue import SkillSpec

#: The model fields a content skill sets (``sync_builtin`` skips any the model lacks).
CONTENT_FIELDS = (
    "name",
    "acronym",
    "module",
    "summary",
    "when",
    "steps",
    "example",
    "minutes",
    "situations",
    "references",
    "caution",
    "position",
)


@dataclass(frozen=True)
class SyncResult:
    created: int
    updated: int
    unchanged: int
    deactivated: int


def _values(spec: SkillSpec, fields: Iterable[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in fields:
        value = getattr(spec, name)
        values[name] = list(value) if isinstance(value, tuple) else value
    return values


def sync_builtin(skill_model: Any, specs: list[SkillSpec]) -> SyncResult:
    """Make the built-in skills match ``specs`` (already checked) in one transaction."""
    model_fields = {field.name for field in skill_model._meta.get_fields()}
    fields = [name for name in CONTENT_FIELDS if name in model_fields]
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {
            skill.slug: skill
            for skill in skill_model.objects.select_for_update().filter(organisation__isnull=True)
        }
        for spec in specs:
            values = _values(spec, fields)
            skill = existing.get(spec.slug)
            if skill is None:
                skill_model.objects.create(slug=spec.slug, organisation=None, **values)
                created += 1
                continue
            changed = [name for name, value in values.items() if getattr(skill, name) != value]
            if not skill.is_active:
                skill.is_active = True
                changed.append("is_active")
            if changed:
                for name in changed:
                    if name != "is_active":
                        setattr(skill, name, values[name])
                skill.save(update_fields=[*changed, "updated_at"])
                updated += 1
            else:
                unchanged += 1
        wanted = {spec.slug for spec in specs}
        gone = [slug for slug, skill in existing.items() if slug not in wanted and skill.is_active]
        deactivated = skill_model.objects.filter(organisation__isnull=True, slug__in=gone).update(
            is_active=False
        )
    return SyncResult(created, updated, unchanged, deactivated)

"""Store instrument definitions as versions, all or nothing.

``sync_definitions`` takes the model classes, so that the data migration can pass its
historical models and the commands the current ones. A stored version is never changed:
a definition whose content differs from the stored one under the same version number is
refused (give it a new version), and nothing is written unless every definition is fine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from measures.definitions import Definition, DefinitionError


@dataclass(frozen=True)
class SyncResult:
    added: int
    unchanged: int


def sync_definitions(
    instrument_model: Any, version_model: Any, definitions: Sequence[Definition]
) -> SyncResult:
    """Add each definition as its instrument's version (idempotent); ``DefinitionError``
    if one changes a stored version's content."""
    added = unchanged = 0
    with transaction.atomic():
        stored = {
            (v.instrument.key, v.version): v
            for v in version_model.objects.select_related("instrument").filter(
                instrument__key__in=[d.key for d in definitions]
            )
        }
        problems = []
        for definition in definitions:
            existing = stored.get((definition.key, definition.version))
            if existing is not None and existing.definition != definition.as_data():
                problems.append(
                    f"{definition.key} version {definition.version}: differs from the stored "
                    "definition with that version; give the changed definition a new version"
                )
        if problems:
            raise DefinitionError(problems)
        for definition in definitions:
            instrument, _created = instrument_model.objects.update_or_create(
                key=definition.key,
                defaults={
                    "title": definition.title,
                    "short_title": definition.short_title,
                    "item_text": definition.item_text,
                    "is_active": True,
                },
            )
            if (definition.key, definition.version) in stored:
                unchanged += 1
                continue
            version_model.objects.create(
                instrument=instrument,
                version=definition.version,
                definition=definition.as_data(),
                digest=definition.digest(),
            )
            added += 1
    return SyncResult(added, unchanged)

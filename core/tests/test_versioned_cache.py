"""The per-process cache behind a version stamp (core/versioned_cache.py)."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

import pytest
from django.db import transaction

from core.testing.personas import World
from core.versioned_cache import VersionedCache, bump_version

pytestmark = pytest.mark.django_db


def test_a_value_is_found_only_at_its_own_version(django_capture_on_commit_callbacks: Any) -> None:
    cache: VersionedCache[str] = VersionedCache("test")
    with django_capture_on_commit_callbacks(execute=True):
        cache.put_after_commit("owner", 3, "as of 3", using="default")

    assert cache.get("owner", 3) == "as of 3"
    assert cache.get("owner", 4) is None
    assert cache.get("someone else", 3) is None


def test_nothing_is_kept_before_the_transaction_commits(
    django_capture_on_commit_callbacks: Any,
) -> None:
    cache: VersionedCache[str] = VersionedCache("test")
    with django_capture_on_commit_callbacks(execute=False) as pending:
        cache.put_after_commit("owner", 1, "read", using="default")
        assert cache.get("owner", 1) is None
    assert len(pending) == 1


def test_what_a_rolled_back_transaction_read_is_never_kept(
    django_capture_on_commit_callbacks: Any,
) -> None:
    cache: VersionedCache[str] = VersionedCache("test")
    with django_capture_on_commit_callbacks(execute=True):
        with suppress(RuntimeError), transaction.atomic():
            cache.put_after_commit("owner", 1, "written, read, then rolled back", using="default")
            raise RuntimeError
        cache.put_after_commit("owner", 2, "committed", using="default")

    assert cache.get("owner", 1) is None
    assert cache.get("owner", 2) == "committed"


def test_a_full_cache_starts_again_instead_of_growing(
    django_capture_on_commit_callbacks: Any,
) -> None:
    cache: VersionedCache[int] = VersionedCache("test", max_entries=2)
    with django_capture_on_commit_callbacks(execute=True):
        for owner in range(3):
            cache.put_after_commit(owner, 0, owner, using="default")

    assert [cache.get(owner, 0) for owner in range(3)] == [None, None, 2]


def test_bump_raises_the_stamp_in_the_database_and_on_the_object(world: World) -> None:
    patient = world.patient_record
    before = patient.diary_items_version
    elsewhere = type(patient).objects.get(pk=patient.pk)

    bump_version(patient, "diary_items_version")

    assert patient.diary_items_version == before + 1
    elsewhere.refresh_from_db()
    assert elsewhere.diary_items_version == before + 1

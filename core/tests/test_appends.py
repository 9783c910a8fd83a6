"""Append-only rows kept by a unit of work reach the database with it, whole or not at all."""

from __future__ import annotations

import itertools

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import AccessLog, Channel
from core.actions import all_or_nothing
from core.appends import append, append_update
from core.models import IdempotencyRecord
from core.testing.personas import World

pytestmark = pytest.mark.django_db
_KEYS = itertools.count()


def record(world: World, key: str, body: object = None) -> IdempotencyRecord:
    return IdempotencyRecord(
        user=world.admin,
        key=key,
        request_hash="0" * 64,
        status_code=201,
        response_body={"sent": body},
    )


def read(world: World, text: str = "") -> AccessLog:
    return AccessLog(
        actor=world.admin,
        actor_email=world.admin.email,
        actor_role=world.admin.role,
        resource="care.view_patient",
        object_id=text,
        channel=Channel.API,
    )


def test_outside_a_unit_of_work_a_row_is_saved_at_once(world: World) -> None:
    append(record(world, "now"))

    assert IdempotencyRecord.objects.filter(key="now").exists()


def test_rows_kept_inside_are_written_together_before_the_commit(world: World) -> None:
    with CaptureQueriesContext(connection) as queries, all_or_nothing():
        append(read(world, "first"))
        append(record(world, "kept"))
        # Not written yet: nothing inside reads them back
        assert not IdempotencyRecord.objects.filter(key="kept").exists()

    kept = IdempotencyRecord.objects.get(key="kept")
    assert kept.response_body == {"sent": None}
    assert kept.created_at is not None  # auto_now_add applies as on save()
    assert AccessLog.objects.get(object_id="first").actor == world.admin
    inserts = [q for q in queries.captured_queries if "INSERT" in q["sql"]]
    # One message on PostgreSQL, one statement per row elsewhere
    assert len(inserts) == (1 if connection.vendor == "postgresql" else 2)


def test_an_error_inside_writes_none_of_the_kept_rows(world: World) -> None:
    with pytest.raises(RuntimeError), all_or_nothing():
        append(read(world, "lost"))
        append(record(world, "lost"))
        raise RuntimeError("the operation failed")

    assert not AccessLog.objects.filter(object_id="lost").exists()
    assert not IdempotencyRecord.objects.filter(key="lost").exists()


def test_a_failing_row_rolls_back_the_rows_sent_with_it(world: World) -> None:
    append(record(world, "taken"))

    with pytest.raises(IntegrityError), all_or_nothing():
        append(read(world, "with-the-duplicate"))
        append(record(world, "taken"))  # the key exists: the insert fails at the commit

    assert not AccessLog.objects.filter(object_id="with-the-duplicate").exists()
    assert IdempotencyRecord.objects.filter(key="taken").count() == 1


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    # The world is only read; each example writes rows under its own key.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    text=st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=60)
)
def test_any_text_arrives_as_sent(world: World, text: str) -> None:
    # The statements are bound on the client and sent as one message on PostgreSQL:
    # quotes, semicolons and backslashes must reach the database as data.
    key = f"text-{next(_KEYS)}"
    with all_or_nothing():
        append(read(world, key))
        append(record(world, key, body=text))

    assert AccessLog.objects.filter(object_id=key).exists()
    assert IdempotencyRecord.objects.get(key=key).response_body == {"sent": text}


def test_a_kept_update_is_made_with_the_other_writes_and_only_then(world: World) -> None:
    append(record(world, "to-update"))
    row = IdempotencyRecord.objects.get(key="to-update")

    with all_or_nothing():
        row.status_code, row.response_body = 200, {"sent": "changed; 'quoted'"}
        append_update(row, ["status_code", "response_body"])
        append(read(world, "with-the-update"))
        assert IdempotencyRecord.objects.get(key="to-update").status_code == 201  # not yet

    row.refresh_from_db()
    assert (row.status_code, row.response_body) == (200, {"sent": "changed; 'quoted'"})
    assert AccessLog.objects.filter(object_id="with-the-update").exists()


def test_an_update_outside_a_unit_of_work_is_made_at_once_and_an_error_undoes_a_kept_one(
    world: World,
) -> None:
    append(record(world, "now-updated"))
    row = IdempotencyRecord.objects.get(key="now-updated")
    row.status_code = 202
    append_update(row, ["status_code"])
    assert IdempotencyRecord.objects.get(key="now-updated").status_code == 202

    with pytest.raises(RuntimeError), all_or_nothing():
        row.status_code = 500
        append_update(row, ["status_code"])
        raise RuntimeError("the operation failed")

    assert IdempotencyRecord.objects.get(key="now-updated").status_code == 202

"""Audit rows (access log and change log) can be added, never changed or removed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, connection, models, transaction

from audit.models import AccessLog, AppendOnlyError
from care import actions
from core.testing.personas import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def access_row(world: World) -> AccessLog:
    return AccessLog.objects.create(
        actor=world.therapist,
        actor_email=world.therapist.email,
        actor_role=world.therapist.role,
        patient=world.patient_record,
        resource="care.view_patient",
        object_id=str(world.patient_record.public_id),
        channel="web",
        path="/original/",
    )


@pytest.fixture
def change_row(world: World) -> LogEntry:
    patient = actions.create_patient(
        world.admin, organisation=world.organisation, given_name="Al", family_name="Pend"
    )
    return LogEntry.objects.get_for_object(patient).get()


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


#: A text column of each table, to overwrite.
TEXT_COLUMN = {AccessLog: "path", LogEntry: "object_repr"}


# --- through the ORM ------------------------------------------------------------------------


ORM_WRITES: dict[str, Callable[[Any], object]] = {
    "instance.save": lambda row: row.save(),
    "instance.delete": lambda row: row.delete(),
    "queryset.update": lambda row: type(row).objects.filter(pk=row.pk).update(object_id="x"),
    "queryset.delete": lambda row: type(row).objects.filter(pk=row.pk).delete(),
    "all().delete": lambda row: type(row).objects.all().delete(),
}


@pytest.mark.parametrize("write", ORM_WRITES.values(), ids=ORM_WRITES.keys())
def test_access_log_rows_cannot_be_changed_through_the_orm(
    access_row: AccessLog, write: Callable[[Any], object]
) -> None:
    access_row.path = "/tampered/"

    with pytest.raises(AppendOnlyError):
        write(access_row)

    assert AccessLog.objects.get(pk=access_row.pk).path == "/original/"


@pytest.mark.parametrize("write", ORM_WRITES.values(), ids=ORM_WRITES.keys())
def test_change_log_rows_cannot_be_changed_through_the_orm(
    change_row: LogEntry, write: Callable[[Any], object]
) -> None:
    count = LogEntry.objects.count()
    change_row.object_repr = "tampered"

    with pytest.raises(AppendOnlyError):
        write(change_row)

    assert LogEntry.objects.count() == count
    assert LogEntry.objects.get(pk=change_row.pk).object_repr != "tampered"


def test_new_rows_are_still_written(world: World, access_row: AccessLog) -> None:
    entries = LogEntry.objects.count()

    actions.update_sharing(world.patient, world.supporter_link, scopes=[])
    AccessLog.objects.create(
        actor=world.admin, actor_email=world.admin.email, actor_role="admin", channel="web"
    )

    assert LogEntry.objects.count() == entries + 1
    assert AccessLog.objects.count() == 2


# --- underneath, in the database ---------------------------------------------------------------


@pytest.mark.parametrize("model", [AccessLog, LogEntry], ids=["access log", "change log"])
def test_database_refuses_a_raw_update(
    access_row: AccessLog, change_row: LogEntry, model: type[models.Model]
) -> None:
    row = access_row if model is AccessLog else change_row
    before = model._base_manager.filter(pk=row.pk).values().get()
    # The names are the models' own (no user input); the values are parameters.
    statement = f"UPDATE {table(model)} SET {TEXT_COLUMN[model]} = %s WHERE id = %s"  # noqa: S608

    # atomic(): on PostgreSQL a failed statement aborts the transaction it is in.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, ["tampered", row.pk])

    assert model._base_manager.filter(pk=row.pk).values().get() == before


@pytest.mark.parametrize("model", [AccessLog, LogEntry], ids=["access log", "change log"])
def test_database_delete_is_refused_on_postgresql(
    access_row: AccessLog, change_row: LogEntry, model: type[models.Model]
) -> None:
    row = access_row if model is AccessLog else change_row
    statement = f"DELETE FROM {table(model)} WHERE id = %s"  # noqa: S608

    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [row.pk])
        assert model._base_manager.filter(pk=row.pk).exists()
    else:
        # SQLite has no DELETE trigger by design: Django's test-database flush empties
        # tables with DELETE there (PostgreSQL uses TRUNCATE, which row triggers do not
        # see). The ORM guards above still refuse deletes; this documents the gap.
        assert connection.vendor == "sqlite"
        with connection.cursor() as cursor:
            cursor.execute(statement, [row.pk])
        assert not model._base_manager.filter(pk=row.pk).exists()

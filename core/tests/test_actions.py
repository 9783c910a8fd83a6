"""Actions record their actor in the change history without leaving signal receivers behind."""

from __future__ import annotations

import pytest
from auditlog.context import auditlog_value
from auditlog.models import LogEntry
from django.db.models.signals import pre_save

from accounts.models import Role
from care.actions import create_patient
from care.models import Patient
from core.actions import acting_as
from core.testing.api import ApiClient
from core.testing.factories import make_user
from core.testing.personas import World

pytestmark = pytest.mark.django_db


def test_api_writes_leave_no_signal_receiver_behind(world: World) -> None:
    # Given an admin who creates a patient through the API (an action inside the request)
    api = ApiClient(world.admin)
    api.post("/patients", {"given_name": "Warm", "family_name": "Up"})
    before = len(pre_save.receivers)

    # When they create twenty more
    for n in range(20):
        response = api.post("/patients", {"given_name": "Many", "family_name": f"Leak{n}"})
        assert response.status_code == 201, response.content

    # Then no request left its change-history receiver connected (each one used to: every
    # save then scanned one more receiver per request the process had served)
    assert len(pre_save.receivers) == before
    entry = LogEntry.objects.get_for_object(Patient.objects.get(family_name="Leak19")).get()
    assert entry.actor == world.admin


def test_an_action_outside_a_request_records_its_actor_and_cleans_up(world: World) -> None:
    before = len(pre_save.receivers)

    patient = create_patient(
        world.admin, organisation=world.organisation, given_name="Cli", family_name="Command"
    )

    assert LogEntry.objects.get_for_object(patient).get().actor == world.admin
    assert len(pre_save.receivers) == before
    assert auditlog_value.get(None) is None  # no context left open


def test_a_nested_actor_is_restored_on_the_way_out(world: World) -> None:
    # Given an outer context for one admin, and an inner one for another
    other_admin = make_user(Role.ADMIN, world.organisation)
    before = len(pre_save.receivers)

    with acting_as(world.admin):
        with acting_as(other_admin):
            inner = create_patient(
                other_admin, organisation=world.organisation, given_name="In", family_name="Ner"
            )
        outer = world.patient_record
        outer.preferred_name = "Outer"
        outer.save()

    # Then each write has its own author, and nothing stays connected
    assert LogEntry.objects.get_for_object(inner).get().actor == other_admin
    assert LogEntry.objects.get_for_object(outer).latest("timestamp").actor == world.admin
    assert len(pre_save.receivers) == before

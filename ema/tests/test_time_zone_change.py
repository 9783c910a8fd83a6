"""A patient who changes their profile's time zone: their record follows, and the coming
check-ins are planned again at the same local times in the new zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from accounts.actions import update_profile
from ema.models import PromptStatus
from ema.planning import plan_schedule
from ema.tests.builders import make_ema_patient, make_prompt, make_schedule, prompts_of

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 2, 6, 0, tzinfo=UTC)  # 08:00 in Amsterdam, 02:00 in New York


@time_machine.travel(NOW, tick=False)
def test_the_coming_check_ins_move_to_the_new_zone_and_started_ones_stay() -> None:
    patient = make_ema_patient(time_zone="Europe/Amsterdam")
    schedule = make_schedule(patient, times=["09:00", "20:00"])
    plan_schedule(schedule)
    assert prompts_of(schedule)[0] == datetime(2025, 6, 2, 7, 0, tzinfo=UTC)  # 09:00 CEST
    # One of the old prompts is already being delivered: it is not taken back
    sending = make_prompt(schedule, datetime(2025, 6, 2, 6, 30, tzinfo=UTC), claimed_at=NOW)

    # When the patient, travelling, sets their profile to New York
    assert patient.user is not None
    user = patient.user
    update_profile(user, full_name=user.full_name, time_zone="America/New_York", language="en")

    # Then their record is in New York time, and the check-ins are at 09:00 and 20:00 there
    patient.refresh_from_db()
    assert patient.time_zone == "America/New_York"
    planned = prompts_of(schedule)
    assert datetime(2025, 6, 2, 13, 0, tzinfo=UTC) in planned  # 09:00 EDT
    assert datetime(2025, 6, 3, 0, 0, tzinfo=UTC) in planned  # 20:00 EDT
    assert datetime(2025, 6, 2, 7, 0, tzinfo=UTC) not in planned  # the Amsterdam 09:00
    sending.refresh_from_db()
    assert sending.status == PromptStatus.PLANNED and sending.claimed_at == NOW


def test_a_profile_saved_without_a_new_zone_plans_nothing_again() -> None:
    patient = make_ema_patient(time_zone="Europe/Amsterdam")
    schedule = make_schedule(patient, times=["09:00"])
    plan_schedule(schedule)
    before = set(schedule.prompts.values_list("pk", flat=True))
    assert patient.user is not None
    update_profile(patient.user, full_name="New Name", time_zone="Europe/Amsterdam", language="en")
    assert set(schedule.prompts.values_list("pk", flat=True)) == before

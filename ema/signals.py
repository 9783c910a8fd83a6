"""The check-in planner follows a patient's time zone: prompts planned in the old zone that
nobody has started to deliver are removed and planned again in the new one."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from care.signals import patient_time_zone_changed


@receiver(patient_time_zone_changed)
def replan_in_the_new_zone(sender: Any, patient: Any, **kwargs: Any) -> None:
    from ema.models import Schedule
    from ema.planning import replan

    replan(Schedule.objects.filter(patient=patient, active=True))

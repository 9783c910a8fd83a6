"""What the care app tells the later apps, and what it follows from accounts.

A patient who changes the time zone of their profile (travelling, moving) changes the zone
of their record too: the diary's "today" and their check-in times follow it. The record's
change is announced with ``patient_time_zone_changed``, so that ``ema`` plans the coming
check-ins again in the new zone.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal, receiver

from accounts.signals import time_zone_changed

#: sender: the Patient class; patient: the record, with its new ``time_zone`` saved.
patient_time_zone_changed = Signal()


@receiver(time_zone_changed)
def follow_the_patients_profile(sender: Any, user: Any, **kwargs: Any) -> None:
    from care.models import Patient

    patient = Patient.objects.filter(user=user).first()
    if patient is None or patient.time_zone == user.time_zone:
        return
    patient.time_zone = user.time_zone
    patient.save(update_fields=["time_zone", "updated_at"])
    patient_time_zone_changed.send(sender=Patient, patient=patient)

"""Questionnaire history for the featured demo patient: a PHQ-9 every two weeks for three
months, falling from the moderately severe range to below 10 (reliable improvement, then
recovered), and a GAD-7 waiting to be filled in. Written with the product's own actions;
a patient who already has assignments is left alone."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from measures import actions
from measures.models import Administration, Assignment, Instrument, Score

if TYPE_CHECKING:
    from accounts.models import User
    from care.models import Patient

#: PHQ-9 answers (items 1–9; item 9 always 0), oldest first, two weeks apart.
PHQ9_COURSE = (
    (3, 2, 3, 2, 2, 2, 2, 1, 0),  # 17
    (2, 2, 3, 2, 2, 2, 2, 1, 0),  # 16
    (2, 2, 2, 2, 1, 2, 1, 1, 0),  # 13
    (1, 2, 2, 1, 1, 1, 1, 1, 0),  # 10
    (1, 1, 1, 1, 1, 1, 1, 0, 0),  # 7
    (1, 1, 1, 1, 0, 1, 0, 0, 0),  # 5
)


def ensure_measures(patient: Patient, therapist: User | None) -> int:
    """Add the history; returns how many questionnaires were sent (0 if already there)."""
    if Assignment.objects.filter(patient=patient).exists():
        return 0
    now = timezone.now()
    phq9 = Instrument.objects.get(key="phq9")
    assignment = actions.assign_instrument(
        therapist,
        patient,
        phq9,
        frequency="weeks",
        every=2,
        first_due_at=now - timedelta(weeks=2 * len(PHQ9_COURSE)),
    )
    version = actions.current_version(phq9)
    Administration.objects.filter(assignment=assignment).delete()
    for index, values in enumerate(PHQ9_COURSE):
        when = now - timedelta(weeks=2 * (len(PHQ9_COURSE) - index))
        administration = Administration.objects.create(
            patient=patient, assignment=assignment, version=version, due_at=when
        )
        actions.submit_administration(
            patient.user, administration, {str(n): v for n, v in enumerate(values, start=1)}
        )
        # Dated as sent on the day it was due, so the chart shows three months.
        Administration.objects.filter(pk=administration.pk).update(
            submitted_at=when, started_at=when, reminded_at=when
        )
        Score.objects.filter(administration=administration).update(observed_at=when)
    actions.assign_instrument(therapist, patient, Instrument.objects.get(key="gad7"))
    return len(PHQ9_COURSE)

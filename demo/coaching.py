"""Coaching for the demo: each clinician's coaching hours, and the featured patient's
requests (one answered and closed last week, one waiting now).

Written with the product's own actions, then dated back where they are history. A
clinician who already has hours, or a patient who already has requests, is left alone.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import TYPE_CHECKING

from accounts.models import Role, User
from coaching import actions
from coaching.actions import WindowSpec
from coaching.models import Availability, CoachingMessage, CoachingRequest
from skills.models import Skill

if TYPE_CHECKING:
    from care.models import Patient

#: Weekdays 09:00–12:00 and 14:00–17:00, Thursday evening 18:00–20:00.
WINDOWS = (
    *(WindowSpec(day, time(9), time(12)) for day in range(5)),
    *(WindowSpec(day, time(14), time(17)) for day in range(5)),
    WindowSpec(3, time(18), time(20)),
)
ANSWER = (
    "Thank you for reaching out before acting. You already did STOP, which is great. Try "
    "TIP now: cold water on your face for thirty seconds, then paced breathing for five "
    "minutes. Then message me how strong the urge is, 0 to 5."
)
PATIENT_REPLY = "Did the cold water and the breathing. Urge is down to 2. Going for a walk."


def ensure_coaching(patient: Patient, therapist: User | None) -> int:
    """Hours for every demo clinician; two requests for ``patient``. Returns requests added."""
    clinicians = User.objects.filter(organisation=patient.organisation, role=Role.CLINICIAN)
    for clinician in clinicians:
        if not Availability.objects.filter(clinician=clinician).exists():
            actions.set_availability(
                clinician,
                time_zone=patient.organisation.time_zone,
                windows=WINDOWS,
                answer_within_minutes=60,
            )
    if (
        therapist is None
        or patient.user is None
        or CoachingRequest.objects.filter(patient=patient).exists()
    ):
        return 0
    writer = patient.user
    skills = {skill.name: skill for skill in Skill.objects.filter(organisation__isnull=True)}
    tried = [skills[name] for name in ("STOP", "Self-soothe") if name in skills]

    # Last week: an urge to drink after an argument, answered within the hour, then closed
    past = actions.ask_for_coaching(
        writer, patient, distress=75, emotion="anger", emotion_intensity=4,
        urge="substance", urge_intensity=4,
        situation="Argument with my brother; I want to go to the shop and buy a bottle.",
        skills_tried=tried,
    )  # fmt: skip
    actions.answer_request(therapist, past, ANSWER)
    actions.reply_to_request(writer, past, PATIENT_REPLY)
    actions.close_request(therapist, past)
    week = timedelta(days=7)
    asked = past.created_at - week
    CoachingRequest.objects.filter(pk=past.pk).update(
        created_at=asked,
        expected_by=(past.expected_by - week) if past.expected_by else None,
        first_response_at=asked + timedelta(minutes=24),
        closed_at=asked + timedelta(hours=2),
        notified_at=asked + timedelta(minutes=1),
        patient_seen_at=asked + timedelta(hours=2),
    )
    for offset, message in enumerate(CoachingMessage.objects.filter(request=past).order_by("id")):
        CoachingMessage.objects.filter(pk=message.pk).update(
            created_at=asked + timedelta(minutes=24 + 40 * offset)
        )

    # Now: sadness and loneliness in the evening, waiting for an answer
    actions.ask_for_coaching(
        writer, patient, distress=55, emotion="loneliness", emotion_intensity=3,
        urge="none", urge_intensity=0,
        situation="Everyone is busy this weekend and the flat feels very empty.",
        skills_tried=[skills[name] for name in ("Accumulate positives",) if name in skills],
    )  # fmt: skip
    return 2

"""The demo patients' skills practice log, taken from the skills their diary cards name.

Each card that lists a built-in skill by name gets one practice of it that evening, with
distress before and after drawn from the seed: larger drops on days the card says skills
helped (5–7 on the 0–7 scale), sometimes none. So the clinician's skills view and the
coach's personal ranking have something to show. Patients who already have practices
are left alone (a second load adds nothing).
"""

from __future__ import annotations

import random
from datetime import datetime, time
from zoneinfo import ZoneInfo

from care.models import Patient
from diary.models import DiaryCard
from skills.models import Practice, PracticeSource, Skill


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join(str(part) for part in ("practice", seed, *parts)))


def ensure_practices(seed: int, patients: list[Patient]) -> int:
    """Add the practices of every patient in ``patients`` who has none; return how many."""
    skills = {skill.name: skill for skill in Skill.objects.filter(organisation__isnull=True)}
    done = set(Practice.objects.filter(patient__in=patients).values_list("patient_id", flat=True))
    rows: list[Practice] = []
    for patient in patients:
        if patient.pk in done:
            continue
        zone = ZoneInfo(patient.time_zone)
        cards = DiaryCard.objects.filter(patient=patient).exclude(skills=[]).order_by("date")
        for card in cards:
            for name in card.skills:
                skill = skills.get(name)
                if skill is None:
                    continue
                rng = _rng(seed, patient.record_number, card.date, name)
                before = rng.randint(35, 90)
                helped = (card.skills_used or 0) >= 5
                drop = max(-10, round(rng.normalvariate(22 if helped else 6, 10)))
                at = datetime.combine(card.date, time(19, rng.randint(0, 59)), tzinfo=zone)
                rows.append(
                    Practice(
                        patient=patient,
                        skill=skill,
                        practised_at=at,
                        day=card.date,
                        distress_before=before,
                        distress_after=min(100, max(0, before - drop)),
                        on_card=True,
                        source=PracticeSource.API,
                        created_by=patient.user,
                    )
                )
    Practice.objects.bulk_create(rows, batch_size=500)
    return len(rows)

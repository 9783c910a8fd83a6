"""Research consent in the demo: most patients who use the app agree, so the researcher's
workspace (researcher@…) has de-identified data to download.

The featured patient (the first, ``patient@…``) has not agreed, so the demo shows the
consent page before a choice is made. Each other app patient agrees with probability
2/3, drawn from the seed; the consent is given through the patient's own action, which is
only for patients who never made a choice (a second load adds nothing, and does not
undo a withdrawal made in the demo).
"""

from __future__ import annotations

import random

from care.models import Patient
from research.actions import grant_consent
from research.models import ResearchConsent

SHARE_AGREEING = 2 / 3


def ensure_research_consents(seed: int, patients: list[Patient]) -> int:
    """Consents for the seed's chosen patients (never the first); return how many stand."""
    chose = set(
        ResearchConsent.objects.filter(patient__in=patients).values_list("patient_id", flat=True)
    )
    for patient in patients[1:]:
        if patient.pk in chose:
            continue
        rng = random.Random(f"research:{seed}:{patient.record_number}")
        if rng.random() < SHARE_AGREEING and patient.user is not None:
            grant_consent(patient.user, patient)
    return ResearchConsent.objects.current().filter(patient__in=patients).count()

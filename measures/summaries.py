"""Plain-language words about a score, for the patient and for the clinician.

Never a diagnosis: a score is described as where it falls on the questionnaire, and the
patient is told their care team will go through it with them. Band names are shown to
patients only where the definition allows it (``show_band_to_patient``); screens for risk
never show one.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from measures.definitions import Definition
from measures.scoring import (
    NO_RELIABLE_CHANGE,
    RECOVERED,
    RELIABLE_DETERIORATION,
    RELIABLE_IMPROVEMENT,
)

CHANGE_LABELS = {
    RELIABLE_IMPROVEMENT: _lazy("Reliable improvement"),
    NO_RELIABLE_CHANGE: _lazy("No reliable change"),
    RELIABLE_DETERIORATION: _lazy("Reliable deterioration"),
    RECOVERED: _lazy("Recovered"),
}


def number(value: float | None, decimals: int) -> str:
    if value is None:
        return "—"
    return f"{value:.{decimals}f}"


def patient_summary(definition: Definition, value: float | None, band: str) -> str:
    """What the patient reads after sending a questionnaire."""
    if value is None:
        return _(
            "Thank you. Not enough questions were answered to add up a score; your care "
            "team can go through it with you."
        )
    low, high = definition.score_range()
    decimals = definition.scoring.decimals
    text = _("Thank you. Your answers add up to %(score)s on a scale from %(low)s to %(high)s.") % {
        "score": number(value, decimals),
        "low": number(float(low), decimals),
        "high": number(float(high), decimals),
    }
    if definition.show_band_to_patient and band:
        text += " " + _("On this questionnaire, that is in the range called “%(band)s”.") % {
            "band": band
        }
    text += " " + _(
        "A score is not a diagnosis. Your care team will look at it with you and talk about "
        "what it means for you."
    )
    return text


def change_label(label: str) -> str:
    return str(CHANGE_LABELS.get(label, label))


CLINICIAN_NOTE = _lazy(
    "Scores, bands and reliable-change markers support clinical judgement; they are not a "
    "diagnosis."
)

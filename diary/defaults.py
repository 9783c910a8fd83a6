"""The default targets and emotions a new card starts with (the clinician can change them).

Sources: CLINICAL.md §2 — urges for suicide, self-harm and using drugs or alcohol; the
2015 card rates emotional misery, physical misery and joy, and programmes commonly add
anger, fear, sadness, shame and guilt.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from diary.models import TargetKind

DEFAULT_TARGETS = (
    (_("Suicide"), TargetKind.SUICIDE, False),
    (_("Self-harm"), TargetKind.SELF_HARM, True),
    (_("Alcohol or drugs"), TargetKind.SUBSTANCE, True),
)

DEFAULT_EMOTIONS = (
    _("Sadness"),
    _("Anger"),
    _("Fear"),
    _("Shame"),
    _("Guilt"),
    _("Joy"),
    _("Emotional misery"),
    _("Physical misery"),
)

#: The 0–7 skills-use scale (CLINICAL.md §2), in our own words.
SKILLS_SCALE = (
    (0, _("Didn't think about or use skills")),
    (1, _("Thought about them, didn't use them, didn't want to")),
    (2, _("Thought about them, didn't use them, wanted to")),
    (3, _("Tried, but couldn't use them")),
    (4, _("Tried and used them, they didn't help")),
    (5, _("Tried and used them, they helped")),
    (6, _("Used them without trying, they didn't help")),
    (7, _("Used them without trying, they helped")),
)

"""The fixed words the skills library is sorted by: the four modules and the situations.

Content files (``skills/content/*.toml``), the library's filters and the coach all use
these values, so a typo in a content file is caught when it is loaded.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Module(models.TextChoices):
    MINDFULNESS = "mindfulness", _("Mindfulness")
    DISTRESS_TOLERANCE = "distress_tolerance", _("Distress tolerance")
    EMOTION_REGULATION = "emotion_regulation", _("Emotion regulation")
    INTERPERSONAL_EFFECTIVENESS = "interpersonal_effectiveness", _("Interpersonal effectiveness")


class Situation(models.TextChoices):
    """What a person is facing, in their words; each skill lists the ones it helps with."""

    CRISIS = "crisis", _("I'm in crisis")
    URGE = "urge", _("I have an urge I don't want to act on")
    EMOTION_DOESNT_FIT = "emotion_doesnt_fit", _("This feeling doesn't fit the facts")
    EMOTION_FITS = "emotion_fits", _("This feeling fits, and there's a problem to solve")
    ASK_FOR_SOMETHING = "ask_for_something", _("I need to ask for something or say no")
    RELATIONSHIP = "relationship", _("I want to look after a relationship")
    SELF_RESPECT = "self_respect", _("I want to keep my self-respect")
    CANT_CHANGE = "cant_change", _("I can't change what's happening")
    VULNERABLE = "vulnerable", _("I'm run down (sleep, food, illness, stress)")
    PRESENT = "present", _("I want to come back to the present")
    SUBSTANCES = "substances", _("Alcohol or drugs")

"""Every write of the skills app: favourites, practices (which feed the diary card) and a
clinic's own skills."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from care.models import Patient
from core.actions import ActionError, action
from diary.actions import SaveMode, store_card
from diary.cards import CLOCK_SKEW, CardValues, may_fill
from diary.models import CardSource
from skills.catalogue import check_skill
from skills.models import DISTRESS_MAX, NOTE_MAX, Favourite, Practice, PracticeSource, Skill

#: How far back a practice may be logged.
OLDEST_PRACTICE = timedelta(days=366)


@action
def set_favourite(actor: User, patient: Patient, skill: Skill, *, favourite: bool) -> bool:
    """Star (or un-star) a skill for the patient; returns whether it is now a favourite."""
    if favourite:
        Favourite.objects.get_or_create(patient=patient, skill=skill)
    else:
        Favourite.objects.filter(patient=patient, skill=skill).delete()
    return favourite


def _check_distress(value: int, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= DISTRESS_MAX:
        raise ActionError(_("Choose a number from 0 to 100."), field=field)


@action
def record_practice(
    actor: User,
    patient: Patient,
    skill: Skill,
    *,
    practised_at: datetime,
    distress_before: int,
    distress_after: int,
    note: str = "",
    source: str = PracticeSource.WEB,
) -> Practice:
    """Log a practice; while that day's diary card is editable, add the skill to it.

    The skill goes into the card's skills (by name, as the card shows skills) through the
    diary's entry merge, so nothing else on the card changes. Older days keep their
    cards as they are; the practice is stored either way.
    """
    _check_distress(distress_before, "distress_before")
    _check_distress(distress_after, "distress_after")
    if timezone.is_naive(practised_at):
        raise ActionError(_("Give the time with its time zone."), field="practised_at")
    now = timezone.now()
    if practised_at > now + CLOCK_SKEW:
        raise ActionError(_("This time is in the future."), field="practised_at")
    if practised_at < now - OLDEST_PRACTICE:
        raise ActionError(_("Log practices from the last year."), field="practised_at")
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ActionError(_("Keep the note to %(n)d characters.") % {"n": NOTE_MAX}, field="note")
    if not skill.is_active or skill.organisation_id not in (None, patient.organisation_id):
        raise ActionError(_("This skill is not in your library."), field="skill")
    day = practised_at.astimezone(ZoneInfo(patient.time_zone)).date()
    on_card = may_fill(day, patient.time_zone)
    if on_card:
        store_card(
            actor,
            patient,
            day,
            CardValues(skills=(skill.name,)),
            mode=SaveMode.ENTRY,
            source=CardSource.API if source == PracticeSource.API else CardSource.WEB,
        )
    return Practice.objects.create(
        patient=patient,
        skill=skill,
        practised_at=practised_at,
        day=day,
        distress_before=distress_before,
        distress_after=distress_after,
        note=note,
        on_card=on_card,
        source=source,
        created_by=actor,
    )


@action
def add_clinic_skill(
    actor: User,
    organisation: Organisation,
    *,
    name: str,
    module: str,
    summary: str,
    when: str,
    steps: Sequence[str],
    example: str,
    minutes: int,
    situations: Sequence[str],
    references: Sequence[str],
    acronym: str = "",
    caution: str = "",
) -> Skill:
    """Add a clinic's own skill, checked by the same rules as the built-in content."""
    slug = slugify(name)[:60].strip("-")
    spec, problems = check_skill(
        {
            "slug": slug or "-",
            "name": name,
            "acronym": acronym,
            "summary": summary,
            "when": when,
            "steps": list(steps),
            "example": example,
            "minutes": minutes,
            "situations": list(situations),
            "references": list(references),
            "caution": caution,
        },
        module=module,
    )
    if problems:
        field, message = problems[0]
        if field == "slug":
            field, message = "name", _("Use letters or digits in the name.")
        raise ActionError(f"{field.replace('_', ' ').capitalize()} {message}.", field=field)
    assert spec is not None  # noqa: S101 - no problems means a skill
    taken = Skill.objects.filter(slug=spec.slug).filter(
        Q(organisation__isnull=True) | Q(organisation=organisation)
    )
    if taken.exists():
        raise ActionError(_("The library already has a skill with this name."), field="name")
    return Skill.objects.create(
        organisation=organisation,
        slug=spec.slug,
        name=spec.name,
        acronym=spec.acronym,
        module=spec.module,
        summary=spec.summary,
        when=spec.when,
        steps=list(spec.steps),
        example=spec.example,
        minutes=spec.minutes,
        situations=list(spec.situations),
        references=list(spec.references),
        caution=spec.caution,
        position=1000,
        created_by=actor,
    )

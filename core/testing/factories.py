"""Small ``make_*`` helpers that create valid objects for tests, with overridable fields."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.actions import create_api_token
from accounts.models import ApiToken, Organisation, Role, User
from care.models import CareTeamMember, Patient, SupporterLink, TeamRole

if TYPE_CHECKING:
    from chains.models import ChainAnalysis
    from coaching.models import Availability, CoachingRequest
    from measures.models import Administration, Instrument
    from skills.models import Skill

_counter = itertools.count(1)

TEST_PASSWORD = "correct horse battery staple"


def _n() -> int:
    return next(_counter)


def make_organisation(**fields: Any) -> Organisation:
    n = _n()
    defaults: dict[str, Any] = {
        "name": f"Clinic {n}",
        "slug": f"clinic-{n}",
        "time_zone": "Europe/Amsterdam",
        "emergency_number": "112",
        "crisis_line_name": "Test crisis line",
        "crisis_line_number": "0800 123 456",
    }
    defaults.update(fields)
    return Organisation.objects.create(**defaults)


def make_user(
    role: str = Role.CLINICIAN,
    organisation: Organisation | None = None,
    *,
    password: str | None = TEST_PASSWORD,
    **fields: Any,
) -> User:
    n = _n()
    email = fields.pop("email", f"{role}{n}@example.org")
    fields.setdefault("full_name", f"{role.title()} Person {n}")
    return User.objects.create_user(email, password, role=role, organisation=organisation, **fields)


def make_patient(organisation: Organisation, *, user: User | None = None, **fields: Any) -> Patient:
    n = _n()
    defaults: dict[str, Any] = {
        "given_name": f"Given{n}",
        "family_name": f"Family{n}",
        "time_zone": organisation.time_zone,
    }
    defaults.update(fields)
    return Patient.objects.create(organisation=organisation, user=user, **defaults)


def make_patient_with_login(organisation: Organisation, **fields: Any) -> Patient:
    user = make_user(Role.PATIENT, organisation)
    return make_patient(organisation, user=user, email=user.email, **fields)


def make_team_place(
    patient: Patient, member: User, team_role: str = TeamRole.PRIMARY_THERAPIST
) -> CareTeamMember:
    return CareTeamMember.objects.create(patient=patient, member=member, team_role=team_role)


def make_supporter_link(
    patient: Patient, supporter: User, scopes: list[str] | None = None, **fields: Any
) -> SupporterLink:
    return SupporterLink.objects.create(
        patient=patient, supporter=supporter, scopes=list(scopes or []), **fields
    )


def make_totp_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def make_token(user: User, *, days: int = 30, name: str = "test") -> tuple[ApiToken, str]:
    return create_api_token(user, name=name, days=days)


def expire(token: ApiToken) -> ApiToken:
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    token.refresh_from_db()
    return token


def builtin_skill(slug: str = "tip") -> Skill:
    """A built-in skill (loaded from ``skills/content`` if a flushed database lost them)."""
    from skills.catalogue import read_catalogue
    from skills.loading import sync_builtin
    from skills.models import Skill as SkillModel

    skill = SkillModel.objects.filter(organisation__isnull=True, slug=slug).first()
    if skill is None:
        sync_builtin(SkillModel, read_catalogue())
        skill = SkillModel.objects.get(organisation__isnull=True, slug=slug)
    return skill


def make_skill(organisation: Organisation, **fields: Any) -> Skill:
    """A clinic's own skill."""
    from skills.models import Skill as SkillModel

    n = _n()
    defaults: dict[str, Any] = {
        "slug": f"clinic-skill-{n}",
        "name": f"Clinic skill {n}",
        "module": "distress_tolerance",
        "summary": "A clinic's own way of getting through a hard moment.",
        "when": "When things feel too much.",
        "steps": ["Breathe out slowly.", "Name five things you can see."],
        "example": "Ann breathes out slowly and names five things she can see.",
        "minutes": 3,
        "situations": ["crisis"],
        "references": ["The clinic's own programme."],
    }
    return SkillModel.objects.create(organisation=organisation, **{**defaults, **fields})


def make_chain(
    patient: Patient,
    *,
    shared: bool = False,
    links: tuple[tuple[str, str], ...] = (("feeling", "Ashamed"), ("action", "Went to my room")),
    **fields: Any,
) -> ChainAnalysis:
    """A chain analysis of ``patient`` with ``links`` as (kind, text), a draft unless
    ``shared``."""
    from chains.models import ChainAnalysis as ChainModel
    from chains.models import ChainLink, ChainStatus

    defaults: dict[str, Any] = {
        "problem_behaviour": "Scratched my arm",
        "prompting_event": "A friend cancelled our plans at the last minute.",
        "created_by": patient.user,
    }
    if shared:
        defaults.update(status=ChainStatus.SHARED, shared_at=timezone.now())
    chain = ChainModel.objects.create(patient=patient, **{**defaults, **fields})
    for position, (kind, text) in enumerate(links):
        ChainLink.objects.create(chain=chain, position=position, kind=kind, text=text)
    return chain


def make_coaching_request(
    patient: Patient, *, recipient: User | None = None, **fields: Any
) -> CoachingRequest:
    """An open coaching request from ``patient`` (to their primary therapist by default)."""
    from coaching.actions import therapist_for
    from coaching.models import CoachingRequest as RequestModel

    recipient = recipient or therapist_for(patient)
    if recipient is None:
        raise ValueError(f"{patient} has no primary therapist")
    now = timezone.now()
    defaults: dict[str, Any] = {
        "distress": 70,
        "emotion": "shame",
        "emotion_intensity": 4,
        "urge": "none",
        "urge_intensity": 0,
        "situation": "An argument with my sister.",
        "created_at": now,
        "waiting_since": now,
    }
    return RequestModel.objects.create(
        patient=patient, recipient=recipient, **{**defaults, **fields}
    )


def make_availability(
    clinician: User,
    windows: list[tuple[int, str, str]] | None = None,
    *,
    time_zone: str = "Europe/Amsterdam",
    **fields: Any,
) -> Availability:
    """Coaching hours: ``windows`` as (weekday, "HH:MM", "HH:MM"); default Mon–Fri 9–17."""
    from datetime import time

    from coaching.models import Availability as AvailabilityModel
    from coaching.models import AvailabilityWindow

    spans = windows if windows is not None else [(d, "09:00", "17:00") for d in range(5)]
    availability = AvailabilityModel.objects.create(
        clinician=clinician, time_zone=time_zone, **fields
    )
    for weekday, start, end in spans:
        AvailabilityWindow.objects.create(
            availability=availability,
            weekday=weekday,
            start=time.fromisoformat(start),
            end=time.fromisoformat(end),
        )
    return availability


def shipped_instrument(key: str = "phq9") -> Instrument:
    """A shipped instrument (loaded from ``measures/content`` if a test emptied the table)."""
    from measures.definitions import read_content
    from measures.loading import sync_definitions
    from measures.models import Instrument as InstrumentModel
    from measures.models import InstrumentVersion

    found = InstrumentModel.objects.filter(key=key).first()
    if found is None:
        sync_definitions(InstrumentModel, InstrumentVersion, read_content())
        found = InstrumentModel.objects.get(key=key)
    return found


def make_administration(
    patient: Patient,
    key: str = "phq9",
    *,
    answers: dict[str, int | None] | None = None,
    submit: bool = False,
    **fields: Any,
) -> Administration:
    """A questionnaire for ``patient`` that is due now (answered and sent with ``submit``)."""
    from measures.actions import current_version, submit_administration
    from measures.models import Administration as AdministrationModel

    instrument = shipped_instrument(key)
    fields.setdefault("due_at", timezone.now())
    administration = AdministrationModel.objects.create(
        patient=patient, version=current_version(instrument), **fields
    )
    if answers is not None and not submit:
        administration.answers = answers
        administration.save(update_fields=["answers"])
    if submit:
        submit_administration(patient.user, administration, answers or {})
        administration.refresh_from_db()
    return administration

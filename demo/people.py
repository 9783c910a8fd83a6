"""The demo organisation's people: staff, thirty synthetic patients, care teams, supporters.

Everything is synthetic and generated from a seed, so the same seed always gives
the same people. Each ``ensure_*`` function creates only what is missing, so
loading twice changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from accounts.models import Organisation, Role, User
from care.models import CareTeamMember, Patient, SharingScope, SupporterLink, TeamRole

DEMO_PASSWORD = "wisemind-demo"
DOMAIN = "demo.example.org"
ORG_SLUG = "demo-clinic"

GIVEN_NAMES = [
    "Ava",
    "Ben",
    "Chloe",
    "Daniel",
    "Elif",
    "Farah",
    "Gabriel",
    "Hana",
    "Isaac",
    "Jade",
    "Kofi",
    "Lea",
    "Mateo",
    "Nadia",
    "Oscar",
    "Paula",
    "Quinn",
    "Rosa",
    "Samir",
    "Tess",
    "Uma",
    "Victor",
    "Wren",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Ines",
    "Malik",
    "Noor",
    "Emil",
]
FAMILY_NAMES = [
    "Abbott",
    "Bauer",
    "Castillo",
    "Dekker",
    "Evans",
    "Fontaine",
    "Gruber",
    "Haddad",
    "Ibsen",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Okonkwo",
    "Petrov",
    "Quist",
    "Rossi",
    "Sato",
    "Tanaka",
    "Ulrich",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zeller",
]
TIME_ZONES = ["Europe/Amsterdam"] * 6 + ["Europe/London", "America/New_York", "Australia/Sydney"]
RELATIONSHIPS = ["partner", "mother", "father", "sister", "brother", "friend"]


@dataclass(frozen=True)
class PersonSpec:
    key: str
    email: str
    full_name: str
    role: str
    can_manage_patients: bool = False


@dataclass(frozen=True)
class PatientSpec:
    record_number: str
    given_name: str
    family_name: str
    date_of_birth: date
    time_zone: str
    email: str | None
    team: tuple[tuple[str, str], ...]
    supporter: PersonSpec | None = None
    supporter_relationship: str = ""
    supporter_scopes: tuple[str, ...] = ()


@dataclass
class DemoPlan:
    staff: list[PersonSpec] = field(default_factory=list)
    patients: list[PatientSpec] = field(default_factory=list)


STAFF = [
    PersonSpec("admin", f"admin@{DOMAIN}", "Alex Morgan", Role.ADMIN),
    PersonSpec("clinician", f"clinician@{DOMAIN}", "Dr Maya Okafor", Role.CLINICIAN, True),
    PersonSpec("prescriber", f"prescriber@{DOMAIN}", "Dr Jonas Berg", Role.CLINICIAN),
    PersonSpec("casemanager", f"casemanager@{DOMAIN}", "Priya Raman", Role.CLINICIAN),
    PersonSpec("facilitator", f"facilitator@{DOMAIN}", "Sam Ortiz", Role.FACILITATOR),
    PersonSpec("researcher", f"researcher@{DOMAIN}", "Dr Lena Fischer", Role.RESEARCHER),
]


def plan(seed: int, patient_count: int = 30) -> DemoPlan:
    """The whole demo cast, as a pure function of the seed."""
    rng = random.Random(seed)
    result = DemoPlan(staff=list(STAFF))
    family = rng.sample(FAMILY_NAMES, k=len(FAMILY_NAMES))
    given = rng.sample(GIVEN_NAMES, k=len(GIVEN_NAMES))
    therapists = ["clinician", "casemanager"]
    for index in range(patient_count):
        number = f"DEMO-{index + 1:03d}"
        given_name = "Dana" if index == 0 else given[index % len(given)]
        family_name = "Whitfield" if index == 0 else family[index % len(family)]
        has_login = index == 0 or rng.random() < 0.7
        email = (
            f"patient@{DOMAIN}"
            if index == 0
            else (f"patient{index + 1:02d}@{DOMAIN}" if has_login else None)
        )
        team: list[tuple[str, str]] = [
            ("clinician" if index == 0 else therapists[index % 2], TeamRole.PRIMARY_THERAPIST)
        ]
        if index == 0 or rng.random() < 0.5:
            team.append(("prescriber", TeamRole.PRESCRIBER))
        if index == 0 or rng.random() < 0.65:
            team.append(("facilitator", TeamRole.SKILLS_TRAINER))
        if index != 0 and therapists[index % 2] != "casemanager" and rng.random() < 0.3:
            team.append(("casemanager", TeamRole.CASE_MANAGER))
        supporter = None
        relationship = ""
        scopes: tuple[str, ...] = ()
        if index == 0:
            supporter = PersonSpec(
                "supporter", f"supporter@{DOMAIN}", "Chris Whitfield", Role.SUPPORTER
            )
            relationship = "partner"
            scopes = (SharingScope.DIARY_SUMMARY, SharingScope.SAFETY_PLAN, SharingScope.CARE_TEAM)
        elif has_login and rng.random() < 0.3:
            supporter = PersonSpec(
                f"supporter{index + 1:02d}",
                f"supporter{index + 1:02d}@{DOMAIN}",
                f"{rng.choice(GIVEN_NAMES)} {family_name}",
                Role.SUPPORTER,
            )
            relationship = rng.choice(RELATIONSHIPS)
            scopes = tuple(scope for scope in SharingScope.values if rng.random() < 0.5) or (
                SharingScope.SAFETY_PLAN,
            )
        born = date(1975, 1, 1).toordinal() + rng.randrange(0, 365 * 30)
        result.patients.append(
            PatientSpec(
                record_number=number,
                given_name=given_name,
                family_name=family_name,
                date_of_birth=date.fromordinal(born),
                time_zone="Europe/Amsterdam" if index == 0 else rng.choice(TIME_ZONES),
                email=email,
                team=tuple(team),
                supporter=supporter,
                supporter_relationship=relationship,
                supporter_scopes=scopes,
            )
        )
    return result


def ensure_organisation() -> Organisation:
    organisation, _created = Organisation.objects.get_or_create(
        slug=ORG_SLUG,
        defaults={
            "name": "Riverside DBT Clinic (demo)",
            "time_zone": "Europe/Amsterdam",
            "emergency_number": "112",
            "crisis_line_name": "the suicide prevention line",
            "crisis_line_number": "113",
            "crisis_notes": (
                "This is a demo organisation. A real clinic enters its own emergency number, "
                "crisis line and out-of-hours arrangements under Organisation settings."
            ),
        },
    )
    return organisation


def _ensure_user(spec: PersonSpec, organisation: Organisation, time_zone: str) -> User:
    user = User.objects.filter(email=spec.email).first()
    if user is None:
        user = User.objects.create_user(
            spec.email,
            DEMO_PASSWORD,
            full_name=spec.full_name,
            role=spec.role,
            organisation=organisation,
            can_manage_patients=spec.can_manage_patients,
            time_zone=time_zone,
            is_demo=True,
        )
    return user


def ensure_people(seed: int, patient_count: int = 30) -> dict[str, int]:
    """Create whatever part of the demo cast is missing; return counts of what exists."""
    organisation = ensure_organisation()
    demo_plan = plan(seed, patient_count)
    staff = {
        spec.key: _ensure_user(spec, organisation, organisation.time_zone)
        for spec in demo_plan.staff
    }
    now = timezone.now()
    for spec in demo_plan.patients:
        if Patient.objects.filter(
            organisation=organisation, record_number=spec.record_number
        ).exists():
            # Already loaded. Care teams and sharing may have changed through the product
            # since (a place ended, consent withdrawn): leave them as the users left them.
            continue
        user = None
        if spec.email:
            person = PersonSpec(
                spec.email, spec.email, f"{spec.given_name} {spec.family_name}", Role.PATIENT
            )
            user = _ensure_user(person, organisation, spec.time_zone)
        patient = Patient.objects.create(
            organisation=organisation,
            user=user,
            given_name=spec.given_name,
            family_name=spec.family_name,
            date_of_birth=spec.date_of_birth,
            record_number=spec.record_number,
            email=spec.email or "",
            time_zone=spec.time_zone,
            created_by=staff["admin"],
        )
        for key, team_role in spec.team:
            CareTeamMember.objects.create(
                patient=patient,
                member=staff[key],
                team_role=team_role,
                added_by=staff["admin"],
                added_at=now,
            )
        if spec.supporter is not None:
            supporter = _ensure_user(spec.supporter, organisation, spec.time_zone)
            SupporterLink.objects.create(
                patient=patient,
                supporter=supporter,
                relationship=spec.supporter_relationship,
                scopes=list(spec.supporter_scopes),
            )
    return {
        "staff": len(staff),
        "patients": Patient.objects.filter(organisation=organisation).count(),
        "supporters": SupporterLink.objects.filter(patient__organisation=organisation).count(),
    }

"""The personas every test module uses: one world with a patient and everyone around them.

``world.patient`` is the patient whose record is "own" for the patient persona and
"someone else's" for ``other_patient``. Staff personas belong to the patient's
organisation except ``foreign_admin``. ``therapist`` and ``facilitator`` are on the
patient's care team; ``outsider_clinician`` is not. ``supporter`` has a current
link with every sharing scope; ``supporter_without_consent`` had a link and the
patient withdrew it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Organisation, Role, User
from care.models import CareTeamMember, Patient, SharingScope, SupporterLink, TeamRole
from core.testing.factories import (
    make_organisation,
    make_patient_with_login,
    make_supporter_link,
    make_team_place,
    make_totp_device,
    make_user,
)

PERSONAS: tuple[str, ...] = (
    "anonymous",
    "patient",
    "other_patient",
    "therapist",
    "outsider_clinician",
    "facilitator",
    "supporter",
    "supporter_without_consent",
    "researcher",
    "admin",
    "foreign_admin",
)
SIGNED_IN: frozenset[str] = frozenset(PERSONAS) - {"anonymous"}


@dataclass
class World:
    organisation: Organisation
    other_organisation: Organisation
    patient_record: Patient
    other_patient_record: Patient
    patient: User
    other_patient: User
    therapist: User
    outsider_clinician: User
    facilitator: User
    supporter: User
    supporter_without_consent: User
    researcher: User
    admin: User
    foreign_admin: User
    team_place: CareTeamMember
    supporter_link: SupporterLink
    withdrawn_link: SupporterLink
    invited_user: User

    def user(self, persona: str) -> User | None:
        return None if persona == "anonymous" else getattr(self, persona)

    def invitation_kwargs(self) -> dict[str, str]:
        return {
            "uidb64": urlsafe_base64_encode(force_bytes(self.invited_user.pk)),
            "token": default_token_generator.make_token(self.invited_user),
        }


def _login_of(record: Patient) -> User:
    if record.user is None:
        raise ValueError(f"{record} has no log-in")
    return record.user


def build_world() -> World:
    org = make_organisation(name="Northside Clinic")
    other_org = make_organisation(name="Elsewhere Clinic")
    patient_record = make_patient_with_login(org, given_name="Pat", family_name="Ient")
    other_patient_record = make_patient_with_login(org, given_name="Olive", family_name="Other")
    therapist = make_user(Role.CLINICIAN, org, full_name="Thea Therapist", can_manage_patients=True)
    outsider = make_user(Role.CLINICIAN, org, full_name="Otto Outsider")
    facilitator = make_user(Role.FACILITATOR, org, full_name="Fay Facilitator")
    supporter = make_user(Role.SUPPORTER, org, full_name="Sue Supporter")
    former_supporter = make_user(Role.SUPPORTER, org, full_name="Walt Withdrawn")
    researcher = make_user(Role.RESEARCHER, org, full_name="Rae Researcher")
    admin = make_user(Role.ADMIN, org, full_name="Ada Admin")
    foreign_admin = make_user(Role.ADMIN, other_org, full_name="Fred Foreign")
    team_place = make_team_place(patient_record, therapist, TeamRole.PRIMARY_THERAPIST)
    make_team_place(patient_record, facilitator, TeamRole.SKILLS_TRAINER)
    make_team_place(other_patient_record, outsider, TeamRole.PRIMARY_THERAPIST)
    link = make_supporter_link(patient_record, supporter, list(SharingScope.values))
    withdrawn = make_supporter_link(
        patient_record, former_supporter, list(SharingScope.values), withdrawn_at=timezone.now()
    )
    invited = make_user(Role.CLINICIAN, org, password=None, invited_at=timezone.now())
    return World(
        organisation=org,
        other_organisation=other_org,
        patient_record=patient_record,
        other_patient_record=other_patient_record,
        patient=_login_of(patient_record),
        other_patient=_login_of(other_patient_record),
        therapist=therapist,
        outsider_clinician=outsider,
        facilitator=facilitator,
        supporter=supporter,
        supporter_without_consent=former_supporter,
        researcher=researcher,
        admin=admin,
        foreign_admin=foreign_admin,
        team_place=team_place,
        supporter_link=link,
        withdrawn_link=withdrawn,
        invited_user=invited,
    )


def log_in(client: Client, user: User) -> Client:
    """Sign ``user`` in; staff also pass the second factor (a confirmed TOTP device)."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if user.is_staff_role:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = make_totp_device(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client

"""Every write to patients, care teams, supporter sharing and break-glass access."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actions import invite_user
from accounts.models import Organisation, Role, User
from accounts.tasks import send_invitation
from care.models import (
    BreakGlassGrant,
    CareTeamMember,
    Patient,
    SharingScope,
    SupporterLink,
    TeamRole,
)
from care.tasks import send_supporter_added
from core.actions import ActionError, action, enqueue_after_commit

BREAK_GLASS_MIN_REASON = 15


def _full_clean(instance: Patient) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            field, messages = next(iter(exc.message_dict.items()))
            if field == "__all__":
                # The one model-wide rule; Django's own message names the constraint.
                raise ActionError(
                    _("Another patient of this organisation has this record number."),
                    field="record_number",
                ) from exc
            raise ActionError(messages[0], field=field) from exc
        raise ActionError(exc.messages[0]) from exc


@action
def create_patient(
    actor: User,
    *,
    organisation: Organisation,
    given_name: str,
    family_name: str,
    preferred_name: str = "",
    date_of_birth: date | None = None,
    record_number: str = "",
    email: str = "",
    time_zone: str | None = None,
) -> Patient:
    patient = Patient(
        organisation=organisation,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        preferred_name=preferred_name.strip(),
        date_of_birth=date_of_birth,
        record_number=record_number.strip(),
        email=User.objects.normalize_email(email),
        time_zone=time_zone or organisation.time_zone,
        created_by=actor,
    )
    _full_clean(patient)
    patient.save()
    return patient


@action
def create_patient_and_invite(
    actor: User, *, organisation: Organisation, invite: bool, **fields: Any
) -> Patient:
    """Create a patient and, if asked, invite them, all or nothing."""
    patient = create_patient(actor, organisation=organisation, **fields)
    if invite:
        invite_patient(actor, patient)
    return patient


@action
def invite_patient(actor: User, patient: Patient, *, email: str | None = None) -> User:
    """Give the patient a log-in (or resend their pending invitation)."""
    if patient.user is not None:
        if patient.user.has_usable_password():
            raise ActionError(_("This patient already has an account."))
        patient.user.invited_at = timezone.now()
        patient.user.save(update_fields=["invited_at", "updated_at"])
        enqueue_after_commit(send_invitation, patient.user.pk)
        return patient.user
    address = User.objects.normalize_email(email or patient.email)
    if not address:
        raise ActionError(_("Enter the patient's e-mail address."), field="email")
    user = invite_user(
        actor,
        organisation=patient.organisation,
        email=address,
        # Two names of up to 100 characters can be longer than an account's full name.
        full_name=f"{patient.given_name} {patient.family_name}"[
            : User._meta.get_field("full_name").max_length
        ],
        role=Role.PATIENT,
        time_zone=patient.time_zone,
    )
    patient.user = user
    patient.email = address
    patient.save(update_fields=["user", "email", "updated_at"])
    return user


@action
def add_to_care_team(
    actor: User, patient: Patient, *, member: User, team_role: str
) -> CareTeamMember:
    if team_role not in TeamRole.values:
        raise ActionError(_("Choose a team role."), field="team_role")
    if member.organisation_id != patient.organisation_id or not member.is_active:
        raise ActionError(_("Choose an active clinician of this organisation."), field="member")
    if member.role == Role.FACILITATOR and team_role != TeamRole.SKILLS_TRAINER:
        raise ActionError(
            _("A skills-group facilitator can join a care team as skills trainer only."),
            field="team_role",
        )
    if member.role not in (Role.CLINICIAN, Role.FACILITATOR):
        raise ActionError(_("Only clinicians and facilitators join care teams."), field="member")
    if patient.care_team.current().filter(member=member, team_role=team_role).exists():
        raise ActionError(_("This person already has that role on the team."), field="member")
    return CareTeamMember.objects.create(
        patient=patient, member=member, team_role=team_role, added_by=actor
    )


@action
def remove_from_care_team(actor: User, membership: CareTeamMember) -> CareTeamMember:
    if membership.ended_at is None:
        membership.ended_at = timezone.now()
        membership.save(update_fields=["ended_at"])
    return membership


def _clean_scopes(scopes: list[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(SharingScope.values))
    if unknown:
        raise ActionError(
            _("Unknown sharing choice: %(s)s") % {"s": ", ".join(unknown)}, field="scopes"
        )
    return [scope for scope in SharingScope.values if scope in scopes]


@action
def invite_supporter(
    actor: User,
    patient: Patient,
    *,
    email: str,
    full_name: str,
    relationship: str,
    scopes: list[str],
) -> SupporterLink:
    """The patient invites someone to support them and chooses what to share."""
    address = User.objects.normalize_email(email)
    if actor.email == address:
        raise ActionError(_("Enter someone else's e-mail address."), field="email")
    supporter = User.objects.filter(email=address).first()
    existing_account = supporter is not None
    if supporter is None:
        supporter = invite_user(
            actor,
            organisation=patient.organisation,
            email=address,
            full_name=full_name,
            role=Role.SUPPORTER,
        )
    elif supporter.role != Role.SUPPORTER:
        raise ActionError(
            _("This address belongs to an account that cannot be a supporter."), field="email"
        )
    if patient.supporter_links.current().filter(supporter=supporter).exists():
        raise ActionError(_("This person already supports you."), field="email")
    link = SupporterLink.objects.create(
        patient=patient,
        supporter=supporter,
        relationship=relationship.strip()[:60],
        scopes=_clean_scopes(scopes),
    )
    if existing_account:
        # Someone who already has an account is told, rather than linked silently.
        enqueue_after_commit(send_supporter_added, link.pk)
    return link


@action
def update_sharing(actor: User, link: SupporterLink, *, scopes: list[str]) -> SupporterLink:
    link.scopes = _clean_scopes(scopes)
    link.save(update_fields=["scopes", "updated_at"])
    return link


@action
def withdraw_supporter(actor: User, link: SupporterLink) -> SupporterLink:
    """End the link: the supporter loses access on their next request."""
    if link.withdrawn_at is None:
        link.withdrawn_at = timezone.now()
        link.save(update_fields=["withdrawn_at", "updated_at"])
    return link


@action
def break_glass(actor: User, patient: Patient, *, reason: str) -> BreakGlassGrant:
    """Open a patient's clinical record to an admin for a limited time, with a recorded reason."""
    reason = reason.strip()
    if len(reason) < BREAK_GLASS_MIN_REASON:
        raise ActionError(
            _("Describe the reason in at least %(n)d characters.") % {"n": BREAK_GLASS_MIN_REASON},
            field="reason",
        )
    now = timezone.now()
    return BreakGlassGrant.objects.create(
        patient=patient,
        user=actor,
        reason=reason,
        created_at=now,
        expires_at=now + settings.BREAK_GLASS_DURATION,
    )

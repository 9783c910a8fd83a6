"""Every write to accounts, organisations, second factors and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import STAFF_ROLES, ApiToken, Organisation, Role, User
from accounts.signals import time_zone_changed
from accounts.tasks import send_invitation
from core.actions import ActionError, action, enqueue_after_commit

TOKEN_PREFIX = "wm_"  # noqa: S105 (a prefix, not a secret)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@action
def invite_user(
    actor: User | None,
    *,
    organisation: Organisation,
    email: str,
    full_name: str,
    role: str,
    can_manage_patients: bool = False,
    time_zone: str | None = None,
) -> User:
    """Create an account without a password and e-mail a link to choose one."""
    email = User.objects.normalize_email(email)
    if User.objects.filter(email=email).exists():
        raise ActionError(_("An account with this e-mail address already exists."), field="email")
    user = User.objects.create_user(
        email,
        full_name=full_name.strip(),
        role=role,
        organisation=organisation,
        can_manage_patients=can_manage_patients and role == Role.CLINICIAN,
        time_zone=time_zone or organisation.time_zone,
        invited_at=timezone.now(),
    )
    enqueue_after_commit(send_invitation, user.pk)
    return user


@action
def resend_invitation(actor: User | None, user: User) -> None:
    if user.has_usable_password():
        raise ActionError(_("This person has already accepted the invitation."))
    user.invited_at = timezone.now()
    user.save(update_fields=["invited_at", "updated_at"])
    enqueue_after_commit(send_invitation, user.pk)


@action
def accept_invitation(actor: User, password: str) -> None:
    """The invited person chooses a password (validated like any password)."""
    validate_password(password, actor)
    actor.set_password(password)
    actor.save(update_fields=["password", "updated_at"])


@action
def update_staff_member(
    actor: User,
    user: User,
    *,
    full_name: str,
    role: str,
    is_active: bool,
    can_manage_patients: bool,
) -> User:
    if role not in STAFF_ROLES:
        raise ActionError(_("Choose a staff role."), field="role")
    if user.pk == actor.pk and (role != Role.ADMIN or not is_active):
        raise ActionError(_("You cannot remove your own admin role or deactivate yourself."))
    user.full_name = full_name.strip()
    user.role = role
    user.is_active = is_active
    user.can_manage_patients = can_manage_patients and role == Role.CLINICIAN
    user.save(update_fields=["full_name", "role", "is_active", "can_manage_patients", "updated_at"])
    return user


@action
def reset_second_factor(actor: User, user: User) -> int:
    """Remove a staff member's TOTP devices (lost phone); they set one up at next log-in."""
    deleted: int = TOTPDevice.objects.filter(user=user).delete()[0]
    return deleted


@action
def update_organisation(actor: User, organisation: Organisation, **fields: str) -> Organisation:
    for name, value in fields.items():
        setattr(organisation, name, value.strip() if isinstance(value, str) else value)
    try:
        organisation.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ActionError(messages[0], field=field) from exc
    organisation.save()
    return organisation


@action
def update_profile(actor: User, *, full_name: str, time_zone: str, language: str) -> User:
    """Change the user's name, time zone and language. A changed time zone is announced
    (``accounts.signals.time_zone_changed``): a patient's record and check-ins follow it."""
    moved = actor.time_zone != time_zone
    actor.full_name = full_name.strip()
    actor.time_zone = time_zone
    actor.language = language
    try:
        actor.full_clean(exclude=["password", "email"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ActionError(messages[0], field=field) from exc
    actor.save(update_fields=["full_name", "time_zone", "language", "updated_at"])
    if moved:
        time_zone_changed.send(sender=type(actor), user=actor)
    return actor


@action
def start_totp_setup(actor: User) -> TOTPDevice:
    """An unconfirmed TOTP device for the set-up page (replacing any earlier unconfirmed one)."""
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    return TOTPDevice.objects.create(user=actor, name=_("Authenticator app"), confirmed=False)


@action
def confirm_totp_device(actor: User, device: TOTPDevice, code: str) -> bool:
    """Confirm the device if ``code`` is right. Returns whether it was."""
    if device.user_id != actor.pk or not device.verify_token(code.strip().replace(" ", "")):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
    return True


@action
def create_api_token(actor: User, *, name: str, days: int) -> tuple[ApiToken, str]:
    """Create a personal API token; the secret is returned once and never stored."""
    if not name.strip():
        raise ActionError(_("Give the token a name."), field="name")
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ActionError(
            _("A token may last from 1 to %(max)d days.") % {"max": settings.API_TOKEN_MAX_DAYS},
            field="days",
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name.strip()[:100],
        prefix=secret[:10],
        key_hash=hash_token(secret),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, secret


@action
def revoke_api_token(actor: User, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token

"""People who log in, the organisations they belong to, and their API tokens."""

from __future__ import annotations

import uuid
import zoneinfo
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policy.typed_rules import has_perm


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Role(models.TextChoices):
    PATIENT = "patient", _("Patient")
    CLINICIAN = "clinician", _("Clinician")
    FACILITATOR = "facilitator", _("Skills-group facilitator")
    SUPPORTER = "supporter", _("Supporter")
    RESEARCHER = "researcher", _("Researcher")
    ADMIN = "admin", _("Clinic admin")


#: Roles that work with other people's data and must use two-factor authentication.
STAFF_ROLES = frozenset({Role.CLINICIAN, Role.FACILITATOR, Role.RESEARCHER, Role.ADMIN})


class Organisation(models.Model):
    """A clinic, service or study site. Crisis numbers are set per organisation."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    emergency_number = models.CharField(
        _("emergency number"),
        max_length=32,
        blank=True,
        help_text=_("The local emergency services number, for example 112, 911 or 999."),
    )
    crisis_line_name = models.CharField(_("crisis line name"), max_length=120, blank=True)
    crisis_line_number = models.CharField(_("crisis line number"), max_length=32, blank=True)
    crisis_text_number = models.CharField(
        _("crisis text line"), max_length=32, blank=True, help_text=_("A number that takes SMS.")
    )
    crisis_notes = models.TextField(
        _("more crisis information"),
        blank=True,
        max_length=2000,
        help_text=_("Out-of-hours arrangements, the nearest emergency department, and so on."),
    )
    #: Raised with every change to the clinic's risk rules (the version stamp of the
    #: per-process cache of those rules, core/versioned_cache.py).
    risk_rules_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def crisis_configured(self) -> bool:
        return bool(self.emergency_number and self.crisis_line_number)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def normalize_email(self, email: str | None) -> str:  # type: ignore[override]
        return (email or "").strip().lower()

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        """Create a clinic admin (``createsuperuser``). There is no all-seeing superuser:
        an admin is bound by the same policy as everyone else."""
        fields.setdefault("role", Role.ADMIN)
        if "organisation" not in fields and "organisation_id" not in fields:
            organisations = list(Organisation.objects.all()[:2])
            if len(organisations) != 1:
                raise ValueError(
                    "createsuperuser needs exactly one organisation. Use "
                    "'wisemind create_organisation NAME --admin-email … --admin-name …' instead."
                )
            fields["organisation"] = organisations[0]
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser):
    """Anyone who logs in. The e-mail address is the log-in name."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    language = models.CharField(
        _("language"), max_length=10, default="en", choices=settings.LANGUAGES
    )
    can_manage_patients = models.BooleanField(
        _("may create patients and manage care teams"),
        default=False,
        help_text=_("For clinicians: create patients, invite them and manage care teams."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(default=False, editable=False)
    invited_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    if TYPE_CHECKING:
        # Set on the request's user by django-otp's OTPMiddleware: has this session passed TOTP?
        is_verified: Callable[[], bool]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def clean(self) -> None:
        super().clean()
        self.email = User.objects.normalize_email(self.email)

    def has_perm(self, perm: str, obj: object = None) -> bool:
        """Every permission question goes to the one policy (``policy.rules``)."""
        return self.is_active and has_perm(perm, self, obj)

    def has_perms(self, perms: list[str], obj: object = None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perms)

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_staff(self) -> bool:
        # Django's admin site is not mounted; nobody is "staff" in its sense.
        return False

    @property
    def is_superuser(self) -> bool:
        return False

    @property
    def first_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else ""

    @property
    def is_invitation_pending(self) -> bool:
        return self.invited_at is not None and not self.has_usable_password()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash of the secret is stored.

    The secret has 256 bits of entropy, so a fast hash is safe here (a slow
    password hash would add latency to every API call without adding security).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, help_text=_("The first characters, to recognise it."))
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

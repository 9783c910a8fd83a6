"""Forms for log-in, invitations, second factor, profile, staff, organisation and tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.utils.choices import CallableChoiceIterator
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import STAFF_ROLES, Organisation, Role, User, time_zone_choices


class EmailAuthenticationForm(AuthenticationForm):
    """Log in with an e-mail address, whatever its letter case."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def clean_username(self) -> str:
        return User.objects.normalize_email(self.cleaned_data.get("username"))


if TYPE_CHECKING:
    _SetPasswordForm = SetPasswordForm[User]
else:  # not subscriptable at run time
    _SetPasswordForm = SetPasswordForm


class AcceptInvitationForm(_SetPasswordForm):
    """Choose a password to accept an invitation (same validation as any password)."""


class TotpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].replace(" ", "")
        if not code.isdigit():
            raise forms.ValidationError(_("Enter the digits shown in your app."))
        return code


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


def _staff_role_choices() -> list[tuple[str, str | Promise]]:
    return [(value, label) for value, label in Role.choices if value in STAFF_ROLES]


class StaffInviteForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=_staff_role_choices)
    can_manage_patients = forms.BooleanField(
        label=_("May create patients and manage care teams (clinicians only)"), required=False
    )


class StaffEditForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=_staff_role_choices)
    is_active = forms.BooleanField(label=_("Active (may log in)"), required=False)
    can_manage_patients = forms.BooleanField(
        label=_("May create patients and manage care teams (clinicians only)"), required=False
    )


class OrganisationForm(forms.ModelForm[Organisation]):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "time_zone",
            "emergency_number",
            "crisis_line_name",
            "crisis_line_number",
            "crisis_text_number",
            "crisis_notes",
        ]
        # What Django makes of a callable ``choices``: the list is built when first rendered.
        widgets = {"time_zone": forms.Select(choices=CallableChoiceIterator(time_zone_choices))}


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. 'study laptop'.")
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=settings.API_TOKEN_MAX_DAYS,
        initial=settings.API_TOKEN_DEFAULT_DAYS,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["days"].widget.attrs["inputmode"] = "numeric"

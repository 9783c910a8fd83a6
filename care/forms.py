"""Forms for patients, care teams, supporter sharing and break-glass access."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User, time_zone_choices
from care.actions import BREAK_GLASS_MIN_REASON
from care.models import SharingScope, TeamRole


class PatientForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    preferred_name = forms.CharField(label=_("Preferred name"), max_length=100, required=False)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    record_number = forms.CharField(label=_("Clinic record number"), max_length=40, required=False)
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("Needed to invite the patient to use the app."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    invite = forms.BooleanField(
        label=_("Send an invitation to this e-mail address now"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("invite") and not data.get("email"):
            self.add_error("email", _("Enter an e-mail address to send the invitation to."))
        return data


class CareTeamAddForm(forms.Form):
    member = forms.ModelChoiceField(
        label=_("Clinician"), queryset=User.objects.none(), to_field_name="public_id"
    )
    team_role = forms.ChoiceField(label=_("Team role"), choices=TeamRole.choices)

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            organisation_id=organisation_id,
            role__in=[Role.CLINICIAN, Role.FACILITATOR],
            is_active=True,
        )
        self.fields["member"].label_from_instance = lambda user: (  # type: ignore[attr-defined]
            f"{user.full_name} ({user.get_role_display()})"
        )


class InvitePatientForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), required=False)


class SharingForm(forms.Form):
    scopes = forms.MultipleChoiceField(
        label=_("What to share"),
        choices=SharingScope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class SupporterInviteForm(SharingForm):
    full_name = forms.CharField(label=_("Their name"), max_length=150)
    email = forms.EmailField(label=_("Their e-mail address"))
    relationship = forms.CharField(
        label=_("How they know you"),
        max_length=60,
        required=False,
        help_text=_("For example: partner, mother, friend."),
    )

    field_order = ["full_name", "email", "relationship", "scopes"]


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to open this record?"),
        min_length=BREAK_GLASS_MIN_REASON,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Your reason and every page you open are recorded and can be reviewed."),
    )

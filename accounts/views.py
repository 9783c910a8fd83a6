"""Pages for signing in, second factor, profile, API tokens, staff and organisation."""

from __future__ import annotations

import base64
from io import BytesIO
from typing import Any
from urllib.parse import urlencode, urlsplit

import qrcode
import qrcode.image.svg
from django.conf import settings as dj_settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import actions
from accounts.access import access_own_token, access_staff_member
from accounts.forms import (
    AcceptInvitationForm,
    ApiTokenForm,
    EmailAuthenticationForm,
    OrganisationForm,
    ProfileForm,
    StaffEditForm,
    StaffInviteForm,
    TotpCodeForm,
)
from accounts.models import STAFF_ROLES, User
from core.actions import ActionError
from core.forms import add_action_error
from core.requests import AuthenticatedRequest
from policy.routes import page, public, signed_in_any_factor
from policy.twofactor import has_confirmed_device

# --- signing in and out ------------------------------------------------------------------

login = public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=EmailAuthenticationForm,
        redirect_authenticated_user=True,
    )
)
logout = signed_in_any_factor(auth_views.LogoutView.as_view())


class _PasswordResetView(auth_views.PasswordResetView):
    """Links in the e-mail point at ``SITE_URL``, never at the Host header of the request."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        site = urlsplit(dj_settings.SITE_URL)
        self.extra_email_context = {"protocol": site.scheme, "domain": site.netloc}
        return super().form_valid(form)


password_reset = public(
    _PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done"),
    )
)
password_reset_done = public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
password_reset_confirm = public(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete"),
    )
)
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"
    )
)


def _invited_user(uidb64: str, token: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or user.has_usable_password():
        return None
    if not default_token_generator.check_token(user, token):
        return None
    return user


@public
def accept_invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = _invited_user(uidb64, token)
    if user is None:
        return render(request, "accounts/invitation_invalid.html", status=400)
    form = AcceptInvitationForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.accept_invitation(user, form.cleaned_data["new_password1"])
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to wisemind. Your password is set."))
        return redirect("home")
    return render(request, "accounts/accept_invitation.html", {"form": form, "invited": user})


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("home")


# --- second factor ---------------------------------------------------------------------------


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@signed_in_any_factor
def two_factor_setup(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if has_confirmed_device(user):
        return redirect(
            reverse("accounts:2fa_verify") + "?" + urlencode({"next": _next_url(request)})
        )
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = actions.start_totp_setup(user)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _detail = device.verify_is_allowed()
        if allowed and actions.confirm_totp_device(user, device, form.cleaned_data["code"]):
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is set up."))
            return redirect(_next_url(request))
        form.add_error(
            "code",
            _("That code is not right. Check the time on your phone and try again.")
            if allowed
            else _("Too many wrong codes. Wait a minute, then try again."),
        )
    secret_b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    context = {
        "form": form,
        "qr_svg": _qr_svg(device.config_url),
        "secret": " ".join(secret_b32[i : i + 4] for i in range(0, len(secret_b32), 4)),
        "next": _next_url(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@signed_in_any_factor
def two_factor_verify(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect(
            reverse("accounts:2fa_setup") + "?" + urlencode({"next": _next_url(request)})
        )
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _detail = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["code"]):
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error(
            "code",
            _("That code is not right. Wait for a new code and try again.")
            if allowed
            else _("Too many wrong codes. Wait a minute, then try again."),
        )
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


# --- own profile and tokens ----------------------------------------------------------------


@page("accounts.edit_own_profile")
def profile(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    initial = {"full_name": user.full_name, "time_zone": user.time_zone, "language": user.language}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_profile(user, **form.cleaned_data)
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
    context = {"form": form, "has_device": has_confirmed_device(user)}
    return render(request, "accounts/profile.html", context)


@page("accounts.manage_own_tokens")
def tokens(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = ApiTokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_secret = actions.create_api_token(user, **form.cleaned_data)
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            form = ApiTokenForm()
    context = {"form": form, "tokens": user.api_tokens.all(), "new_secret": new_secret}
    return render(request, "accounts/tokens.html", context)


@require_POST
@page("accounts.manage_own_tokens", object_perm="own token")
def token_revoke(request: AuthenticatedRequest, token_id: str) -> HttpResponse:
    token = access_own_token(request, token_id)
    actions.revoke_api_token(request.user, token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


# --- staff and organisation (admin) ------------------------------------------------------------


@page("accounts.manage_staff")
def staff_list(request: AuthenticatedRequest) -> HttpResponse:
    organisation_id = request.user.organisation_id
    if organisation_id is None:  # an admin always belongs to an organisation
        raise Http404
    staff = User.objects.filter(organisation_id=organisation_id, role__in=STAFF_ROLES)
    with_device = set(
        TOTPDevice.objects.filter(user__in=staff, confirmed=True).values_list("user_id", flat=True)
    )
    rows = [{"user": member, "has_2fa": member.pk in with_device} for member in staff]
    return render(request, "accounts/staff_list.html", {"rows": rows})


@page("accounts.manage_staff")
def staff_invite(request: AuthenticatedRequest) -> HttpResponse:
    admin = request.user
    organisation = admin.organisation
    if organisation is None:  # an admin always belongs to an organisation
        raise Http404
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = actions.invite_user(admin, organisation=organisation, **form.cleaned_data)
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            messages.success(
                request, _("%(name)s is invited by e-mail.") % {"name": member.full_name}
            )
            return redirect("accounts:staff_list")
    return render(request, "accounts/staff_invite.html", {"form": form})


@page("accounts.manage_staff", object_perm="staff member of own organisation")
def staff_edit(request: AuthenticatedRequest, user_id: str) -> HttpResponse:
    admin = request.user
    member = access_staff_member(request, user_id)
    initial = {
        "full_name": member.full_name,
        "role": member.role,
        "is_active": member.is_active,
        "can_manage_patients": member.can_manage_patients,
    }
    form = StaffEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_staff_member(admin, member, **form.cleaned_data)
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:staff_list")
    context = {"form": form, "member": member, "has_2fa": has_confirmed_device(member)}
    return render(request, "accounts/staff_edit.html", context)


@require_POST
@page("accounts.manage_staff", object_perm="staff member of own organisation")
def staff_reset_2fa(request: AuthenticatedRequest, user_id: str) -> HttpResponse:
    member = access_staff_member(request, user_id)
    actions.reset_second_factor(request.user, member)
    messages.success(
        request,
        _("%(name)s will set up two-factor authentication again at their next log-in.")
        % {"name": member.full_name},
    )
    return redirect("accounts:staff_edit", user_id=member.public_id)


@require_POST
@page("accounts.manage_staff", object_perm="staff member of own organisation")
def staff_resend_invitation(request: AuthenticatedRequest, user_id: str) -> HttpResponse:
    member = access_staff_member(request, user_id)
    try:
        actions.resend_invitation(request.user, member)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The invitation is sent again."))
    return redirect("accounts:staff_edit", user_id=member.public_id)


@page("accounts.manage_organisation")
def organisation(request: AuthenticatedRequest) -> HttpResponse:
    admin = request.user
    org = admin.organisation
    if org is None:
        raise Http404
    form = OrganisationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        fields: dict[str, Any] = {name: form.cleaned_data[name] for name in form.Meta.fields}
        org.refresh_from_db()
        try:
            actions.update_organisation(admin, org, **fields)
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            messages.success(request, _("The organisation settings are saved."))
            return redirect("accounts:organisation")
    return render(request, "accounts/organisation.html", {"form": form, "organisation": org})


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes calls this instead of the log-in view while an account is locked."""
    minutes = int(dj_settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked.html", {"cooloff_minutes": minutes}, status=429)

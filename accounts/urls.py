from django.urls import path

from accounts import views
from research import views as research_views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("invitation/<uidb64>/<token>/", views.accept_invitation, name="accept_invitation"),
    path("two-factor/setup/", views.two_factor_setup, name="2fa_setup"),
    path("two-factor/verify/", views.two_factor_verify, name="2fa_verify"),
    path("profile/", views.profile, name="profile"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<token_id>/revoke/", views.token_revoke, name="token_revoke"),
    # The research workspace lives in the research app; the URL name stays here.
    path("research/", research_views.home, name="research_home"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/invite/", views.staff_invite, name="staff_invite"),
    path("staff/<user_id>/", views.staff_edit, name="staff_edit"),
    path("staff/<user_id>/reset-two-factor/", views.staff_reset_2fa, name="staff_reset_2fa"),
    path(
        "staff/<user_id>/resend-invitation/",
        views.staff_resend_invitation,
        name="staff_resend_invitation",
    ),
    path("organisation/", views.organisation, name="organisation"),
]

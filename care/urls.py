from django.urls import path

from care import views
from dashboard import views as dashboard_views

app_name = "care"

urlpatterns = [
    path("me/", views.me, name="me"),
    path("me/supporters/", views.my_supporters, name="my_supporters"),
    path("me/supporters/<link_id>/", views.supporter_sharing, name="supporter_sharing"),
    path("me/supporters/<link_id>/withdraw/", views.supporter_withdraw, name="supporter_withdraw"),
    path("shared/", views.shared_list, name="shared_list"),
    path("shared/<patient_id>/", views.shared_detail, name="shared_detail"),
    # The caseload page is the clinician dashboard's (dashboard/views.py); the name stays.
    path("caseload/", dashboard_views.caseload, name="caseload"),
    path("facilitator/", views.facilitation, name="facilitation"),
    path("patients/", views.patient_list, name="patient_list"),
    path("patients/new/", views.patient_new, name="patient_new"),
    path("patients/<patient_id>/", views.patient_detail, name="patient_detail"),
    path("patients/<patient_id>/manage/", views.patient_manage, name="patient_manage"),
    path("patients/<patient_id>/invite/", views.patient_invite, name="patient_invite"),
    path("patients/<patient_id>/break-glass/", views.break_glass, name="break_glass"),
    path("patients/<patient_id>/team/<member_id>/remove/", views.team_remove, name="team_remove"),
]

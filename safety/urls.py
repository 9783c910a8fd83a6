from django.urls import path

from safety import views

app_name = "safety"

urlpatterns = [
    path("safety-plan/", views.plan, name="plan"),
    path("safety-plan/edit/", views.edit, name="edit"),
    path("patients/<patient_id>/safety-plan/", views.patient_plan, name="patient_plan"),
    path("patients/<patient_id>/safety-plan/edit/", views.patient_edit, name="patient_edit"),
    path("shared/<patient_id>/safety-plan/", views.shared_plan, name="shared_plan"),
    path("patients/<patient_id>/high-risk-watch/", views.patient_watch, name="patient_watch"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/rules/", views.rules, name="rules"),
    path("alerts/rules/new/", views.add_rule, name="add_rule"),
    path("alerts/rules/<rule_id>/", views.edit_rule, name="edit_rule"),
    path("alerts/<alert_id>/", views.alert, name="alert"),
]

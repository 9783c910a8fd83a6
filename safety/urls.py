from django.urls import path

from safety import views

app_name = "safety"

urlpatterns = [
    path("safety-plan/", views.plan, name="plan"),
    path("safety-plan/edit/", views.edit, name="edit"),
    path("patients/<patient_id>/safety-plan/", views.patient_plan, name="patient_plan"),
    path("patients/<patient_id>/safety-plan/edit/", views.patient_edit, name="patient_edit"),
    path("shared/<patient_id>/safety-plan/", views.shared_plan, name="shared_plan"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<alert_id>/", views.alert, name="alert"),
]

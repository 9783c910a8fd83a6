from django.urls import path

from ema import views

app_name = "ema"

urlpatterns = [
    path("checkins/", views.pending, name="pending"),
    path("checkins/settings/", views.settings, name="settings"),
    path("checkins/<prompt_id>/", views.answer, name="answer"),
    path("patients/<patient_id>/ema/", views.patient_ema, name="patient"),
    path("patients/<patient_id>/ema/schedules/<schedule_id>/", views.schedule, name="schedule"),
    path(
        "patients/<patient_id>/ema/schedules/<schedule_id>/stop/",
        views.stop_schedule,
        name="stop_schedule",
    ),
]

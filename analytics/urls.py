from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("patients/<patient_id>/analytics/", views.patient, name="patient"),
]

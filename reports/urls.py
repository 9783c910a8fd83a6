from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("patients/<patient_id>/reports/", views.patient_reports, name="patient"),
    path(
        "patients/<patient_id>/reports/<report_id>/pdf/",
        views.download,
        name="download",
    ),
]

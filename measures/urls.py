from django.urls import path

from measures import views

app_name = "measures"

urlpatterns = [
    path("questionnaires/", views.mine, name="mine"),
    path("questionnaires/<administration_id>/", views.fill, name="fill"),
    path("questionnaires/<administration_id>/result/", views.result, name="result"),
    path("measures/instruments/", views.instruments, name="instruments"),
    path("patients/<patient_id>/measures/", views.patient_scores, name="patient"),
    path("patients/<patient_id>/measures/assign/", views.assign, name="assign"),
    path(
        "patients/<patient_id>/measures/assignments/<assignment_id>/stop/",
        views.stop,
        name="stop",
    ),
    path("patients/<patient_id>/measures/sessions/", views.add_session, name="add_session"),
    path(
        "patients/<patient_id>/measures/sessions/<session_id>/",
        views.edit_session,
        name="edit_session",
    ),
    path(
        "patients/<patient_id>/measures/sessions/<session_id>/cancel/",
        views.cancel_session,
        name="cancel_session",
    ),
    path("patients/<patient_id>/measures/recompute/", views.recompute, name="recompute"),
    path("patients/<patient_id>/measures/fhir/", views.export, name="export"),
]

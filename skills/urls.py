from django.urls import path

from skills import views

app_name = "skills"

urlpatterns = [
    path("skills/", views.library_page, name="library"),
    path("skills/coach/", views.coach_page, name="coach"),
    path("skills/practice/", views.my_practice, name="my_practice"),
    path("skills/new/", views.add_clinic_skill, name="add_clinic_skill"),
    path("skills/<skill_id>/", views.detail, name="detail"),
    path("skills/<skill_id>/favourite/", views.favourite, name="favourite"),
    path("skills/<skill_id>/practise/", views.practise, name="practise"),
    path("patients/<patient_id>/skills/", views.patient_practices, name="patient_practices"),
]

from django.urls import path

from diary import views

app_name = "diary"

urlpatterns = [
    path("diary/", views.today, name="today"),
    path("diary/<day>/", views.card, name="card"),
    path("patients/<patient_id>/diary/", views.week, name="week"),
    path("shared/<patient_id>/diary/", views.shared_summary, name="shared_summary"),
    path("patients/<patient_id>/diary/settings/", views.settings, name="settings"),
    path("patients/<patient_id>/diary/items/<item_id>/retire/", views.retire, name="retire_item"),
]

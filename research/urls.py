from django.urls import path

from research import views

app_name = "research"

urlpatterns = [
    path("me/research/", views.consent, name="consent"),
    path("research/data/<slug:table>.<slug:file_format>", views.download, name="download"),
]

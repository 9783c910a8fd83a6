from django.urls import path

from chains import views

app_name = "chains"

urlpatterns = [
    path("chains/", views.mine, name="mine"),
    path("chains/new/", views.new, name="new"),
    path("chains/<chain_id>/", views.detail, name="detail"),
    path("chains/<chain_id>/share/", views.share, name="share"),
    path("chains/<chain_id>/discard/", views.discard, name="discard"),
    path("chains/<chain_id>/links/<link_id>/comment/", views.comment, name="comment"),
    path("patients/<patient_id>/chains/", views.patient_chains, name="patient_chains"),
]

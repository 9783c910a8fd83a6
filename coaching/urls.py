from django.urls import path

from coaching import views

app_name = "coaching"

urlpatterns = [
    path("coaching/", views.mine, name="mine"),
    path("coaching/ask/", views.ask, name="ask"),
    path("coaching/inbox/", views.inbox_page, name="inbox"),
    path("coaching/hours/", views.availability, name="availability"),
    path("coaching/<request_id>/", views.request_page, name="request"),
    path("coaching/<request_id>/reply/", views.reply, name="reply"),
    path("coaching/<request_id>/answer/", views.answer, name="answer"),
    path("coaching/<request_id>/close/", views.close, name="close"),
]

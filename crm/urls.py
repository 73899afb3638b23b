from django.urls import path

from crm import views

app_name = "crm"

urlpatterns = [
    path("me/messages/", views.inbox, name="inbox"),
    path("me/messages/read-all/", views.inbox_read_all, name="inbox_read_all"),
    path("me/messages/<int:message_id>/", views.message_detail, name="message"),
    path("me/messages/<int:message_id>/go/", views.message_go, name="message_go"),
    path("me/messages/settings/", views.reach_preferences, name="preferences"),
    path("me/owner/", views.my_owner, name="my_owner"),
    path("me/owner/transfers/<int:transfer_id>/refuse/", views.transfer_refuse, name="transfer_refuse"),
]

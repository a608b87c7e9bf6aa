from django.urls import path

from mutua.notify import views

app_name = "notify"
urlpatterns = [
    path("notifications/", views.centre, name="centre"),
    path("notifications/read-all/", views.mark_all_read, name="mark_all_read"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/<str:public_id>/read/", views.mark_read, name="mark_read"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("l/<str:token>/", views.signed_link, name="signed_link"),
    path("hooks/sms/inbound", views.sms_inbound, name="sms_inbound"),
    path("hooks/email/inbound", views.email_inbound, name="email_inbound"),
]

from django.urls import path

from mutua.people import views

app_name = "people"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("skills/", views.skills, name="skills"),
    path("availability/", views.availability, name="availability"),
    path("private/", views.private_details, name="private"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<str:public_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("export/", views.export, name="export"),
    path("delete/", views.delete, name="delete"),
]

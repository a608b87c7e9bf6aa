"""Trust pages, included at the site root under the `trust` namespace."""

from django.urls import path

from mutua.trust import views

app_name = "trust"

c = "c/<slug:slug>/trust/"

urlpatterns = [
    path(c, views.my_trust, name="mine"),
    path(c + "concern/", views.concern, name="concern"),
    path(c + "overview/", views.overview, name="overview"),
    path(c + "recompute/", views.recompute, name="recompute"),
    path(c + "settings/", views.trust_settings, name="settings"),
    path(c + "members/<str:public_id>/vouch/", views.vouch, name="vouch"),
    path(c + "members/<str:public_id>/block/", views.block, name="block"),
    path(c + "members/<str:public_id>/suspend/", views.suspend, name="suspend"),
    path(c + "members/<str:public_id>/unsuspend/", views.unsuspend, name="unsuspend"),
    path(c + "members/<str:public_id>/met/", views.met_in_person, name="met"),
    path(c + "vouches/<str:public_id>/revoke/", views.vouch_revoke, name="vouch_revoke"),
    path(c + "concerns/<str:public_id>/review/", views.concern_review, name="concern_review"),
]

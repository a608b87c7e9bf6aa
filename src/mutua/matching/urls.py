"""Matching pages, included at the site root under the `matching` namespace."""

from django.urls import path

from mutua.matching import views

app_name = "matching"

c = "c/<slug:slug>/"

urlpatterns = [
    path(c + "dispatch/plans/", views.plan_list, name="plan_list"),
    path(c + "dispatch/plans/new/", views.plan_create, name="plan_create"),
    path(c + "dispatch/plans/<str:public_id>/", views.plan_detail, name="plan_detail"),
    path(c + "dispatch/plans/<str:public_id>/review/", views.plan_review, name="plan_review"),
    path(
        c + "dispatch/plans/<str:public_id>/assignments/<str:assignment_id>/",
        views.assignment_review,
        name="assignment_review",
    ),
    path(c + "matching/needs/<str:public_id>/ask/", views.need_ask, name="need_ask"),
    path(c + "matching/settings/", views.settings_edit, name="settings"),
    path(
        c + "arrangement-terms/<str:public_id>/renew/",
        views.arrangement_renew,
        name="arrangement_renew",
    ),
    path("asks/", views.ask_list, name="ask_list"),
    path("asks/<str:public_id>/", views.ask_detail, name="ask"),
]

"""Care pages, included at the site root under the `care` namespace."""

from django.urls import path

from mutua.care import circle_views, manage_views, views

app_name = "care"

urlpatterns = [
    path("care/", views.my_care, name="mine"),
    path("c/<slug:slug>/care/plans/new/", manage_views.plan_new, name="plan_new"),
    path("c/<slug:slug>/care/rota/", manage_views.rota, name="rota"),
    path("c/<slug:slug>/care/rota/<str:shift_id>/end/", manage_views.rota_end, name="rota_end"),
    path("c/<slug:slug>/care/settings/", manage_views.care_settings, name="settings"),
    path("c/<slug:slug>/care/calls/", views.call_list, name="calls"),
    path(
        "c/<slug:slug>/care/calls/<str:alert_id>/outcome/",
        views.call_outcome,
        name="call_outcome",
    ),
    path("care/plans/<str:public_id>/", views.plan_detail, name="plan_detail"),
    path("care/plans/<str:public_id>/edit/", manage_views.plan_edit, name="plan_edit"),
    path("care/plans/<str:public_id>/pause/", manage_views.plan_pause, name="plan_pause"),
    path("care/plans/<str:public_id>/resume/", manage_views.plan_resume, name="plan_resume"),
    path("care/plans/<str:public_id>/end/", manage_views.plan_end, name="plan_end"),
    path("care/plans/<str:public_id>/circle/", circle_views.plan_circle, name="plan_circle"),
    path(
        "care/plans/<str:public_id>/circle/on-call/",
        circle_views.circle_on_call,
        name="circle_on_call",
    ),
    path(
        "care/plans/<str:public_id>/circle/<str:contact_id>/remove/",
        circle_views.circle_remove,
        name="circle_remove",
    ),
    path("care/plans/<str:public_id>/<str:action>/", views.plan_action, name="plan_action"),
    path("care/alerts/<str:public_id>/<str:action>/", views.alert_action, name="alert_action"),
    path("care/circle/<str:public_id>/<str:action>/", views.circle_action, name="circle_action"),
    path("c/<slug:slug>/care/", views.board, name="board"),
]

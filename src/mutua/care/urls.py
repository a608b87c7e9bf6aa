"""Care pages, included at the site root under the `care` namespace."""

from django.urls import path

from mutua.care import views

app_name = "care"

urlpatterns = [
    path("care/", views.my_care, name="mine"),
    path("care/plans/<str:public_id>/", views.plan_detail, name="plan_detail"),
    path("care/plans/<str:public_id>/<str:action>/", views.plan_action, name="plan_action"),
    path("care/alerts/<str:public_id>/<str:action>/", views.alert_action, name="alert_action"),
    path("care/circle/<str:public_id>/<str:action>/", views.circle_action, name="circle_action"),
    path("c/<slug:slug>/care/", views.board, name="board"),
]

"""Ledger pages, included at the site root under the `ledger` namespace."""

from django.urls import path

from mutua.ledger import coordinate_views, fund_views, views

app_name = "ledger"

c = "c/<slug:slug>/ledger/"

urlpatterns = [
    path(c, views.balance, name="balance"),
    path(c + "send/", views.send, name="send"),
    path(c + "gift/", views.gift, name="gift"),
    path(c + "ask/", views.ask, name="ask"),
    path(c + "nudge/", views.nudge, name="nudge"),
    path(c + "requests/<str:public_id>/<str:action>/", views.answer, name="answer"),
    path(c + "fund/ask/", fund_views.fund_ask, name="fund_ask"),
    path(c + "fund/<str:public_id>/<str:action>/", fund_views.fund_answer, name="fund_answer"),
    path(c + "statement/", views.statement, name="statement"),
    path(c + "summary/", views.summary, name="summary"),
    path(c + "settings/", views.ledger_settings, name="settings"),
    path(c + "coordinate/", coordinate_views.coordinate, name="coordinate"),
    path(c + "coordinate/record/", coordinate_views.record, name="record"),
    path(c + "coordinate/grant/", coordinate_views.grant, name="grant"),
    path(c + "coordinate/reverse/", coordinate_views.reverse, name="reverse"),
    path(c + "coordinate/limits/", coordinate_views.limits, name="limits"),
    path(c + "coordinate/supported/", coordinate_views.supported, name="supported"),
]

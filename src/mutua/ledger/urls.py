"""Ledger pages, included at the site root under the `ledger` namespace."""

from django.urls import path

from mutua.ledger import views

app_name = "ledger"

c = "c/<slug:slug>/ledger/"

urlpatterns = [
    path(c, views.balance, name="balance"),
    path(c + "send/", views.send, name="send"),
    path(c + "gift/", views.gift, name="gift"),
    path(c + "ask/", views.ask, name="ask"),
    path(c + "nudge/", views.nudge, name="nudge"),
    path(c + "requests/<str:public_id>/<str:action>/", views.answer, name="answer"),
    path(c + "statement/", views.statement, name="statement"),
    path(c + "summary/", views.summary, name="summary"),
    path(c + "settings/", views.ledger_settings, name="settings"),
]

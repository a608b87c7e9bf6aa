"""Exchange pages, included at the site root under the `exchange` namespace."""

from django.urls import path

from mutua.exchange.views import (
    arrangements,
    dispatch,
    follow_ups,
    mine,
    need_edit,
    needs,
    offers,
)

app_name = "exchange"

c = "c/<slug:slug>/"

urlpatterns = [
    path(c + "needs/", needs.need_list, name="need_list"),
    path(c + "needs/new/", needs.need_new, name="need_new"),
    path(c + "needs/<str:public_id>/", needs.need_detail, name="need_detail"),
    path(c + "needs/<str:public_id>/edit/", need_edit.need_edit, name="need_edit"),
    path(
        c + "needs/<str:public_id>/private/", need_edit.need_private_edit, name="need_private_edit"
    ),
    path(c + "needs/<str:public_id>/<str:action>/", needs.need_action, name="need_action"),
    path(c + "offers/", offers.offer_list, name="offer_list"),
    path(c + "offers/new/", offers.offer_new, name="offer_new"),
    path(c + "offers/<str:public_id>/", offers.offer_detail, name="offer_detail"),
    path(c + "offers/<str:public_id>/<str:action>/", offers.offer_action, name="offer_action"),
    path(c + "dispatch/", dispatch.dispatch_board, name="dispatch"),
    path(c + "dispatch/assign/", dispatch.dispatch_assign, name="dispatch_assign"),
    path(c + "dispatch/bulk/", dispatch.dispatch_bulk, name="dispatch_bulk"),
    path(c + "dispatch/call-list/", dispatch.dispatch_call_list, name="call_list"),
    path(c + "dispatch/follow-ups/", follow_ups.follow_up_list, name="follow_ups"),
    path(c + "dispatch/follow-ups/clear/", follow_ups.follow_up_clear, name="follow_up_clear"),
    path(c + "exchange/settings/", follow_ups.exchange_settings, name="settings"),
    path(c + "arrangements/", arrangements.arrangement_list, name="arrangement_list"),
    path(c + "arrangements/new/", arrangements.arrangement_new, name="arrangement_new"),
    path(
        c + "arrangements/<str:public_id>/",
        arrangements.arrangement_detail,
        name="arrangement_detail",
    ),
    path(
        c + "arrangements/<str:public_id>/<str:action>/",
        arrangements.arrangement_action,
        name="arrangement_action",
    ),
    path("needs/<str:public_id>/", needs.need_share, name="need_share"),
    path("me/help/", mine.mine, name="mine"),
]

"""Page URLs. No app_name here, so `web`, `people` and `communities` stay top-level namespaces."""

from django.urls import include, path

from mutua.web import views

web_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("language/", views.language, name="language"),
]

urlpatterns = [
    path("", include((web_patterns, "web"))),
    path("me/", include("mutua.people.urls")),
    path("", include("mutua.communities.urls")),
    path("", include("mutua.exchange.urls")),
    path("", include("mutua.care.urls")),
    path("", include("mutua.ledger.urls")),
    path("", include("mutua.trust.urls")),
    path("", include("mutua.matching.urls")),
]

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from mutua.api.main import api
from mutua.core.views import health

urlpatterns = [
    path("health", health, name="health"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("mutua.notify.urls")),
    path("", include("mutua.web.urls")),
]
_ = i18n_patterns

"""URL configuration. Every view here declares its policy (see ``policy.routes``)."""

from django.urls import URLPattern, include, path

from care import views as care_views
from config.api import api
from core import pwa
from core import views as core_views
from policy.routes import public

api_patterns, api_app_name, api_namespace = api.urls
for _pattern in api_patterns:
    if isinstance(_pattern, URLPattern) and _pattern.name == "api-root":
        # Django Ninja's root URL always answers 404; it exists only to anchor the others.
        public(_pattern.callback)

urlpatterns = [
    path("", core_views.home, name="home"),
    path("help/", care_views.crisis, name="crisis"),
    path("healthz", core_views.health, name="health"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("accounts/", include("accounts.urls")),
    path("audit/", include("audit.urls")),
    path("", include("care.urls")),
    path("", include("diary.urls")),
    path("", include("ema.urls")),
    path("", include("skills.urls")),
    path("", include("safety.urls")),
    path("", include("chains.urls")),
    path("", include("coaching.urls")),
    path("", include("measures.urls")),
    path("", include("reports.urls")),
    path("", include("research.urls")),
    path("", include("analytics.urls")),
    path("api/v1/", (api_patterns, api_app_name, api_namespace)),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.forbidden"
handler404 = "core.views.not_found"
handler500 = "core.views.server_error"

from django.contrib import admin
from django.urls import include, path

from .health import healthz, metrics, stalls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("healthz/stalls", stalls, name="healthz-stalls"),
    path("metrics", metrics, name="metrics"),
    path("callbacks/", include("callbacks.urls")),
    path("preferences/", include("subscribers.preferences.urls")),
    path("api/v1/", include("api.urls")),
]

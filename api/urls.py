from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from .problems import not_found
from .views.consent import ConsentView
from .views.persons import ListsView, PersonHistoryView, PersonView
from .views.subscriptions import OptOutsView, SubscriptionsView

app_name = "api"

urlpatterns = [
    path("consent/", ConsentView.as_view(), name="consent"),
    path("subscriptions/", SubscriptionsView.as_view(), name="subscriptions"),
    path("opt-outs/", OptOutsView.as_view(), name="opt-outs"),
    path("lists/", ListsView.as_view(), name="lists"),
    path("persons/<str:external_id>/", PersonView.as_view(), name="person"),
    path("persons/<str:external_id>/history/", PersonHistoryView.as_view(), name="history"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Redoc from this server's static files, with no web fonts or inline script. Redoc
    # styles itself at run time (inline styles) and renders in a blob: worker: this one
    # page's policy allows both, scripts stay this server's own.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})(
            SpectacularRedocView.as_view(url_name="api:schema", template_name="api/reference.html")
        ),
        name="docs",
    ),
    re_path(r"^.*$", not_found),
]

"""Preference pages: ``/preferences/<signed token>/`` and asking for a new link."""

from django.urls import path

from . import link_requests, views

app_name = "preferences"

urlpatterns = [
    path("new-link/", views.link_request, name="link_request"),
    path("new-link/sent/", views.link_sent, name="link_sent"),
    path("<str:token>/", views.page, name="page"),
    path("<str:token>/lists/", views.lists_save, name="lists"),
    path("<str:token>/details/", views.details_save, name="details"),
    path(
        "<str:token>/number/",
        link_requests.padded("NUMBER_REQUEST_MIN_SECONDS")(views.number_save),
        name="number",
    ),
    path("<str:token>/number/code/", views.number_prove, name="number_prove"),
    path("<str:token>/stop/", views.stop_all, name="stop"),
]

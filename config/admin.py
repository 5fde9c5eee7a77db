"""The admin site: Django's, with what every page costs kept to what the page shows.

Django puts the app list (every registered model, each checked against the user's
permissions, each with its URLs reversed) into the context of every admin page, for the
navigation sidebar. Here it is built only when a page uses it (the index and app pages),
and the sidebar is off: it repeated the index on every page and cost a signed-in page
about half as much again as the login page. Staff move between pages with the
breadcrumbs and the index.
"""

from functools import partial

from django.contrib import admin
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _


class VibesAdminSite(admin.AdminSite):
    site_header = _("Vibes preference center")
    site_title = _("Vibes preference center")
    enable_nav_sidebar = False

    def get_app_list(self, request, app_label=None):
        return SimpleLazyObject(partial(super().get_app_list, request, app_label))

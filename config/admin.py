"""The admin site: Django's, under the product's name."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class VibesAdminSite(admin.AdminSite):
    site_header = _("Vibes preference center")
    site_title = _("Vibes preference center")
    index_title = _("Subscribers, lists and what Vibes sent")

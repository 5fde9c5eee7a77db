"""The admin site: Django's, under the product's name."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .stalls import stall_figures


class VibesAdminSite(admin.AdminSite):
    site_header = _("Vibes preference center")
    site_title = _("Vibes preference center")
    index_title = _("Subscribers, lists and what Vibes sent")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What apps add to the index (``request -> context``), e.g. the lists' overview
        # (subscribers/admin/lists.py); the apps register them, this module imports none.
        self.index_sections = []

    def index(self, request, extra_context=None):
        """The index opens with what is stuck (config/stalls.py), linked to the rows."""
        problems = [
            f
            for f in stall_figures()
            if f.problem and (not f.permission or request.user.has_perm(f.permission))
        ]
        context = {**(extra_context or {}), "stalls": problems}
        for provide in self.index_sections:
            context.update(provide(request))
        return super().index(request, context)

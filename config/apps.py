from django.contrib.admin.apps import AdminConfig


class VibesAdminConfig(AdminConfig):
    default_site = "config.admin.VibesAdminSite"

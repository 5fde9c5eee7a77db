from django.apps import AppConfig


class CallbacksConfig(AppConfig):
    name = "callbacks"
    verbose_name = "Vibes callbacks"

    def ready(self):
        from . import checks  # noqa: F401 - registers the system checks

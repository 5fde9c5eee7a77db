from django.apps import AppConfig


class SubscribersConfig(AppConfig):
    name = "subscribers"
    verbose_name = "Subscribers"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
        from .outbox import signals

        signals.connect()  # local changes -> outbox -> push to Vibes

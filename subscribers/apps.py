from django.apps import AppConfig


class SubscribersConfig(AppConfig):
    name = "subscribers"
    verbose_name = "Subscribers"

    def ready(self):
        from . import checks, lookups  # noqa: F401  (register the system checks, ``__any``)
        from .outbox import signals

        signals.connect()  # local changes -> outbox -> push to Vibes

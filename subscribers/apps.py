from django.apps import AppConfig


class SubscribersConfig(AppConfig):
    name = "subscribers"
    verbose_name = "Subscribers"

    def ready(self):
        # checks and lookups register the system checks and ``__any`` on import.
        from . import checks, heartbeat, lookups  # noqa: F401
        from .outbox import signals

        signals.connect()  # local changes -> outbox -> push to Vibes
        heartbeat.connect()  # beat says it runs (Needs attention)

from django.apps import AppConfig


class SubscribersConfig(AppConfig):
    name = "subscribers"
    verbose_name = "Subscribers"

    def ready(self):
        from django.db.models.signals import post_migrate

        from config import cache

        # checks and lookups register the system checks and ``__any`` on import.
        from . import checks, heartbeat, lookups  # noqa: F401
        from .outbox import signals

        signals.connect()  # local changes -> outbox -> push to Vibes
        heartbeat.connect()  # beat says it runs (Needs attention)
        post_migrate.connect(cache.create_table, sender=self)  # the shared counts' table

from django.apps import AppConfig


class SubscribersConfig(AppConfig):
    name = "subscribers"
    verbose_name = "Subscribers"

    def ready(self):
        from django.db.models.signals import post_migrate

        from config import cache

        from . import checks, lookups  # noqa: F401  (register the system checks, ``__any``)
        from .outbox import signals

        signals.connect()  # local changes -> outbox -> push to Vibes
        post_migrate.connect(cache.create_table, sender=self)  # the shared counts' table

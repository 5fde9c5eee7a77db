"""The Celery app, configured from Django settings (``CELERY_*``)."""

import os

from celery import Celery, signals

from .logsafe import protect_handlers

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    # A task is acknowledged only once it has run: a worker that dies mid-task leaves it
    # to be delivered again. Tasks are idempotent, so a second run does no harm.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    # The pool and its size are CELERY_WORKER_POOL / CELERY_WORKER_CONCURRENCY (settings).
    task_time_limit=120,
    task_soft_time_limit=90,
    task_ignore_result=True,
    task_serializer="json",
    accept_content=["json"],
    timezone="UTC",
    enable_utc=True,
    broker_connection_retry_on_startup=True,
    broker_connection_max_retries=None,
    # Publishing must never hang a request: give up fast, the outbox sweep re-sends.
    broker_connection_timeout=3,
    task_publish_retry=False,
    worker_cancel_long_running_tasks_on_connection_loss=True,
)
app.autodiscover_tasks()

# The worker and beat install logging handlers of their own (the root logger's and the task
# logger's): give each the credential filter of config/logsafe.py, as settings.LOGGING
# gives Django's.
signals.after_setup_logger.connect(protect_handlers, weak=False)
signals.after_setup_task_logger.connect(protect_handlers, weak=False)

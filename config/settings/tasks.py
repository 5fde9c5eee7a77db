"""Celery: the broker, pushes to Vibes, the worker pool and the beat schedule."""

from .api import WEBHOOK_SWEEP_SECONDS
from .base import VAR_DIR, env
from .compliance import PENDING_EXPIRY_SWEEP_SECONDS, VIBES_DRIFT_SWEEP_SECONDS
from .vibes import VIBES_REGISTRATION_REPAIR_SECONDS, VIBES_UNCOVERED_SWEEP_SECONDS

# Celery. With REDIS_URL unset, kombu's filesystem transport: a real worker runs with no
# broker server. Results are never read, so none are stored.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_EMBEDDED_BROKER_DIR = VAR_DIR / "broker"
PUSH_MAX_BACKOFF_SECONDS = 300  # the longest countdown any task is given
# Pushes to Vibes (subscribers.outbox / subscribers.tasks).
PUSH_DEBOUNCE_SECONDS = env.float("PUSH_DEBOUNCE_SECONDS", default=1.0)  # edits coalesce
PUSH_RETRY_BASE_SECONDS = env.float("PUSH_RETRY_BASE_SECONDS", default=2.0)
PUSH_MAX_ATTEMPTS = env.int("PUSH_MAX_ATTEMPTS", default=8)  # then failed, retried slowly
PUSH_PUBLISH_TIMEOUT = env.float("PUSH_PUBLISH_TIMEOUT", default=1.0)  # a save never waits more
PUSH_BROKER_BACKOFF_SECONDS = env.float("PUSH_BROKER_BACKOFF_SECONDS", default=10.0)
PUSH_LEASE_SECONDS = env.int("PUSH_LEASE_SECONDS", default=150)  # > task_time_limit
PUSH_STALE_SECONDS = env.int("PUSH_STALE_SECONDS", default=120)  # pending this long: re-queue
PUSH_SWEEP_INTERVAL_SECONDS = env.float("PUSH_SWEEP_INTERVAL_SECONDS", default=60.0)
PUSH_FAILED_RETRY_SECONDS = env.int("PUSH_FAILED_RETRY_SECONDS", default=3600)
# While Vibes refuses our credentials (401/403), how often to ask whether it accepts them
# again (subscribers/outbox/access.py); pushes wait meanwhile and resume by themselves.
PUSH_ACCESS_PROBE_SECONDS = env.float("PUSH_ACCESS_PROBE_SECONDS", default=60.0)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Well above any countdown (retry backoff is capped at PUSH_MAX_BACKOFF_SECONDS), so
        # Redis never re-delivers a task that is merely waiting, yet a quarter of the
        # default hour, so the unacked messages of a dead worker come back sooner.
        "visibility_timeout": 900,
        "socket_timeout": 5,
        "socket_connect_timeout": 3,
        "retry_on_timeout": True,
        "health_check_interval": 10,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_EMBEDDED_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_EMBEDDED_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_EMBEDDED_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_EMBEDDED_BROKER_DIR / "control"),
        "store_processed": False,
    }

# Every periodic task (celery beat), in one place. The callback sweep applies stored
# callbacks whose run was never queued or never ran (broker down, worker killed).
# Beat schedules a heartbeat this often; the worker that runs it says it runs
# (subscribers/heartbeat.py, shown in Needs attention past STALL_HEARTBEAT_SECONDS).
HEARTBEAT_SECONDS = env.int("HEARTBEAT_SECONDS", default=60)

CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "subscribers.tasks.heartbeat",
        "schedule": float(max(HEARTBEAT_SECONDS, 5)),
        "options": {"expires": max(HEARTBEAT_SECONDS, 5)},
    },
    "push-sweep": {
        "task": "subscribers.tasks.push_sweep",
        "schedule": PUSH_SWEEP_INTERVAL_SECONDS,
    },
    "vibes-access-probe": {
        "task": "subscribers.tasks.vibes_access_probe",
        "schedule": PUSH_ACCESS_PROBE_SECONDS,
    },
    "push-retry-failed": {
        "task": "subscribers.tasks.push_retry_failed",
        "schedule": max(60.0, PUSH_FAILED_RETRY_SECONDS / 4),
    },
    "callbacks-apply-received": {
        "task": "callbacks.tasks.callbacks_apply_received",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    "retention-prune": {
        "task": "subscribers.tasks.retention_prune",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    "vibes-drift-sweep": {
        "task": "subscribers.tasks.vibes_drift_sweep",
        "schedule": float(max(VIBES_DRIFT_SWEEP_SECONDS, 10)),
        "options": {"expires": max(VIBES_DRIFT_SWEEP_SECONDS, 10)},
    },
    # Vibes' registrations compared with the plan and repaired (callbacks/registering.py);
    # a new list is registered at once (callbacks/follow.py), this catches the rest.
    "callbacks-register": {
        "task": "callbacks.tasks.callbacks_register",
        "schedule": float(max(VIBES_REGISTRATION_REPAIR_SECONDS, 60)),
        "options": {"expires": 3600},
    },
    # The subscribers of lists whose opt-outs reach no callback, re-read within a budget.
    "vibes-uncovered-sweep": {
        "task": "callbacks.tasks.uncovered_lists_sweep",
        "schedule": float(max(VIBES_UNCOVERED_SWEEP_SECONDS, 10)),
        "options": {"expires": max(VIBES_UNCOVERED_SWEEP_SECONDS, 10)},
    },
    "pending-expire": {
        "task": "subscribers.tasks.pending_expire",
        "schedule": float(PENDING_EXPIRY_SWEEP_SECONDS),
        "options": {"expires": PENDING_EXPIRY_SWEEP_SECONDS},
    },
    "webhooks-prune": {
        "task": "webhooks.tasks.webhooks_prune",
        "schedule": 600.0,
        "options": {"expires": 500},
    },
    "webhooks-sweep": {
        "task": "webhooks.tasks.webhooks_sweep",
        "schedule": WEBHOOK_SWEEP_SECONDS,
        "options": {"expires": WEBHOOK_SWEEP_SECONDS},
    },
}

# The worker's pool (config/celery.py): enough processes to keep VIBES_RATE_LIMIT's worth of
# pushes in flight while each waits on Vibes (Celery's default is one per CPU). Not threads:
# with Redis and late acks they take new messages only every few seconds. --pool wins.
CELERY_WORKER_POOL = env.str("CELERY_WORKER_POOL", default="prefork")
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=8)

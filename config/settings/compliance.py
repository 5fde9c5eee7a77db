"""Compliance: suppression, retention, opt-out deadlines, the drift sweep, expiry."""

from .base import DEBUG, env
from .vibes import VIBES_RATE_LIMIT

# Compliance (README "Compliance"): SUPPRESSION_KEY keys the hash an erased number is kept
# as (subscribers/suppression.py). A key of its own, never derived from SECRET_KEY, so that
# rotating the secret leaves the list whole. Required when DEBUG is off (system check
# subscribers.E007); in DEBUG a public development key stands in.
DEV_SUPPRESSION_KEY = "dev-only-suppression-key-do-not-use-in-production"  # noqa: S105
SUPPRESSION_KEY = env.str("SUPPRESSION_KEY", default="") or (DEV_SUPPRESSION_KEY if DEBUG else "")
# Keys used before (comma-separated, newest first): numbers hashed with one are still
# recognised, and re-hashed with SUPPRESSION_KEY the first time they are.
SUPPRESSION_KEYS_PREVIOUS = env.list("SUPPRESSION_KEYS_PREVIOUS", default=[])

# Retention (subscribers/repair/retention.py): days until evidence and raw bodies are emptied.
RETENTION_CONSENT_DAYS = env.int("RETENTION_CONSENT_DAYS", default=4 * 365 + 1)
RETENTION_BODY_DAYS = env.int("RETENTION_BODY_DAYS", default=90)
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=1000)
RETENTION_MAX_BATCHES = env.int("RETENTION_MAX_BATCHES", default=50)
# Opt-out deadlines (subscribers/deadlines.py): a target for Vibes' confirmation; the FCC's.
OPTOUT_CONFIRM_TARGET_SECONDS = env.int("OPTOUT_CONFIRM_TARGET_SECONDS", default=300)
OPTOUT_DUE_BUSINESS_DAYS = env.int("OPTOUT_DUE_BUSINESS_DAYS", default=10)
# The drift sweep (subscribers/repair/drift.py) re-reads persons from Vibes within a budget
# of requests a second (a tenth of VIBES_RATE_LIMIT: pushes keep the rest); 0 turns it off.
VIBES_DRIFT_BUDGET = env.float("VIBES_DRIFT_BUDGET", default=VIBES_RATE_LIMIT / 10)
VIBES_DRIFT_SWEEP_SECONDS = env.int("VIBES_DRIFT_SWEEP_SECONDS", default=60)
VIBES_DRIFT_RECENT_HOURS = env.int("VIBES_DRIFT_RECENT_HOURS", default=24)

# Confirmations that expire (subscribers/repair/expiry.py): a join or new number waiting for
# its "Y" past the campaign's expire date, else PENDING_CONFIRMATION_HOURS, ends as expired.
PENDING_CONFIRMATION_HOURS = env.int("PENDING_CONFIRMATION_HOURS", default=24)
PENDING_EXPIRY_SWEEP_SECONDS = env.int("PENDING_EXPIRY_SWEEP_SECONDS", default=300)
PENDING_EXPIRY_BATCH = env.int("PENDING_EXPIRY_BATCH", default=500)

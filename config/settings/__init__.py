"""Settings, read from the environment, one module per concern.

Safe by default: DEBUG is off unless the environment says ``DEBUG=1`` (``make run``, the
tests and Procfile.dev say so), and with DEBUG off a missing SECRET_KEY, or the public
development key, stops start-up (base.py). Local defaults otherwise just work (SQLite, an
embedded Celery broker); softer misconfiguration surfaces as system checks
(``subscribers.checks``, ``callbacks.checks``). Later modules read earlier ones, so the
modules import what they read from each other; the beat schedule is in tasks.py alone.
"""

from .api import *  # noqa: F403
from .base import *  # noqa: F403
from .compliance import *  # noqa: F403
from .monitoring import *  # noqa: F403
from .pages import *  # noqa: F403
from .security import *  # noqa: F403
from .tasks import *  # noqa: F403
from .vibes import *  # noqa: F403

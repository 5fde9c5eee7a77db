"""Settings for the callback benchmark: production settings plus a baseline URL."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

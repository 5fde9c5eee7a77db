"""Settings for the apply benchmark: production settings plus the bare insert view."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.apply_urls"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

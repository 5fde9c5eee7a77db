"""Fixtures of the config tests: the Marketing staff user of the admin tests."""

from tests.subscribers.admin.admin_helpers import marketing_client, marketing_user  # noqa: F401

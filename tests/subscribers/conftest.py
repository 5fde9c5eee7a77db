"""Fixtures of the admin tests (defined in admin_helpers)."""

from .admin.admin_helpers import lists, marketing_client, marketing_user  # noqa: F401

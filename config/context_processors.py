"""Template context every page gets."""

from django.conf import settings


def company(request) -> dict:
    """The name of the company that sends the texts: subscribers should never wonder."""
    return {"COMPANY_NAME": settings.COMPANY_NAME}

"""The texts the product asks to send during a test, instead of sending them."""

from django.test import TestCase

CODES: list[tuple[int, str, str]] = []  # (person id, number, code) per one-time code


def record_code(*, person, mdn: str, code: str) -> None:
    CODES.append((person.pk, mdn, code))


def last_code() -> str:
    return CODES[-1][2]


def post_number(client, url: str, number: str, **extra):
    """Type a new number on a preference page. The code is handed to its sender once the
    request's transaction commits: inside a test's transaction, that is now."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(f"{url}number/", {"n-mdn": number}, **extra)

"""How the simulator answers a failed request, the way Vibes does."""


class ApiError(Exception):
    """A 4xx/5xx answer. ``message=None`` means Vibes' bodiless answer (some 404s and 409s).

    ``code`` is the token Vibes documents for the case (``MDNHASCONFIRMATIONBLOCK``,
    ``EXTERNALPERSONIDMISMATCH``) or else a number; the token is also in the message, so
    a client that looks for it in either field finds it.
    """

    def __init__(self, status: int, message: str | None = None, code: int | str | None = None):
        super().__init__(message or f"HTTP {status}")
        self.status = status
        self.message = message
        self.code = code if code is not None else status * 10

    def body(self) -> dict | None:
        if self.message is None:
            return None
        return {"errors": [{"message": self.message, "code": self.code}]}

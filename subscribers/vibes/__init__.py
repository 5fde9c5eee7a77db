"""The Vibes Platform ("Catapult") API: a client, its typed errors and a shared rate limit."""

from .client import ParticipantResult, VibesClient
from .errors import (
    AlreadySubscribed,
    BadRequest,
    ConfirmationBlocked,
    Conflict,
    MdnBelongsToAnotherPerson,
    MdnCannotChange,
    NotFound,
    RateLimited,
    Transient,
    Unprocessable,
    VibesError,
)

__all__ = [
    "AlreadySubscribed",
    "BadRequest",
    "ConfirmationBlocked",
    "Conflict",
    "MdnBelongsToAnotherPerson",
    "MdnCannotChange",
    "NotFound",
    "ParticipantResult",
    "RateLimited",
    "Transient",
    "Unprocessable",
    "VibesClient",
    "VibesError",
]

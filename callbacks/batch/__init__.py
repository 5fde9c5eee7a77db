"""Set-based apply: many received callbacks decided in memory and written in bulk.

``run.chunk_apply`` claims a chunk; ``intents`` reads each event; ``world`` reads and locks
the rows they touch; ``decide`` applies each handler's rules in memory, in order;
``subscribers.services.bulk`` writes the result; ``route.needs_single`` says which events
go to their handler instead.
"""

from .route import needs_single
from .run import chunk_apply, events_apply

__all__ = ["chunk_apply", "events_apply", "needs_single"]

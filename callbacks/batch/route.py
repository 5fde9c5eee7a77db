"""Which events a batch decides, and which go to the per-event path (``callbacks.apply``).

``needs_single`` is the one place that says so. The batch mirrors the per-event handlers
for the plain cases only; anything else is applied through the handlers, one at a time,
in its place in the sequence, so the outcome stays that of applying every event in turn.
"""

from ..models import CallbackEvent
from ..parsing import obj, text

#: The types a batch decides. Every other type (lists, acknowledgements, types not handled)
#: goes to its handler.
BATCH_TYPES = frozenset(
    {"subscription_added", "subscription_removed", "person_added", "person_updated"}
)

#: Opt-out reasons that say the number itself is gone, not that the person opted out: their
#: handler gives them a meaning of its own.
SINGLE_OPT_OUT_REASONS = frozenset({"disconnect", "failed_at_carrier", "obsolete_carrier"})


def needs_single(event: CallbackEvent, named=()) -> bool:
    """Whether ``event`` must be applied by its handler rather than in a batch.

    ``named`` are the local persons the event's person resolves to, when known (the batch
    asks again once it has resolved them). True for:

    - a type outside ``BATCH_TYPES``;
    - a ``subscription_removed`` whose ``opt_out_reason`` is in ``SINGLE_OPT_OUT_REASONS``;
    - an event naming a person who asked to switch to a new number (``pending_mdn``), or
      naming that new number: confirming, refusing or ignoring it is the number-change
      path of ``callbacks.handlers.base.confirm_new_number`` and ``services.numbers``.
    """
    if event.callback_type not in BATCH_TYPES:
        return True
    if event.callback_type == "subscription_removed":
        sub = obj((event.payload or {}).get("subscription"))
        if text(sub.get("opt_out_reason"), 64).lower() in SINGLE_OPT_OUT_REASONS:
            return True
    return any(person.pending_mdn for person in named)

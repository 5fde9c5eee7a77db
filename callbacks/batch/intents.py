"""What each event asks for, read once from its payload with the handlers' own helpers."""

from dataclasses import dataclass, field
from datetime import datetime

from subscribers import phone
from subscribers.models import Subscription, SubscriptionEvent
from subscribers.services import VibesIdentity

from ..handlers.base import identity_of, occurred
from ..handlers.persons import person_values
from ..handlers.subscriptions import _campaign
from ..models import CallbackEvent
from ..parsing import obj, parse_timestamp, text

NO_PERSON = "The event names no person (no id, person_key, external id or mdn)."
NO_LIST = "The event names no subscription list (subscription_list.id)."


@dataclass
class Intent:
    event: CallbackEvent
    identity: VibesIdentity  # cleaned
    occurred_at: datetime
    rejected: str = ""  # why the event can never be applied (the handler's Unprocessable)
    # A subscription event
    list_id: str = ""
    status: str = ""
    opt_in_date: datetime | None = None
    opt_out_date: datetime | None = None
    opt_out_reason: str = ""
    campaign: str = ""
    # A person event
    values: dict = field(default_factory=dict)

    @property
    def is_person_event(self) -> bool:
        return not self.status

    def numbers(self) -> set[str]:
        """Every number this event may look a person up by or give one."""
        found = {self.identity.mdn} if self.identity.mdn else set()
        if "mdn" in self.values:
            found.add(phone.normalize_from_vibes(self.values["mdn"] or ""))
        return found - {""}


def intent_of(event: CallbackEvent) -> Intent:
    payload = event.payload or {}
    if event.callback_type in ("person_added", "person_updated"):
        data = obj(payload.get("person"))
        identity = identity_of(data)
        intent = Intent(event, identity.cleaned(), occurred(event), values=person_values(data))
        if not identity:
            intent.rejected = NO_PERSON
        return intent
    sub = obj(payload.get("subscription"))
    identity = identity_of(obj(sub.get("person")))
    opt_in = parse_timestamp(sub.get("opt_in_date"))
    if event.callback_type == "subscription_added":
        occurred_at = occurred(event, opt_in)
        intent = Intent(
            event,
            identity.cleaned(),
            occurred_at,
            status=Subscription.Status.ACTIVE,
            opt_in_date=opt_in or occurred_at,
        )
    else:
        opt_out = parse_timestamp(sub.get("opt_out_date"))
        occurred_at = occurred(event, opt_out)
        intent = Intent(
            event,
            identity.cleaned(),
            occurred_at,
            status=Subscription.Status.OPTED_OUT,
            opt_in_date=opt_in,
            opt_out_date=opt_out or occurred_at,
            opt_out_reason=text(sub.get("opt_out_reason"), 64),
        )
    intent.campaign = _campaign(sub)
    intent.list_id = text(obj(sub.get("subscription_list")).get("id"), 64)
    if not identity:
        intent.rejected = NO_PERSON
    elif not intent.list_id:
        intent.rejected = NO_LIST
    return intent


KIND_FOR_STATUS = {
    Subscription.Status.ACTIVE: SubscriptionEvent.Kind.OPTED_IN,
    Subscription.Status.OPTED_OUT: SubscriptionEvent.Kind.OPTED_OUT,
}

"""The demo account: the same lists, campaigns, custom fields and persons as ``demo_data``.

One source of truth: the lists, fields and persons come from ``simulator.demo``, which
``demo_data`` loads into the database; only what the product never stores (which
campaign is single opt-in, keywords) is decided here.
"""

from .demo import FIELDS, LISTS, SINGLE_OPT_IN, demo_people
from .records import SimCampaign, SimList, SimPerson, SimSubscription
from .state import DEFAULT_CARRIER, SimulatorState

KEYWORDS = {"1234": "DEALS", "1235": "EVENTS", "1236": "ORDERS"}

# Every callback the product handles; subscription and ack callbacks are registered per
# list and per campaign, as Vibes filters them.
PERSON_TYPES = ("person_added", "person_updated")
LIST_TYPES = ("subscription_list_added", "subscription_list_updated")
SUBSCRIPTION_TYPES = ("subscription_added", "subscription_removed")
ACK_TYPES = ("ack_participant_added", "ack_participant_changed")
MESSAGE_TYPES = ("unmatched_message_received",)  # one per code, with the parent's key


def seed_demo(state: SimulatorState, *, persons: int = 300, seed: int = 7) -> dict:
    """Load the demo account quietly (no callbacks), replacing what has the same ids."""
    with state.lock:
        now = state.now()
        for list_id, name, campaign_id, _public, description in LISTS:
            state.lists[list_id] = SimList(id=list_id, name=name)
            if campaign_id:
                state.campaigns[campaign_id] = SimCampaign(
                    id=campaign_id,
                    list_id=list_id,
                    description=description or name,
                    keyword=KEYWORDS.get(list_id, ""),
                    double_opt_in=campaign_id not in SINGLE_OPT_IN,
                    created_at=now,
                )
        state.custom_fields.update(key for key, *_ in FIELDS)
        demo_keys = {f"demo-{n:05d}" for n in range(persons)}
        state.subscriptions = [s for s in state.subscriptions if s.person_key not in demo_keys]
        for demo in demo_people(persons, seed):
            state.persons[demo.person_key] = SimPerson(
                person_key=demo.person_key,
                person_id=demo.vibes_person_id,
                external_person_id=demo.external_person_id,
                mdn=demo.mdn,
                carrier_code=DEFAULT_CARRIER,
                custom_fields=dict(demo.custom_fields),
                created_at=min((s.opted_in for s in demo.subscriptions), default=now),
                updated_at=now,
            )
            for sub in demo.subscriptions:
                campaign_id = next(row[2] for row in LISTS if row[0] == sub.list_id) or None
                state.subscriptions.append(
                    SimSubscription(
                        person_key=demo.person_key,
                        list_id=sub.list_id,
                        opt_in_date=sub.opted_in,
                        acquisition_campaign_id=campaign_id,
                        opt_out_date=sub.opted_out,
                        opt_out_reason=sub.opt_out_reason or None,
                    )
                )
        return {"lists": len(state.lists), "campaigns": len(state.campaigns), "persons": persons}


def register_all_callbacks(
    state: SimulatorState, url: str, *, method: str = "POST", content_type="application/json"
) -> list:
    """Register every callback type the product handles to ``url`` (skipping duplicates)."""
    wanted = [(kind, {}) for kind in PERSON_TYPES + LIST_TYPES]
    with state.lock:
        code = {"source_code": state.short_code, "country_code": state.country_code}
        wanted += [(kind, code) for kind in MESSAGE_TYPES]
        # The outcome of every text of our own (docs/vibes.md, "Callback registrations").
        wanted += [("event_processed", {"callbacks_to_send": "all"})]
        for list_id in state.lists:
            wanted += [(kind, {"list_id": list_id}) for kind in SUBSCRIPTION_TYPES]
        for campaign_id in state.campaigns:
            wanted += [(kind, {"campaign_id": campaign_id}) for kind in ACK_TYPES]
        have = {
            (c.callback_type, tuple(sorted(c.filter.items())), c.url)
            for c in state.callbacks.values()
        }
        made = []
        for kind, scope in wanted:
            if (kind, tuple(sorted(scope.items())), url) in have:
                continue
            body = {
                "callback_type": kind,
                "destination": {"url": url, "method": method, "content_type": content_type},
            }
            if scope:
                body[kind] = scope
            key = state.parent_company_key if kind in MESSAGE_TYPES else state.company_key
            made.append(state.callback_register(body, company_key=key))
        return made

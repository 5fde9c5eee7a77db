"""Which callback registrations this service asks Vibes for, and in what order.

Vibes takes about 50 registrations per account, while subscription callbacks are
registered one per list and acknowledgements one per campaign (docs/vibes.md,
"Callback registrations"). So the plan is an ordered list cut at the limit, ordered by
what compliance needs most:

1. ``subscription_removed`` of every list: an opt-out that reaches no one is the worst
   miss;
2. ``person_added`` / ``person_updated``, ``unmatched_message_received`` once per short or
   long code (a texted revocation; made with the parent company key), and
   ``event_processed`` once for the account (whether our own texts went out);
3. ``subscription_added`` of every list;
4. ``ack_participant_changed`` / ``ack_participant_added`` of every campaign;
5. ``subscription_list_added`` / ``subscription_list_updated``.

What does not fit is "left out" and named (the command, the admin, a sweep that re-reads
the subscribers of lists without an opt-out callback). Pure: no database, no HTTP.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

PERSON_TYPES = ("person_added", "person_updated")
LIST_TYPES = ("subscription_list_added", "subscription_list_updated")
ACK_TYPES = ("ack_participant_changed", "ack_participant_added")
UNMATCHED = "unmatched_message_received"
EVENT_PROCESSED = "event_processed"
OPT_OUTS = "subscription_removed"
OPT_INS = "subscription_added"
PER_LIST = (OPT_INS, OPT_OUTS)
PER_CAMPAIGN = ACK_TYPES

# The filter key each filtered type is scoped by (docs/vibes.md, "Callback registrations").
SCOPE_KEY = {
    OPT_INS: "list_id",
    OPT_OUTS: "list_id",
    "ack_participant_added": "campaign_id",
    "ack_participant_changed": "campaign_id",
    UNMATCHED: "source_code",
}

# event_processed: every outcome (routing, carrier and handset receipts) of every event
# type; "all" is the documented default of ``callbacks_to_send``.
EVENT_FILTER = {"callbacks_to_send": "all"}

_CODE = re.compile(r"^[A-Za-z0-9]{3,15}$")
_COUNTRY = re.compile(r"^[0-9]{1,3}$")


@dataclass(frozen=True)
class SourceCode:
    """A short, long or alpha code phones text, with its country code."""

    code: str
    country_code: str

    def __str__(self) -> str:
        return f"{self.code}:{self.country_code}"


def parse_source_codes(values: Iterable[str]) -> list[SourceCode]:
    """``["52623:1", "18005551234:1"]`` as source codes; ``ValueError`` naming the entry
    otherwise. A string is read as the setting's comma-separated form. Duplicates are
    dropped, the order kept."""
    if isinstance(values, str):
        values = values.split(",")
    found: list[SourceCode] = []
    for raw in values:
        entry = str(raw).strip()
        if not entry:
            continue
        code, sep, country = entry.partition(":")
        code, country = code.strip(), country.strip().lstrip("+")
        if not sep or not _CODE.match(code) or not _COUNTRY.match(country):
            raise ValueError(
                f"{entry!r} is not code:country_code (e.g. 52623:1 for the US short code "
                "52623, 18005551234:1 for a long code): a code of 3 to 15 letters or digits, "
                "a country code of 1 to 3 digits"
            )
        source = SourceCode(code, country)
        if source not in found:
            found.append(source)
    return found


@dataclass(frozen=True)
class Wanted:
    """One registration the plan asks for: a type and its scope (a list id, a campaign id,
    a source code, or nothing for the account-wide types)."""

    callback_type: str
    scope: str = ""
    country_code: str = ""  # unmatched messages only
    parent: bool = False  # made with VIBES_PARENT_COMPANY_KEY

    @property
    def key(self) -> tuple[str, str]:
        return (self.callback_type, self.scope)

    @property
    def label(self) -> str:
        if self.callback_type == UNMATCHED:
            return f"{self.callback_type} {self.scope}:{self.country_code}"
        return f"{self.callback_type} {self.scope}".strip()

    def filter(self) -> dict | None:
        """The filter object, sent under the type's own name."""
        if self.callback_type == UNMATCHED:
            return {"source_code": self.scope, "country_code": self.country_code}
        if self.callback_type == EVENT_PROCESSED:
            return dict(EVENT_FILTER)
        if self.callback_type in SCOPE_KEY:
            return {SCOPE_KEY[self.callback_type]: self.scope}
        return None

    def body(self, url: str) -> dict:
        body: dict = {
            "callback_type": self.callback_type,
            "destination": {"url": url, "method": "POST", "content_type": "application/json"},
        }
        if (found := self.filter()) is not None:
            body[self.callback_type] = found
        return body


@dataclass
class Plan:
    registered: list[Wanted] = field(default_factory=list)  # fits, in order
    left_out: list[Wanted] = field(default_factory=list)  # does not fit, in order

    def uncovered(self, callback_type: str) -> list[str]:
        """The scopes (list or campaign ids) left without ``callback_type``."""
        return [w.scope for w in self.left_out if w.callback_type == callback_type]


def wanted_in_order(
    *,
    lists: Sequence[str],
    campaigns: Sequence[str],
    source_codes: Sequence[SourceCode],
) -> list[Wanted]:
    """Every registration the product handles, most needed first (see the module)."""
    lists = list(dict.fromkeys(str(x) for x in lists if x))
    campaigns = list(dict.fromkeys(str(x) for x in campaigns if x))
    wanted = [Wanted(OPT_OUTS, list_id) for list_id in lists]
    wanted += [Wanted(kind) for kind in PERSON_TYPES]
    wanted += [Wanted(UNMATCHED, s.code, s.country_code, parent=True) for s in source_codes]
    wanted.append(Wanted(EVENT_PROCESSED))
    wanted += [Wanted(OPT_INS, list_id) for list_id in lists]
    wanted += [Wanted(kind, campaign) for campaign in campaigns for kind in ACK_TYPES]
    wanted += [Wanted(kind) for kind in LIST_TYPES]
    return wanted


def callback_plan(
    *,
    lists: Sequence[str],
    campaigns: Sequence[str],
    source_codes: Sequence[SourceCode],
    limit: int,
) -> Plan:
    """The registrations that fit in ``limit`` slots, and those that do not."""
    wanted = wanted_in_order(lists=lists, campaigns=campaigns, source_codes=source_codes)
    room = max(0, limit)
    return Plan(registered=wanted[:room], left_out=wanted[room:])

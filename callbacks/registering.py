"""Applying the registration plan (callbacks/plan.py) at Vibes, and keeping its outcome.

One run: list what Vibes has registered (under the parent company key too, where it
differs), end our own registrations the plan no longer wants (an archived list, a
duplicate, what a newer plan gives the slot to; with ``prune``, those of a rotated-out
token too), then create what is missing. Registrations that are not ours (another host,
another path, a token still in CALLBACK_TOKENS but not the first) are never touched and
take slots from the limit. The outcome is kept as ``CallbackRegistration`` rows, which the
admin's "Needs attention" banner and the uncovered-lists sweep read.

The command (``vibes_register_callbacks``) and the worker (a new list, the daily repair;
callbacks/tasks.py) both call ``registrations_apply``; a second run changes nothing.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from subscribers.models import SubscriptionList
from subscribers.vibes import NotFound, VibesClient, VibesError
from subscribers.vibes.errors import CredentialsRefused

from .models import CallbackRegistration
from .plan import Plan, Wanted, callback_plan, parse_source_codes
from .registration import callback_identity, stale_registrations


@dataclass
class Applied:
    plan: Plan
    occupied: int = 0  # slots taken by registrations that are not ours now
    created: list[tuple[Wanted, str]] = field(default_factory=list)  # (wanted, callback id)
    kept: list[tuple[Wanted, str]] = field(default_factory=list)
    ended: list[dict] = field(default_factory=list)  # ours, no longer planned
    pruned: list[dict] = field(default_factory=list)  # ours, token rotated out
    failed: list[tuple[str, str]] = field(default_factory=list)  # (what, error)
    refused: dict[tuple[str, str], str] = field(default_factory=dict)  # wanted key: error

    @property
    def present(self) -> list[tuple[Wanted, str]]:
        return self.kept + self.created

    @property
    def changed(self) -> int:
        return len(self.created) + len(self.ended) + len(self.pruned)


def parent_client(client: VibesClient) -> VibesClient:
    """The client for the parent company key (the unmatched registrations); ``client``
    itself when the key is the same."""
    key = settings.VIBES_PARENT_COMPANY_KEY or client.company_key
    if key == client.company_key:
        return client
    return VibesClient.from_settings(company_key=key)


def account_scope(client: VibesClient) -> tuple[list[str], list[str]]:
    """The lists Vibes has now (an archived or removed one is gone, and gives its slots
    back), and the web acquisition campaign of each (the campaigns we ask to subscribe
    people through, so the ones whose acknowledgements matter)."""
    lists = sorted({str(item.get("id")) for item in client.get_lists() if item.get("id")})
    campaigns = (
        SubscriptionList.objects.filter(list_id__in=lists)
        .exclude(acquisition_campaign_id="")
        .order_by("list_id")
        .values_list("acquisition_campaign_id", flat=True)
    )
    return lists, list(dict.fromkeys(campaigns))


def _end(client: VibesClient, cb: dict, into: list, applied: Applied, what: str) -> None:
    try:
        client.delete_callback(str(cb.get("callback_id")))
    except NotFound:
        pass  # ended meanwhile: what ending wants
    except CredentialsRefused:
        raise
    except VibesError as exc:
        applied.failed.append((f"ending {what}", str(exc)))
        applied.occupied += 1
        return
    into.append(cb)


def registrations_apply(
    *, url: str, base_url: str, tokens: list[str], client: VibesClient, prune: bool = False
) -> Applied:
    """Make Vibes' registrations match the plan for ``url``; record and return the outcome.
    Raises ``VibesError`` when Vibes does not list its registrations or its lists (then
    nothing is changed or recorded)."""
    parent = parent_client(client)
    clients = {client.company_key: client, parent.company_key: parent}
    listed = [(key, cb) for key, c in clients.items() for cb in c.list_callbacks()]
    stale = {id(cb) for cb in stale_registrations([cb for _, cb in listed], base_url, tokens)}
    lists, campaigns = account_scope(client)

    applied = Applied(plan=Plan())
    current: list[tuple[str, dict]] = []
    for key, cb in listed:
        if callback_identity(cb)[2] == url:
            current.append((key, cb))
        elif prune and id(cb) in stale:
            _end(clients[key], cb, applied.pruned, applied, "a rotated-out token's registration")
        else:
            applied.occupied += 1

    applied.plan = plan = callback_plan(
        lists=lists,
        campaigns=campaigns,
        source_codes=parse_source_codes(settings.VIBES_SOURCE_CODES),
        limit=settings.VIBES_CALLBACK_LIMIT - applied.occupied,
    )

    def key_of(wanted: Wanted) -> tuple[str, str, str]:
        company = parent.company_key if wanted.parent else client.company_key
        return (company, wanted.callback_type, wanted.scope)

    wanted_keys = {key_of(w) for w in plan.registered}
    have: dict[tuple[str, str, str], str] = {}
    for key, cb in current:
        kind, scope, _ = callback_identity(cb)
        found = (key, kind, scope)
        if found in wanted_keys and found not in have:
            have[found] = str(cb.get("callback_id") or "")
        else:  # not planned (any more), or a second copy: its slot goes to the plan
            _end(clients[key], cb, applied.ended, applied, "an unplanned registration")

    for wanted in plan.registered:
        company, _, _ = found = key_of(wanted)
        if found in have:
            applied.kept.append((wanted, have[found]))
            continue
        try:
            answer = clients[company].register_callback(wanted.body(url))
        except CredentialsRefused:
            raise
        except VibesError as exc:
            applied.failed.append((wanted.label, str(exc)))
            applied.refused[wanted.key] = str(exc)
            continue
        applied.created.append((wanted, str(answer.get("callback_id") or "")))

    registrations_record(applied, main_key=client.company_key, parent_key=parent.company_key)
    return applied


def registrations_record(applied: Applied, *, main_key: str, parent_key: str) -> None:
    """Replace the kept outcome with this run's: one row per planned registration."""
    now = timezone.now()
    ids = {w.key: callback_id for w, callback_id in applied.present}
    rows = []
    for position, wanted in enumerate(applied.plan.registered + applied.plan.left_out):
        if wanted.key in ids:
            state, detail = CallbackRegistration.State.REGISTERED, ""
        elif wanted.key in applied.refused:
            state, detail = CallbackRegistration.State.FAILED, applied.refused[wanted.key]
        else:
            state, detail = CallbackRegistration.State.LEFT_OUT, ""
        rows.append(
            CallbackRegistration(
                position=position,
                callback_type=wanted.callback_type,
                scope=wanted.scope,
                company_key=parent_key if wanted.parent else main_key,
                state=state,
                callback_id=ids.get(wanted.key, ""),
                detail=detail[:300],
                checked_at=now,
            )
        )
    with transaction.atomic():
        CallbackRegistration.objects.all().delete()
        CallbackRegistration.objects.bulk_create(rows)


def uncovered_list_ids(callback_type: str = "subscription_removed") -> list[str]:
    """The lists the last applied plan left without ``callback_type`` (left out, or
    refused by Vibes)."""
    return list(
        CallbackRegistration.objects.filter(callback_type=callback_type)
        .exclude(state=CallbackRegistration.State.REGISTERED)
        .order_by("position")
        .values_list("scope", flat=True)
    )

"""Every write to persons, lists and subscriptions, each recording its history.

Views, admin actions, callback handlers, tasks and commands call these functions; they do
not save the models themselves. Each function runs in one transaction. Changes whose
source is Vibes itself run with pushes suppressed, so they are never pushed back.
"""

from .erasure import ErasureResult, person_erase, person_erased, person_is_erased
from .fields import custom_fields_accepted, custom_fields_refused
from .number_moves import NO_CAMPAIGN, number_moves_clear, number_moves_record
from .numbers import (
    NUMBER_REASONS,
    person_awaiting_number,
    person_confirm_number,
    person_number_expires_at,
    person_request_number,
    person_withdraw_number,
)
from .persons import (
    VibesIdentity,
    person_create,
    person_find_for_vibes,
    person_mark_pending,
    person_revoke_links,
    person_set_sync_state,
    person_update,
    person_upsert_from_vibes,
)
from .proofs import ProofFailed, person_ask_number, person_prove_number
from .revocation import (
    TEXT_REVOCATION_REASON,
    ReviewClosed,
    number_is_dead,
    person_number_dead,
    person_number_revive,
    person_revoke_by_text,
    revocation_review_decide,
    revocation_review_open,
)
from .subscriptions import (
    StateChange,
    person_opt_out_all,
    subscription_activate,
    subscription_cancel,
    subscription_expire,
    subscription_expires_at,
    subscription_list_confirms_by_text,
    subscription_list_upsert,
    subscription_reject,
    subscription_request,
    subscription_set_state,
)
from .texts import number_proof_unsent

__all__ = [
    "ErasureResult",
    "NO_CAMPAIGN",
    "NUMBER_REASONS",
    "ProofFailed",
    "ReviewClosed",
    "StateChange",
    "TEXT_REVOCATION_REASON",
    "VibesIdentity",
    "person_ask_number",
    "person_awaiting_number",
    "person_confirm_number",
    "person_create",
    "person_erase",
    "person_erased",
    "person_find_for_vibes",
    "person_is_erased",
    "number_is_dead",
    "number_proof_unsent",
    "number_moves_clear",
    "number_moves_record",
    "person_mark_pending",
    "person_number_dead",
    "person_number_revive",
    "person_number_expires_at",
    "person_opt_out_all",
    "person_prove_number",
    "person_request_number",
    "person_revoke_by_text",
    "person_revoke_links",
    "person_set_sync_state",
    "person_update",
    "custom_fields_accepted",
    "custom_fields_refused",
    "person_upsert_from_vibes",
    "person_withdraw_number",
    "revocation_review_decide",
    "revocation_review_open",
    "subscription_activate",
    "subscription_cancel",
    "subscription_expire",
    "subscription_expires_at",
    "subscription_list_confirms_by_text",
    "subscription_list_upsert",
    "subscription_reject",
    "subscription_request",
    "subscription_set_state",
]

"""Opt-out and opt-in refusal reasons in words, for staff.

The codes are kept as given in ``opt_out_reason`` (Vibes may send new ones, see
docs/vibes.md); the admin shows the words with the code beside them, so staff can read
the history and still search Vibes or the exports by code. An unknown code shows alone.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

#: What staff pick on the opt-out form (subscribers/admin/person_actions.py).
STAFF_REASONS = {
    "user_request": _("The person asked us (phone, email, in store)"),
    "complaint": _("Complaint"),
    "wrong_number": _("Wrong number / not this person's phone"),
    "legal_request": _("Legal or privacy request"),
    "other": _("Other (explain in the note)"),
}

#: Vibes' own reasons (docs/vibes.md) and the ones this service records when Vibes or the
#: phone refuses a subscription or a new number (subscribers/outbox/kinds/,
#: subscribers/services/numbers.py).
OTHER_REASONS = {
    "user_opt_out": _("Opted out by the person (STOP or the preference page)"),
    "keyword_opt_out": _("Texted a list's opt-out keyword"),
    "button_opt_out": _("Tapped an opt-out button"),
    "api_opt_out": _("Opted out through the API"),
    "platform_opt_out": _("Opted out in the Vibes platform"),
    "bulk_opt_out": _("Bulk opt-out in Vibes"),
    "list_archived": _("The list was archived in Vibes"),
    "disconnect": _("The number was disconnected"),
    "failed_at_carrier": _("Texts failed at the carrier"),
    "obsolete_carrier": _("The carrier is no longer served"),
    "confirmation_blocked": _("The number once replied No, so it cannot be asked again"),
    "replied_no": _("Replied No to the confirmation text"),
    "not_a_mobile_number": _("Not a number that can receive texts"),
    "vibes_rejected": _("Vibes did not accept the number"),
    "no_list": _("No list could confirm the new number"),
    "text_revocation": _("Texted us to stop (STOP, CANCEL, ALTO…), by any wording"),
    "expired": _("The confirmation text was not answered in time"),
}

REASONS = {**STAFF_REASONS, **OTHER_REASONS}


def reason_words(code: str) -> str:
    """The reason in words, or "" when the code is not one we know."""
    words = REASONS.get(code)
    return str(words) if words is not None else ""


def reason_text(code: str) -> str:
    """``Opted out through the API (api_opt_out)``; an unknown code alone."""
    if not code:
        return ""
    words = reason_words(code)
    return gettext("%(words)s (%(code)s)") % {"words": words, "code": code} if words else code


def reason_choices() -> list[tuple[str, str]]:
    """Every known reason as a filter choice, in words with the code."""
    return [(code, reason_text(code)) for code in REASONS]

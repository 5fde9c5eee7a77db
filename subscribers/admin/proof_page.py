"""One person's proof of consent as a page that prints on one or two sheets: each step of
their opt-in history in words, with its evidence, next to the JSON export's facts
(subscribers/admin/exports.py ``proof_of_consent``, the same four queries)."""

from dataclasses import dataclass

from django.shortcuts import render
from django.utils.translation import gettext as _

from ..models import Source, SubscriptionEvent
from ..reasons import reason_text
from .exports import proof_of_consent, proof_of_consent_response

_SOURCES = dict(Source.choices)
_KINDS = dict(SubscriptionEvent.Kind.choices)


@dataclass(frozen=True)
class Step:
    when: object
    what: str
    how: str
    evidence: list[str]
    superseded: bool


def _step(record: dict) -> Step:
    sub_list = record["list"]
    what = str(_KINDS.get(record["kind"], record["kind"]))
    if sub_list:
        what = _("%(what)s: %(list)s (Vibes list %(id)s)") % {
            "what": what,
            "list": sub_list["name"],
            "id": sub_list["list_id"],
        }
    how = str(_SOURCES.get(record["source"], record["source"] or _("unknown source")))
    if record["staff_user"]:
        how = _("%(how)s, by staff user %(user)s") % {"how": how, "user": record["staff_user"]}
    said = []
    if record["opt_out_reason"]:
        said.append(_("Reason: %(reason)s.") % {"reason": reason_text(record["opt_out_reason"])})
    if record["acquisition_campaign_id"]:
        said.append(
            _("Through Vibes acquisition campaign %(id)s.")
            % {"id": record["acquisition_campaign_id"]}
        )
    proof = record["evidence"]
    if proof["ip_address"] or proof["user_agent"]:
        said.append(
            _("Sent from address %(ip)s with the browser “%(agent)s”, on page %(page)s.")
            % {
                "ip": proof["ip_address"] or _("unknown"),
                "agent": proof["user_agent"] or _("unknown"),
                "page": proof["page"] or _("unknown"),
            }
        )
    if proof["wording"]:
        said.append(_("The person was shown: “%(wording)s”") % {"wording": proof["wording"]})
    if record["callback_id"]:
        said.append(
            _("Reported by Vibes in callback #%(id)s (kept below).") % {"id": record["callback_id"]}
        )
    if record["note"]:
        said.append(_("Note: %(note)s") % {"note": record["note"]})
    return Step(record["occurred_at"], what, how, said, record["superseded"])


def proof_page(request, person, model_admin):
    proof = proof_of_consent(person)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Proof of consent"),
        "person": person,
        "proof": proof,
        "steps": [_step(r) for r in proof["history"]],
        "opts": model_admin.opts,
    }
    return render(request, "admin/subscribers/person/proof.html", context)


def consent_response(request, person, model_admin):
    """The printable page for ``?print``, else the JSON download."""
    if "print" in request.GET:
        return proof_page(request, person, model_admin)
    return proof_of_consent_response(person)

"""The subscriber's preference pages, reached through a signed link.

GET never changes anything: link previews and mail scanners fetch links. Every change is
a POST with CSRF protection that goes through ``subscribers.services`` with evidence
(address, user agent, the page, the exact wording the person saw), then redirects (PRG).
The lists form changes only the lists it showed, and only those whose box the person
changed; a double submit finds nothing left to do.

Leaving a list from these pages is recorded with Vibes' own opt-out reason
``user_opt_out`` (the person's own request); the source ``preference_page`` says where.
"""

import dataclasses
import functools

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.proxies import client_ip

from .. import limits, selectors, services
from ..models import CustomField, Person, Source
from ..phone import mask
from . import link_requests, links, said
from .csrf import csrf_protect_no_referrer
from .errors import error_summary
from .evidence import Evidence
from .forms import DetailsForm, LinkRequestForm, NumberCodeForm, NumberForm
from .number_rows import number_moves, number_wording
from .rows import JOIN_DISCLOSURE, expired_number, history_rows, list_rows, number_problem

OPT_OUT_REASON = "user_opt_out"
PAGE = Source.PREFERENCE_PAGE


def _private(view):
    """Headers for every preference page: the URL carries a credential."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store, private"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def _with_person(view):
    """Open the link or answer with the friendly "link no longer works" page (404)."""

    @functools.wraps(view)
    def wrapped(request, token, *args, **kwargs):
        try:
            person = links.read_token(token)
        except links.LinkError:
            return render(
                request,
                "preferences/invalid_link.html",
                {"form": LinkRequestForm()},
                status=404,
            )
        return view(request, token, person, *args, **kwargs)

    return wrapped


def _evidence(request, token: str, *, wording: str) -> Evidence:
    """Evidence without the token: the page path is kept, its credential is not."""
    evidence = Evidence.from_request(request, wording=wording)
    return dataclasses.replace(evidence, page=evidence.page.replace(token, "<token>"))


def _editable_fields() -> list[CustomField]:
    return list(CustomField.objects.filter(subscriber_editable=True))


def _render_page(
    request, token, person, *, details_form=None, number_form=None, code_form=None, status=200
):
    rows = list_rows(person)
    number_campaigns = selectors.number_lists(person)
    proof = selectors.number_proof_open(person)
    context = {
        "token": token,
        "person": person,
        "masked_mdn": mask(person.mdn, unbroken=True),
        "number_dead": services.number_is_dead(person) is not None,
        "masked_pending": mask(person.pending_mdn, unbroken=True),
        "rows": rows,
        "has_changeable_lists": any(not r.disabled for r in rows),
        "details_form": details_form
        or DetailsForm(fields=_editable_fields(), person=person, prefix="d"),
        "number_form": number_form or NumberForm(prefix="n"),
        "number_proof": proof.shown() if proof else "",
        "code_form": code_form or NumberCodeForm(prefix="c"),
        "error_summary": error_summary(details_form, code_form, number_form),
        "number_problem": number_problem(person),
        "number_expired": bool(expired_number(person)),
        "number_possible": bool(number_campaigns),
        "number_hint": number_wording(person, number_campaigns),
        "number_moves": number_moves(person),
        "history": history_rows(person),
        "disclosure": JOIN_DISCLOSURE,
        # "Stop all" covers every list, offered here or not.
        "any_active": selectors.person_has_open_subscription(person),
    }
    return render(request, "preferences/page.html", context, status=status)


@_private
@csrf_protect_no_referrer
@require_http_methods(["GET", "HEAD"])
@_with_person
def page(request, token, person):
    return _render_page(request, token, person)


def _lock(person) -> None:
    """Serialise one person's changes, so two quick submits see each other's result."""
    Person.objects.select_for_update().filter(pk=person.pk).values_list("pk").first()


def _parse_shown(values: list[str]) -> dict[int, bool]:
    shown = {}
    for value in values:
        pk, _sep, was = value.partition(":")
        if pk.isdigit() and was in ("0", "1"):
            shown[int(pk)] = was == "1"
    return shown


@_private
@csrf_protect_no_referrer
@require_http_methods(["POST"])
@_with_person
def lists_save(request, token, person):
    shown = _parse_shown(request.POST.getlist("shown"))
    wanted = set(request.POST.getlist("list"))
    # "Send the text again" on a list whose confirmation expired joins it once more.
    wanted |= {request.POST["resend"]} if request.POST.get("resend", "").isdigit() else set()
    # suppressed: lists an erased number asked for; limited: why a resend was refused.
    joined, left, suppressed, limited = [], [], [], ""
    with transaction.atomic():
        _lock(person)
        rows = {r.subscription_list.pk: r for r in list_rows(person)}
        changed_meanwhile = [
            pk for pk, was in shown.items() if pk in rows and rows[pk].checked != was
        ]
        for pk, was_checked in shown.items():
            row = rows.get(pk)
            want = str(pk) in wanted
            if row is None or row.disabled or want == was_checked:
                continue
            evidence = _evidence(request, token, wording=row.wording)
            if want and row.can_join and row.expired and not limited:
                # Asking again texts the phone again: counted like every text we ask for.
                try:
                    limits.text_allowed_or_raise(
                        mdn=person.mdn or person.pending_mdn,
                        person_id=person.pk,
                        ip=client_ip(request),
                    )
                except limits.TextRefused as exc:
                    limited = str(exc)
            if want and row.can_join and not (row.expired and limited):
                requested = services.subscription_request(
                    person=person,
                    subscription_list=row.subscription_list,
                    source=PAGE,
                    evidence=evidence,
                    acquisition_campaign_id=row.subscription_list.acquisition_campaign_id,
                )
                # None: an erased number (subscribers/suppression.py), never texted again.
                (joined if requested else suppressed).append(row)
            elif not want and row.checked:
                services.subscription_cancel(
                    person=person,
                    subscription_list=row.subscription_list,
                    source=PAGE,
                    evidence=evidence,
                    opt_out_reason=OPT_OUT_REASON,
                )
                left.append(row.label)
    for message in said.joined(person, joined):
        messages.success(request, message)
    if left:
        messages.success(
            request,
            _("You won't get texts from %(lists)s any more.") % {"lists": ", ".join(left)},
        )
    if suppressed:
        messages.error(request, _("We can't send texts to this number."))
    if limited:
        messages.error(request, limited)
    if changed_meanwhile:
        messages.warning(request, said.changed_meanwhile(person, changed_meanwhile, rows))
    elif not joined and not left and not suppressed and not limited:
        messages.info(request, _("Nothing to change: your lists are as you chose."))
    return redirect("preferences:page", token=token)


@_private
@csrf_protect_no_referrer
@require_http_methods(["POST"])
@_with_person
def details_save(request, token, person):
    form = DetailsForm(request.POST, fields=_editable_fields(), person=person, prefix="d")
    if not form.is_valid():
        return _render_page(request, token, person, details_form=form, status=400)
    values = form.changed_values()
    if values:
        services.person_update(
            person=person,
            source=PAGE,
            evidence=_evidence(request, token, wording=_("Save my details")),
            custom_fields=values,
        )
        messages.success(request, _("Your details are saved."))
    else:
        messages.info(request, _("Nothing to change: your details are as you entered them."))
    return redirect("preferences:page", token=token)


@_private
@csrf_protect_no_referrer
@require_http_methods(["POST"])
@_with_person
def number_save(request, token, person):
    form = NumberForm(request.POST, prefix="n")
    if request.POST.get("resend"):
        # "Send the text again" for a new number whose confirmation expired: the same
        # path as typing it, with the number read here (the page shows it masked).
        form = NumberForm({"n-mdn": expired_number(person)}, prefix="n")
        if not form.data["n-mdn"]:
            messages.info(request, _("There is no expired number to send again."))
            return redirect("preferences:page", token=token)
    if not form.is_valid():
        return _render_page(request, token, person, number_form=form, status=400)
    lists = selectors.number_lists(person)
    if not lists:
        messages.error(request, _("A new number can't be confirmed online right now."))
        return redirect("preferences:page", token=token)
    wording = number_wording(person, lists)
    try:
        sent = services.person_ask_number(
            person=person,
            mdn=form.cleaned_data["mdn"],
            source=PAGE,
            evidence=_evidence(request, token, wording=wording),
        )
    except limits.TextRefused as refused:
        form.add_error("mdn", str(refused))
        return _render_page(request, token, person, number_form=form, status=429)
    if sent:
        messages.success(
            request,
            _("We've texted a code to %(number)s. Enter it below to use this number.")
            % {"number": mask(form.cleaned_data["mdn"], unbroken=True)},
        )
        return redirect(reverse("preferences:page", args=[token]) + "#number-code")
    messages.info(request, _("That is already your number; nothing changed."))
    return redirect("preferences:page", token=token)


@_private
@csrf_protect_no_referrer
@require_http_methods(["POST"])
@_with_person
def number_prove(request, token, person):
    form = NumberCodeForm(request.POST, prefix="c")
    if form.is_valid():
        try:
            mdn = services.person_prove_number(
                person=person,
                code=form.cleaned_data["code"],
                source=PAGE,
                evidence=_evidence(
                    request, token, wording=number_wording(person, selectors.number_lists(person))
                ),
            )
        except services.ProofFailed as failed:
            if selectors.number_proof_open(person) is None:  # nothing left to type it into
                messages.error(request, str(failed))
                return redirect("preferences:page", token=token)
            form.add_error("code", str(failed))
        else:
            # Each list answers in its own way (number_rows.py): no "Y" is promised here.
            messages.success(
                request,
                _(
                    "That's the right code. We're asking each of your lists to move to "
                    "%(number)s; this page shows their answers."
                )
                % {"number": mask(mdn, unbroken=True)},
            )
            return redirect("preferences:page", token=token)
    return _render_page(request, token, person, code_form=form, status=400)


@_private
@csrf_protect_no_referrer
@require_http_methods(["GET", "HEAD", "POST"])
@_with_person
def stop_all(request, token, person):
    wording = _(
        "You'll leave every list and we'll stop texting %(number)s. You can join again later."
    ) % {"number": mask(person.mdn, unbroken=True) or mask(person.pending_mdn, unbroken=True)}
    if request.method != "POST":
        return render(
            request,
            "preferences/stop.html",
            {"token": token, "wording": wording, "masked_mdn": mask(person.mdn, unbroken=True)},
        )
    with transaction.atomic():
        _lock(person)
        evidence = _evidence(request, token, wording=wording)
        changes = services.person_opt_out_all(
            person=person, source=PAGE, evidence=evidence, opt_out_reason=OPT_OUT_REASON
        )
        if person.pending_mdn:
            # A new number still waiting for its confirmation text would sign them up
            # again through the campaign: "stop all" withdraws it too.
            services.person_update(
                person=person,
                source=PAGE,
                evidence=evidence,
                note="new number withdrawn",
                pending_mdn="",
            )
            changes.append(None)
    if changes:
        messages.success(request, _("Done: we won't send you any more texts."))
    else:
        messages.info(request, _("You were not on any list, so there was nothing to stop."))
    return redirect("preferences:page", token=token)


@_private
@csrf_protect_no_referrer
@require_http_methods(["GET", "HEAD", "POST"])
def link_request(request):
    """Ask for a new link by number. The answer never says whether the number is known."""
    if request.method != "POST":
        return render(request, "preferences/link_request.html", {"form": LinkRequestForm()})
    started = link_requests.monotonic()
    if not link_requests.address_allowed(client_ip(request)):
        return render(request, "preferences/too_many.html", status=429)
    form = LinkRequestForm(request.POST)
    if not form.is_valid():
        context = {"form": form, "error_summary": error_summary(form)}
        return render(request, "preferences/link_request.html", context, status=400)
    reference = link_requests.new_reference()
    link_requests.request_link(mdn=form.cleaned_data["mdn"], reference=reference)
    link_requests.pad(started)
    return redirect(reverse("preferences:link_sent") + f"?text={reference}")


@_private
@csrf_protect_no_referrer
@require_http_methods(["GET", "HEAD"])
def link_sent(request):
    return render(request, "preferences/link_sent.html", link_requests.answer_context(request))

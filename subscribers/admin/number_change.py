"""Staff start a number change; the phone finishes it.

Staff cannot prove that a phone is the person's, so the admin never writes a number: the
field is read-only, and "Start a number change" texts a one-time code to the new number
through the preference page's own path (``services.person_ask_number``, which hands the
code to ``NUMBER_CODE_SENDER``). The person types the code on their preference page; the
number then waits for Vibes' confirmation like any proven request (services/proofs.py).
A number written without that proof would put our external id on the Vibes record of
whoever holds the number, and the person's "stop all" would unsubscribe that holder.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .. import limits, phone, selectors, services
from ..models import Person, Source
from ..preferences.forms import MobileNumberField


class NumberChangeForm(forms.Form):
    mdn = MobileNumberField(
        label=_("New mobile number"),
        help_text=_(
            "We text this number a one-time code. Nothing changes until the person types "
            "it on their preference page; then each of their lists is asked to move to the "
            "new number, and the number is theirs once Vibes confirms it."
        ),
    )


def start_number_change(modeladmin, request, person: Person):
    """The form, then the code texted to the new number (never the number written)."""
    if not modeladmin.has_change_permission(request, person):
        raise PermissionDenied
    change_url = reverse("admin:subscribers_person_change", args=[person.pk])
    form = NumberChangeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if not selectors.number_lists(person):
            form.add_error("mdn", _("A new number can't be confirmed online right now."))
        else:
            try:
                sent = services.person_ask_number(
                    person=person,
                    mdn=form.cleaned_data["mdn"],
                    source=Source.ADMIN,
                    staff_user=request.user,
                )
            except limits.TextRefused as refused:
                form.add_error("mdn", str(refused))
            else:
                modeladmin.message_user(request, _sent_message(sent, form), messages.INFO)
                return HttpResponseRedirect(change_url)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Start a number change"),
        "opts": modeladmin.model._meta,
        "person": person,
        "form": form,
        "change_url": change_url,
        "masked_mdn": phone.mask(person.mdn),
    }
    return TemplateResponse(request, "admin/subscribers/person/number_change.html", context)


def _sent_message(sent: bool, form: NumberChangeForm) -> str:
    if not sent:
        return str(_("That is already the person's number: nothing changed."))
    return str(
        _(
            "We texted a one-time code to %(number)s. The person types it on their "
            "preference page (send them their preference link); only then is the number "
            "used, once Vibes confirms it."
        )
        % {"number": phone.mask(form.cleaned_data["mdn"])}
    )

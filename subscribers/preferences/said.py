"""What the preference page says after the lists form is saved: what will happen next, per
list, and what changed elsewhere meanwhile."""

from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from ..models import Subscription
from ..phone import mask


def joined(person, joined) -> list[str]:
    """What joining did, per list: subscribed at once, or one text per list to answer (each
    list's campaign sends its own confirmation text)."""
    number = mask(person.mdn or person.pending_mdn, unbroken=True)
    at_once = [r.label for r in joined if not r.subscription_list.confirms_by_text]
    confirm = [r.label for r in joined if r.subscription_list.confirms_by_text]
    said = []
    if at_once:
        said.append(
            _("You're subscribed to %(lists)s: texts go to %(number)s, no reply needed.")
            % {"lists": ", ".join(at_once), "number": number}
        )
    if len(confirm) == 1:
        said.append(
            _("We've sent a text to %(number)s; reply Y to confirm %(lists)s.")
            % {"number": number, "lists": confirm[0]}
        )
    elif confirm:
        said.append(
            _(
                "We're sending %(count)d texts to %(number)s, one for each list (%(lists)s). "
                "Reply Y to each of them: each list starts only when its text is answered."
            )
            % {"count": len(confirm), "number": number, "lists": ", ".join(confirm)}
        )
    return said


def changed_meanwhile(person, list_pks: list[int], rows: dict) -> str:
    """Name the lists that changed after this page was shown (another device, a text), and
    when: an older page saved on a second device must not just say "nothing to change"."""
    last = (
        Subscription.objects.filter(person=person, subscription_list_id__in=list_pks)
        .order_by("-updated_at")
        .values_list("updated_at", flat=True)
        .first()
    )
    return _(
        "Your lists were changed elsewhere (on another device or by a text) %(ago)s ago: "
        "%(lists)s. Here they are now."
    ) % {
        "ago": timesince(last) if last else _("a moment"),
        "lists": ", ".join(rows[pk].label for pk in list_pks),
    }

"""One timeline entry's markup, from an ``Entry`` and the page's translated labels.

The same markup as a per-entry template would give (the CSS is timeline_style.html), built
with ``escape`` on every value. Dates are shown in the current time zone (UTC), as the
``date`` filter shows them.
"""

from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext

from ..models import SubscriptionEvent
from ..reasons import REASONS
from .base import escape


@dataclass(frozen=True)
class Labels:
    """Everything an entry says besides its data, translated once per page."""

    kinds: dict
    sources: dict
    reasons: dict
    recorded: str
    list_: str
    superseded: str
    superseded_title: str
    source: str
    staff: str
    reason: str
    campaign: str
    callback: str
    note: str
    ip_address: str
    page: str
    browser: str
    wording: str
    field: str
    before: str
    after: str

    @classmethod
    def for_current_language(cls) -> "Labels":
        return cls(
            kinds={v: str(label) for v, label in SubscriptionEvent.Kind.choices},
            sources=dict(
                (v, str(label))
                for v, label in SubscriptionEvent._meta.get_field("source").flatchoices
            ),
            reasons={code: str(words) for code, words in REASONS.items()},
            recorded=gettext("recorded"),
            list_=gettext("list"),
            superseded=gettext("superseded"),
            superseded_title=gettext(
                "Older than a change already applied, so kept for the record only."
            ),
            source=gettext("Source"),
            staff=gettext("Staff"),
            reason=gettext("Reason"),
            campaign=gettext("Campaign"),
            callback=gettext("Callback"),
            note=gettext("Note"),
            ip_address=gettext("IP address"),
            page=gettext("Page"),
            browser=gettext("Browser"),
            wording=gettext("Wording shown"),
            field=gettext("Field"),
            before=gettext("Before"),
            after=gettext("After"),
        )


def _value(value) -> str:
    """A before/after value as ``{{ value|default_if_none:"—" }}`` shows it."""
    return "—" if value is None else escape(formats.localize(value))


def entry_html(entry, labels: Labels) -> str:  # noqa: C901 - one branch per optional part
    e = entry.event
    occurred = timezone.localtime(e.occurred_at)
    recorded = timezone.localtime(e.recorded_at) if e.recorded_at else None
    out = [f'<li class="tone-{entry.tone}{" superseded" if e.superseded else ""}">']
    out.append(
        f'<div class="when"><time datetime="{occurred.isoformat()}">'
        f"{occurred:%Y-%m-%d %H:%M:%S} UTC</time>"
    )
    if recorded is None or f"{recorded:%Y%m%d%H%M}" != f"{occurred:%Y%m%d%H%M}":
        when = f"{recorded:%Y-%m-%d %H:%M:%S}" if recorded else ""
        out.append(f" · {escape(labels.recorded)} {when}")
    out.append('</div><div class="what">')
    out.append(escape(labels.kinds.get(e.kind, e.kind)))
    if e.subscription_list_id:
        sub_list = e.subscription_list
        out.append(
            f' — {escape(sub_list.name)} <span class="badge">{escape(labels.list_)} '
            f"{escape(sub_list.list_id)}</span>"
        )
    if e.superseded:
        out.append(
            f' <span class="badge superseded" title="{escape(labels.superseded_title)}">'
            f"{escape(labels.superseded)}</span>"
        )
    out.append('</div><div class="meta">')
    out.append(
        f"<span>{escape(labels.source)}: {escape(labels.sources.get(e.source, e.source))}</span>"
    )
    if e.staff_user_id:
        out.append(f"<span>{escape(labels.staff)}: {escape(e.staff_user.get_username())}</span>")
    if e.opt_out_reason:
        code = f"<code>{escape(e.opt_out_reason)}</code>"
        words = labels.reasons.get(e.opt_out_reason)
        out.append(
            f"<span>{escape(labels.reason)}: "
            f"{f'{escape(words)} ({code})' if words else code}</span>"
        )
    if e.acquisition_campaign_id:
        out.append(f"<span>{escape(labels.campaign)}: {escape(e.acquisition_campaign_id)}</span>")
    if e.callback_id:
        text = f"{escape(labels.callback)} #{e.callback_id}"
        if e.callback is not None:
            text += f" {escape(e.callback.callback_type)} {escape(e.callback.event_id)}"
        if entry.callback_url:
            text = f'<a href="{escape(entry.callback_url)}">{text}</a>'
        out.append(f"<span>{text}</span>")
    out.append("</div>")
    if e.note:
        out.append(f'<div class="meta">{escape(labels.note)}: {escape(e.note)}</div>')
    if entry.has_evidence:
        out.append('<dl class="evidence">')
        for label, value, css in (
            (labels.ip_address, e.ip_address, ""),
            (labels.page, e.page, ""),
            (labels.browser, e.user_agent, ""),
        ):
            if value:
                out.append(f"<dt>{escape(label)}</dt><dd{css}>{escape(value)}</dd>")
        if e.wording:
            out.append(
                f'<dt>{escape(labels.wording)}</dt><dd class="wording">“{escape(e.wording)}”</dd>'
            )
        out.append("</dl>")
    if entry.changes:
        out.append(
            f'<table class="changes"><thead><tr><th>{escape(labels.field)}</th>'
            f"<th>{escape(labels.before)}</th><th>{escape(labels.after)}</th></tr></thead><tbody>"
        )
        for field, old, new in entry.changes:
            out.append(
                f"<tr><td>{escape(field)}</td><td>{_value(old)}</td><td>{_value(new)}</td></tr>"
            )
        out.append("</tbody></table>")
    out.append("</li>")
    return "".join(out)

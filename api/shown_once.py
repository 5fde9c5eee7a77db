"""The admin page that shows a new API key or webhook secret once: never stored, never
cached, and not kept in a message (the session would hold it)."""

from django.template.response import TemplateResponse


def shown_once(modeladmin, request, *, title, what, secret_label, secrets):
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "what": what,
        "secret_label": secret_label,
        "secrets": secrets,
    }
    response = TemplateResponse(request, "api/shown_once.html", context)
    response["Cache-Control"] = "no-store, private"
    return response

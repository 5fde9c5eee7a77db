"""The error summary that opens a page whose form came back with mistakes.

On a phone the field in error can be a screen or two down the page, so the page starts
with a list of the problems, each a link to its field (templates/preferences/
_error_summary.html), and the focus moves to it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    href: str
    label: str
    message: str


def error_summary(*forms) -> list[FieldError]:
    """Each field in error of the bound ``forms``, in the order they show, first message."""
    found = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        for field in form:
            if field.errors:
                target = field.id_for_label or field.auto_id
                found.append(FieldError(f"#{target}", str(field.label), str(field.errors[0])))
    return found

"""Which saves the outbox pushes: every change to a pushed field, unless the write itself
says otherwise.

A write that must not be pushed marks the instance it saves with ``unpushed(instance)``
just before ``save()``: a change that came from Vibes (a callback, reconcile, the extract
import, a push writing back what Vibes answered) is never pushed back, and a change that a
push kind of its own sends (an erasure's opt-outs) is not pushed twice. The receivers in
``outbox/signals.py`` take the mark off as they read it, so it speaks for that one save
and nothing else: a save in the same process, thread or transaction that is not marked is
pushed. Queryset writes, which fire no signal, are refused for pushed fields
(``models.persons.PersonQuerySet``).
"""

from ..models.persons import Source

_MARK = "_vibes_unpushed"
_AT = "_vibes_changed_at"


def unpushed(instance, yes: bool = True):
    """Mark the next save of ``instance`` as not to be pushed (when ``yes``)."""
    if yes:
        instance.__dict__[_MARK] = True
    return instance


def unpushed_if_from_vibes(instance, source: str):
    """Mark the next save of ``instance`` as not to be pushed when ``source`` is Vibes."""
    return unpushed(instance, source in Source.from_vibes())


def take_unpushed(instance) -> bool:
    """Whether the save being handled was marked; the mark is spent either way."""
    return bool(instance.__dict__.pop(_MARK, False))


def written_by(instance, source: str, at=None):
    """Say who makes the next save of ``instance``: a change from Vibes is not pushed; a
    local one is stamped in ``Person.local_edits`` with ``at``, when it happened (a save
    that says nothing is stamped with the moment it is saved)."""
    if source in Source.from_vibes():
        return unpushed(instance)
    if at is not None:
        instance.__dict__[_AT] = at
    return instance


def take_changed_at(instance):
    """When the change being saved happened, if its write said so; spent either way."""
    return instance.__dict__.pop(_AT, None)

"""One module per push kind; ``PERFORM`` says which function sends which kind.

Each takes the claimed ``Push`` (its person loaded), the Vibes client and the moment the
send started, returns a short note, and raises ``vibes.errors`` types or ``StopPush``. A
new kind gets a ``Push.Kind`` value, a module here and a line below.
"""

from ..models import Push
from .common import StopPush
from .erasure import push_erasure
from .number import push_number
from .old_number import push_old_number
from .person import push_person
from .subscription import push_subscription
from .text import push_text

PERFORM = {
    Push.Kind.PERSON: push_person,
    Push.Kind.SUBSCRIPTION: push_subscription,
    Push.Kind.NUMBER: push_number,
    Push.Kind.OLD_NUMBER: push_old_number,
    Push.Kind.ERASURE: push_erasure,
    Push.Kind.TEXT: push_text,
}

__all__ = ["PERFORM", "StopPush"]

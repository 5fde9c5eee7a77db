"""The preference pages and the texts they make Vibes send."""

from .base import DEBUG, env
from .vibes import VIBES_EVENT_TYPE_NUMBER_CODE, VIBES_EVENT_TYPE_PREFERENCE_LINK

# Preference pages (SITE_URL is read in security.py)
# The company that sends the texts, named on every subscriber page and in its title; a
# system check warns when it is unset outside DEBUG.
COMPANY_NAME = env.str("COMPANY_NAME", default="Demo Store" if DEBUG else "")
PREFERENCE_LINK_MAX_AGE_DAYS = env.int("PREFERENCE_LINK_MAX_AGE_DAYS", default=30)
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="US")
# Limits on texts we make Vibes send (subscribers/limits.py): per destination number, per
# person asking and per source address (IPv6 by /64), each per day; and the countries
# whose numbers are texted at all (ISO region codes).
TEXT_LIMIT_PER_NUMBER = env.int("TEXT_LIMIT_PER_NUMBER", default=3)
TEXT_LIMIT_PER_PERSON = env.int("TEXT_LIMIT_PER_PERSON", default=5)
TEXT_LIMIT_PER_ADDRESS = env.int("TEXT_LIMIT_PER_ADDRESS", default=10)
TEXT_ALLOWED_REGIONS = env.list("TEXT_ALLOWED_REGIONS", default=[PHONE_DEFAULT_REGION])
# Who texts the one-time code that proves a new number (subscribers/services/proofs.py): a
# dotted path to send(*, person, mdn, code); it must queue, not do HTTP. The default sends
# through Vibes' Event API when its event type is set (subscribers/outbox/texts.py), else logs.
NUMBER_CODE_SENDER = env.str(
    "NUMBER_CODE_SENDER",
    default="subscribers.outbox.texts.number_code_sender"
    if VIBES_EVENT_TYPE_NUMBER_CODE
    else "subscribers.services.proofs.log_sender",
)
NUMBER_CODE_MAX_AGE_MINUTES = env.int("NUMBER_CODE_MAX_AGE_MINUTES", default=15)
# Who delivers a new link asked for by number: a dotted path to send(*, person, url,
# reference); the Event API's when its event type is set, else one that logs.
PREFERENCE_LINK_SENDER = env.str(
    "PREFERENCE_LINK_SENDER",
    default="subscribers.outbox.texts.preference_link_sender"
    if VIBES_EVENT_TYPE_PREFERENCE_LINK
    else "subscribers.preferences.link_requests.log_sender",
)
# Every "text me a new link" answer takes at least this long, known number or not.
PREFERENCE_LINK_REQUEST_MIN_SECONDS = env.float("PREFERENCE_LINK_REQUEST_MIN_SECONDS", default=0.4)
# Every "text a code to this new number" answer takes at least this long, erased number or
# not (subscribers/services/proofs.py answers both alike; this evens out their time).
NUMBER_REQUEST_MIN_SECONDS = env.float("NUMBER_REQUEST_MIN_SECONDS", default=0.3)

"""The demo account, as plain data: lists, custom fields, persons and their history.

One source of truth for ``manage.py demo_data`` (which loads it into the database) and
the Vibes simulator's ``--seed-demo`` (which loads the same account into its memory), so
``make run`` starts with both sides agreeing. No models are imported here.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-preferences-2026"  # noqa: S105 - printed for local demos only

LISTS = [
    ("1234", "Weekly deals", "2342312", True, "One text a week with our best offers."),
    ("1235", "Store events", "2342313", True, "Invitations to openings and in-store events."),
    ("1236", "Order updates", "2342314", True, "Shipping and pick-up notices for your orders."),
    ("1237", "Staff alerts", "", False, ""),
]
SINGLE_OPT_IN = {"2342314"}  # order updates subscribe at once; the others ask for a "Y"
#: What staff entered in Spanish for the preference page (list id or field key: texts).
SPANISH_LISTS = {
    "1234": ("Ofertas semanales", "Un mensaje a la semana con nuestras mejores ofertas."),
    "1235": ("Eventos en tienda", "Invitaciones a inauguraciones y eventos en tienda."),
    "1236": ("Avisos de pedidos", "Avisos de envío y recogida de tus pedidos."),
}
SPANISH_FIELDS = {
    "first_name": "Nombre",
    "last_name": "Apellido",
    "birthday": "Cumpleaños",
    "favorite_store": "Tienda favorita",
}
SPANISH_OPTIONS = {"downtown": "Centro", "riverside": "Ribera", "airport": "Aeropuerto"}
FIELDS = [
    ("first_name", "First name", "text", [], True),
    ("last_name", "Last name", "text", [], True),
    ("birthday", "Birthday", "date", [], True),
    (
        "favorite_store",
        "Favourite store",
        "single_select",
        [
            {"key": "downtown", "label": "Downtown"},
            {"key": "riverside", "label": "Riverside"},
            {"key": "airport", "label": "Airport"},
        ],
        True,
    ),
    ("loyalty_tier", "Loyalty tier", "text", [], False),
]
FIRST = [
    "Ana",
    "Ben",
    "Chloé",
    "Dev",
    "Eli",
    "Fatima",
    "Gus",
    "Hana",
    "Ivan",
    "José",
    "Kim",
    "Lena",
]
LAST = ["Garcia", "Smith", "Nguyen", "Okafor", "Müller", "Rossi", "Kowalski", "Tanaka", "Diaz"]
REASONS = ["user_opt_out", "keyword_opt_out", "disconnect", "button_opt_out"]


@dataclass(frozen=True)
class DemoSubscription:
    list_id: str
    opted_in: datetime
    opted_out: datetime | None = None
    opt_out_reason: str = ""


@dataclass(frozen=True)
class DemoPerson:
    """One demo person as Vibes knows it; the simulator seeds the same people."""

    person_key: str
    vibes_person_id: str
    external_person_id: str
    mdn: str
    custom_fields: dict
    subscriptions: tuple[DemoSubscription, ...]


DEMO_START = datetime(2026, 6, 1, tzinfo=UTC)


# 555-0100 to 555-0199 is the fictional range of every North American area code: valid
# to the strict validation of every form, and owned by nobody. A hundred per area code.
DEMO_AREA_CODES = ("201", "212", "312", "415", "617", "202", "305", "503", "702", "808")


def demo_mdn(n: int) -> str:
    """The demo person ``n``'s number: +1 201 555 0100 for the first."""
    return f"+1{DEMO_AREA_CODES[n // 100]}55501{n % 100:02d}"


def demo_people(count: int = 300, seed: int = 7):
    """The demo persons and their opt-in history, the same for every caller and every run."""
    rng = random.Random(seed)
    for n in range(count):
        custom_fields = {
            "first_name": rng.choice(FIRST),
            "last_name": rng.choice(LAST),
            "favorite_store": rng.choice(["downtown", "riverside", "airport"]),
        }
        subscriptions = []
        for list_id in rng.sample([row[0] for row in LISTS[:3]], k=rng.randint(1, 3)):
            opted_in = DEMO_START + timedelta(
                days=rng.randint(0, 150), minutes=rng.randint(0, 1440)
            )
            opted_out, reason = None, ""
            if rng.random() < 0.25:
                opted_out = opted_in + timedelta(days=rng.randint(1, 30))
                reason = rng.choice(REASONS)
            subscriptions.append(DemoSubscription(list_id, opted_in, opted_out, reason))
        yield DemoPerson(
            person_key=f"demo-{n:05d}",
            vibes_person_id=str(700000 + n),
            external_person_id=f"crm-{10000 + n}",
            mdn=demo_mdn(n),
            custom_fields=custom_fields,
            subscriptions=tuple(subscriptions),
        )

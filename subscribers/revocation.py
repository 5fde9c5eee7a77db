"""Whether a text a phone sent us revokes consent: the phrases and their normaliser.

Pure (no database). A text is read in three steps:

1. ``normalise``: Unicode compatibility forms folded (full-width letters, ligatures), case
   folded, accents dropped ("BÁJAME" reads "bajame"), every run of anything but letters and
   digits made one space, and the multi-word phrases joined into one word ("opt-out",
   "opt out", "opt me out" and "optout" all read "optout"; "dar de baja" reads "baja";
   "no more texts" and "no más mensajes" read "nomore").
2. ``classify``: a text made only of revocation words, repeated or not, with nothing
   beside them but the polite filler below ("STOP", "stop!", "Stop please", "UNSUBSCRIBE
   ME", "Opt-out", "stop stop", "CANCELAR por favor") is a ``REVOKE``: the number leaves
   every list at once. A text that only *mentions* a revocation word among other words
   ("please stop texting me", "STOP - who is this?"), a near-miss phrase ("no more",
   "remove me", "wrong number") or a word one typing slip from a revocation word ("sotp",
   "unsubscibe") is a ``NEAR_MISS``: a person decides (the review queue in the admin).
   Anything else is ``None``: not about consent.
3. The revocation words are the FCC's 2024 list (STOP, QUIT, END, REVOKE, OPT OUT, CANCEL,
   UNSUBSCRIBE), the carriers' usual extras (STOPALL, UNSUB) and their Spanish equivalents.

Deciding "stop texting me" by hand rather than at once is deliberate: a sentence may
mean something else ("don't stop the deals!"), while a bare keyword cannot; the queue
makes sure a person reads each one. README ("Revocation") states the same rules.
"""

import re
import unicodedata

REVOKE = "revoke"
NEAR_MISS = "near_miss"

#: Each revocation word, as ``normalise`` leaves it.
REVOCATION_WORDS = frozenset(
    {
        # English: the FCC's list, then carrier-standard extras.
        "stop",
        "quit",
        "end",
        "revoke",
        "optout",
        "cancel",
        "unsubscribe",
        "stopall",
        "unsub",
        # Spanish.
        "alto",
        "para",
        "parar",
        "detener",
        "cancelar",
        "baja",
        "fin",
        "terminar",
        "salir",
        "revocar",
        # "no more messages" / "no más mensajes", joined by ``normalise``.
        "nomore",
    }
)

#: Words that may stand beside revocation words without changing what the text means.
FILLER_WORDS = frozenset(
    {
        "please",
        "pls",
        "plz",
        "me",
        "now",
        "all",
        "it",
        "this",
        "thanks",
        "thank",
        "you",
        "thx",
        "ty",
        "por",
        "favor",
        "porfavor",
        "gracias",
        "ya",
        "todo",
        "todos",
    }
)

#: Phrases (as ``normalise`` leaves them) that ask to stop without a revocation word.
NEAR_MISS_PHRASES = (
    "no more",
    "remove me",
    "take me off",
    "leave me alone",
    "dont text",
    "do not text",
    "dont message",
    "do not message",
    "dont contact",
    "do not contact",
    "not interested",
    "wrong number",
    "stop texting",
    "no mas",
    "ya no",
    "no quiero",
    "no me escriban",
    "numero equivocado",
)

# Multi-word phrases read as one revocation word. Order matters: longer phrases first.
_JOINED = (
    (re.compile(r"\bopt (?:me )?out\b"), "optout"),
    (re.compile(r"\b(?:darme|dar|darse|darte|de) de baja\b"), "baja"),
    (re.compile(r"\bde baja\b"), "baja"),
    (re.compile(r"\bbajame\b"), "baja me"),
    (re.compile(r"\bstop all\b"), "stopall"),
    # "No more" alone may answer anything; with the messages named it asks to stop them.
    (re.compile(r"\bno (?:more|mas) (?:messages|texts|sms|mensajes|textos)\b"), "nomore"),
)
_NOT_WORD = re.compile(r"[^\w]+|_+")
_APOSTROPHES = re.compile(r"['’ʼ`´]")
# A typing slip is judged only on words this long: shorter ones ("end", "fin") are too
# close to ordinary words ("and", "fun") for one slip to mean anything.
_SLIP_MIN_LENGTH = 4


def normalise(text: str) -> str:
    """``text`` folded to lower-case words without accents, separated by single spaces."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    folded = _APOSTROPHES.sub("", folded)  # "don't" reads "dont"
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch)
    )
    spaced = " ".join(_NOT_WORD.sub(" ", stripped).split())
    for pattern, replacement in _JOINED:
        spaced = pattern.sub(replacement, spaced)
    return spaced


def classify(text: str) -> str | None:
    """``REVOKE``, ``NEAR_MISS`` or ``None`` for one text (see the module's docstring)."""
    normal = normalise(text)
    words = normal.split()
    if not words:
        return None
    keywords = [w for w in words if w in REVOCATION_WORDS]
    others = [w for w in words if w not in REVOCATION_WORDS and w not in FILLER_WORDS]
    if keywords and not others:
        return REVOKE
    if keywords:
        return NEAR_MISS
    padded = f" {normal} "
    if any(f" {phrase} " in padded for phrase in NEAR_MISS_PHRASES):
        return NEAR_MISS
    if any(_one_slip_from_keyword(w) for w in words):
        return NEAR_MISS
    return None


def _one_slip_from_keyword(word: str) -> bool:
    if len(word) < _SLIP_MIN_LENGTH:
        return False
    return any(len(k) >= _SLIP_MIN_LENGTH and _within_one_edit(word, k) for k in REVOCATION_WORDS)


def _within_one_edit(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or swap of neighbours apart (not equal)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        i = diffs[0]
        return len(diffs) == 2 and diffs[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))

"""The committed Spanish catalogue: compiled, complete for the subscriber pages, current."""

import ast
import gettext
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PO = ROOT / "locale/es/LC_MESSAGES/django.po"
MO = ROOT / "locale/es/LC_MESSAGES/django.mo"


def po_entries():
    """(references, msgid, msgstr, fuzzy) for each entry of the .po file."""
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        refs = " ".join(re.findall(r"^#: (.*)$", block, re.M))
        fuzzy = bool(re.search(r"^#,.*fuzzy", block, re.M))
        m = re.search(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', block + "\n", re.M)
        if not m:
            continue

        def text(lines):
            return "".join(ast.literal_eval(s) for s in re.findall(r'^(".*")$', lines, re.M))

        yield refs, text(m.group(1)), text(m.group(2)), fuzzy


def test_every_subscriber_facing_string_has_a_spanish_translation():
    subscriber_facing = re.compile(
        r"templates/preferences|subscribers/preferences/|subscribers/phone\.py"
    )
    missing = [
        msgid
        for refs, msgid, msgstr, fuzzy in po_entries()
        if msgid and subscriber_facing.search(refs) and (not msgstr or fuzzy)
    ]
    assert missing == []


def test_the_committed_mo_matches_the_po():
    with MO.open("rb") as f:
        catalogue = gettext.GNUTranslations(f)
    stale = [
        msgid
        for _refs, msgid, msgstr, fuzzy in po_entries()
        if msgid and msgstr and not fuzzy and catalogue.gettext(msgid) != msgstr
    ]
    assert stale == [], (
        "run: msgfmt -o locale/es/LC_MESSAGES/django.mo locale/es/LC_MESSAGES/django.po"
    )

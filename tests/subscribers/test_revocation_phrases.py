"""Which texts revoke consent at once, which a person must judge, and which are not about
consent: the FCC's 2024 words, Spanish, and the ways phones write them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subscribers.revocation import (
    FILLER_WORDS,
    NEAR_MISS,
    REVOCATION_WORDS,
    REVOKE,
    classify,
    normalise,
)

FCC_2024 = ["STOP", "QUIT", "END", "REVOKE", "OPT OUT", "CANCEL", "UNSUBSCRIBE"]
SPANISH = ["ALTO", "PARAR", "PARA", "CANCELAR", "BAJA", "DETENER", "FIN", "TERMINAR"]


@pytest.mark.parametrize("word", FCC_2024 + SPANISH)
def test_every_listed_word_alone_revokes_in_any_case(word):
    for written in (word, word.lower(), word.title(), word.swapcase()):
        assert classify(written) == REVOKE, written


@pytest.mark.parametrize(
    "text",
    [
        "STOP.",
        "stop!",
        "Stop please",
        "please stop",
        "STOP STOP STOP",
        "Stop!!!",
        "  stop  ",
        "\nSTOP\n",
        "STOP 🛑",
        "Ｓｔｏｐ",  # full-width letters from some keyboards
        "Opt-out",
        "opt out",
        "OPT-OUT!",
        "optout",
        "Opt me out",
        "opt_out",
        "unsubscribe me",
        "UNSUBSCRIBE ME PLEASE",
        "Unsubscribe, thanks",
        "stop all",
        "STOPALL",
        "cancel all",
        "quit it",
        "End.",
        "REVOKE",
        "unsub",
        "Alto",
        "ALTO por favor",
        "Cancelar, gracias",
        "Bájame",
        "darme de baja",
        "Dar de baja",
        "BAJA",
        "stop. thank you",
        "REVOKE please",
        "Opt out please",
        "No more texts",
        "no more messages, thanks",
        "No más mensajes",
        "no mas mensajes por favor",
        "Darme de baja, gracias",
    ],
)
def test_common_ways_of_writing_a_revocation_revoke(text):
    assert classify(text) == REVOKE


@pytest.mark.parametrize(
    "text",
    [
        "please stop texting me",
        "Stop texting me",
        "no more",
        "remove me",
        "Remove me from this list",
        "take me off your list",
        "leave me alone",
        "don't text me",
        "do not text this number",
        "wrong number",
        "Not interested",
        "STOP - who is this?",
        "I want to cancel my order",
        "can I unsubscribe from just one list",
        "No más",
        "ya no quiero mensajes",
        "número equivocado",
        "sotp",
        "unsubscibe",
        "cancle",
    ],
)
def test_texts_that_only_sound_like_a_revocation_go_to_review(text):
    assert classify(text) == NEAR_MISS


@pytest.mark.parametrize(
    "text", ["", "   ", "Y", "YES", "HELP", "JOIN", "DEALS", "thanks!", "What time do you open?"]
)
def test_texts_about_something_else_are_not_about_consent(text):
    assert classify(text) is None


def test_the_normaliser_folds_case_accents_punctuation_and_joins_phrases():
    assert normalise("  ¡BÁJAME, POR FAVOR!  ") == "baja me por favor"
    assert normalise("Opt-Out…") == "optout"
    assert normalise("Don’t text") == "dont text"


_SEPARATORS = st.sampled_from([" ", "  ", ", ", ". ", "! ", "\n", " - ", "\t"])
_TRAILING = st.sampled_from(["", ".", "!", "!!", "?", " :)", " 🙏", "…"])


def _written(word: str, data) -> str:
    """``word`` as a phone may send it: each letter in either case."""
    flips = data.draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.upper() if up else c.lower() for c, up in zip(word, flips, strict=True))


@given(
    data=st.data(),
    keywords=st.lists(st.sampled_from(sorted(REVOCATION_WORDS)), min_size=1, max_size=3),
    fillers=st.lists(st.sampled_from(sorted(FILLER_WORDS)), max_size=3),
)
def test_revocation_words_with_polite_filler_always_revoke(data, keywords, fillers):
    words = [_written(w, data) for w in data.draw(st.permutations(keywords + fillers))]
    separators = [data.draw(_SEPARATORS) for _ in words]
    text = "".join(w + s for w, s in zip(words, separators, strict=True)) + data.draw(_TRAILING)
    assert classify(text) == REVOKE


@given(
    data=st.data(),
    keyword=st.sampled_from(sorted(REVOCATION_WORDS)),
    other=st.sampled_from(["texting", "my", "order", "who", "dont", "why", "deals", "later"]),
)
def test_a_revocation_word_among_other_words_is_never_applied_unread(data, keyword, other):
    words = data.draw(st.permutations([_written(keyword, data), other]))
    assert classify(" ".join(words)) == NEAR_MISS


@given(st.text(max_size=200))
def test_any_text_gets_an_answer_and_normalising_twice_changes_nothing(text):
    assert classify(text) in (REVOKE, NEAR_MISS, None)
    assert normalise(normalise(text)) == normalise(text)

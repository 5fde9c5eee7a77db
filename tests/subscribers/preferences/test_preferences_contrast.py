"""Every text colour the preference pages set on a background meets WCAG AA (4.5:1)."""

import re
from pathlib import Path

CSS = Path(__file__).resolve().parents[3] / "subscribers/static/subscribers/preferences.css"
PAGE_BG, CARD_BG = "#f4f5f7", "#ffffff"


def luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ratio(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def rules():
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        colour = re.search(r"(?<![-\w])color:(#[0-9a-fA-F]{3,6})", body)
        background = re.search(r"background:(#[0-9a-fA-F]{3,6})", body)
        yield selector.strip(), colour and colour.group(1), background and background.group(1)


def test_every_colour_pair_meets_aa():
    checked, failures = 0, []
    for selector, colour, background in rules():
        if not colour:
            continue
        backgrounds = [background] if background else [PAGE_BG, CARD_BG]
        for bg in backgrounds:
            checked += 1
            if ratio(colour, bg) < 4.5:
                failures.append((selector, colour, bg, round(ratio(colour, bg), 2)))
    assert checked >= 15
    assert failures == []


def test_the_ratio_formula_is_right():
    assert round(ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(ratio("#777777", "#ffffff"), 2) == 4.48

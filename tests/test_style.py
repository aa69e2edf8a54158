"""The stylesheet's colours: the same contrast standard in the light and the dark scheme.

axe-core checks the colours it finds on the pages it visits (tests/test_accessibility.py);
this checks every pair the stylesheet defines, including states axe never sees (hover,
the failure message, the danger button).
"""

import re

import pytest

from app import ROOT

CSS = (ROOT / "static" / "style.css").read_text()
DARK = "@media (prefers-color-scheme: dark)"
# (foreground, background) pairs of text: WCAG 1.4.3, 4.5:1.
TEXT = [
    ("text", "bg"),
    ("text", "card"),
    ("muted", "bg"),
    ("muted", "card"),
    ("accent", "bg"),
    ("accent", "card"),
    ("accent-strong", "card"),
    ("error", "card"),
    ("on-accent", "accent"),
    ("on-accent", "accent-strong"),
    ("on-secondary", "secondary"),
    ("on-secondary", "secondary-strong"),
    ("on-error", "error"),
    ("on-error", "error-strong"),
    ("text", "ok-bg"),
    ("text", "warn-bg"),
]
# Edges of controls and state markers against the card: WCAG 1.4.11, 3:1.
EDGES = [("control", "card"), ("accent", "card"), ("error", "card"), ("success", "card")]


def colours(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-f]{6})", block, re.IGNORECASE))


def schemes() -> dict[str, dict[str, str]]:
    light_part, dark_part = CSS.split(DARK, 1)
    light = colours(light_part)
    return {"light": light, "dark": light | colours(dark_part.split("}", 1)[0])}


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_is_computed_as_wcag_defines_it():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_the_dark_scheme_redefines_every_colour():
    light, dark = schemes().values()
    assert set(colours(CSS.split(DARK, 1)[1].split("}", 1)[0])) == set(light) - {"radius"}
    assert all(dark[name] != light[name] for name, _ in TEXT)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_and_controls_keep_their_contrast(scheme):
    palette = schemes()[scheme]
    low_text = {
        (fg, bg): round(contrast(palette[fg], palette[bg]), 2)
        for fg, bg in TEXT
        if contrast(palette[fg], palette[bg]) < 4.5
    }
    low_edges = {
        (fg, bg): round(contrast(palette[fg], palette[bg]), 2)
        for fg, bg in EDGES
        if contrast(palette[fg], palette[bg]) < 3
    }
    assert low_text == {}
    assert low_edges == {}

"""Severity styles: the terminal's own red/yellow/green/cyan on 16 colours; no colour at all
with NO_COLOR (weight and reverse video instead)."""

from __future__ import annotations

from rich.color import Color, ColorSystem
from rich.style import Style

from tui.core.findings import Severity
from widgets.tones import COLOUR, NO_COLOUR, tones_for

# The standard 16-colour palette's numbers: what TERM=xterm and the Linux console show.
RED, GREEN, YELLOW, CYAN = 1, 2, 3, 6


def standard(style: str) -> int | None:
    colour = Style.parse(style).color
    assert isinstance(colour, Color)
    return colour.downgrade(ColorSystem.STANDARD).number


def test_on_16_colours_errors_are_red_and_warnings_yellow() -> None:
    assert standard(COLOUR.severity(Severity.ERROR)) == RED
    assert standard(COLOUR.severity(Severity.WARNING)) == YELLOW
    assert standard(COLOUR.severity(Severity.INFO)) == CYAN
    assert standard(COLOUR.good) == GREEN
    # What the named colours became there before: warnings looked worse than errors.
    assert Color.parse("#F2C14E").downgrade(ColorSystem.STANDARD).number != YELLOW


def test_no_color_uses_weight_and_reverse_video() -> None:
    assert tones_for({"NO_COLOR": "1"}) is NO_COLOUR
    assert tones_for({"NO_COLOR": ""}) is COLOUR and tones_for({}) is COLOUR
    for style in (NO_COLOUR.bad, NO_COLOUR.warn, NO_COLOUR.good, NO_COLOUR.info):
        assert Style.parse(style).color is None
    assert Style.parse(NO_COLOUR.bad).reverse and Style.parse(NO_COLOUR.warn).bold

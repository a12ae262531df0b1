"""leap-tui's Textual themes and stylesheet.

The app's own themes are registered beside Textual's; ansi-dark/ansi-light (the terminal's
own colours) are offered too, for 16-colour terminals and the Linux console.
"""

from __future__ import annotations

from pathlib import Path

from textual.theme import Theme

STYLESHEET = Path(__file__).with_name("app.tcss")

LEAP_DARK = Theme(
    name="leap-dark",
    primary="#5FA8D3",
    secondary="#62B6CB",
    accent="#F4A259",
    warning="#F2C14E",
    error="#E05D5D",
    success="#7BC47F",
    foreground="#E0E6ED",
    background="#10151C",
    surface="#18202A",
    panel="#1F2A36",
    dark=True,
)

LEAP_LIGHT = Theme(
    name="leap-light",
    primary="#1F5F8B",
    secondary="#2A7F62",
    accent="#B5562B",
    warning="#8A6100",
    error="#B00020",
    success="#1E6B32",
    foreground="#1A1F24",
    background="#F7F9FB",
    surface="#FFFFFF",
    panel="#E6ECF2",
    dark=False,
)

LEAP_HIGH_CONTRAST = Theme(
    name="leap-high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FF00FF",
    warning="#FFFF00",
    error="#FF5555",
    success="#00FF00",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    dark=True,
    luminosity_spread=0.0,
)

THEMES: tuple[Theme, ...] = (LEAP_DARK, LEAP_LIGHT, LEAP_HIGH_CONTRAST)
OFFERED_THEMES: tuple[str, ...] = (
    *(theme.name for theme in THEMES),
    "ansi-dark",
    "ansi-light",
    "textual-dark",
    "textual-light",
)
DEFAULT_THEME = "leap-dark"

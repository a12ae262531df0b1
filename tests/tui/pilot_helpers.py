"""Small steps the Pilot tests share: reach a field, type into it, wait for the checks."""

from __future__ import annotations

from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widgets import Input

from tui.app import RECHECK_DELAY, LeapTuiApp
from widgets.field_row import FieldRow


async def open_section(pilot: Pilot[None], section_id: str) -> None:
    app = pilot.app
    assert isinstance(app, LeapTuiApp)
    main = app.main_screen
    assert main is not None
    main.select_in_tree(section_id)
    await pilot.pause()
    assert main.section is not None and main.section.id == section_id


def field_input(pilot: Pilot[None], key: str) -> Input:
    row = pilot.app.screen.query_one(f"#field-{key.replace('.', '-')}", FieldRow)
    widget = row.input_widget
    assert isinstance(widget, Input), f"{key} is not a text field"
    return widget


async def replace_text(pilot: Pilot[None], key: str, text: str) -> None:
    """Focus the field, clear it and type ``text`` key by key, as an operator would."""
    widget = field_input(pilot, key)
    widget.focus()
    await pilot.press("home", "ctrl+k")
    await pilot.press(*list(text))
    await settle(pilot)


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause(max(RECHECK_DELAY * 3, 0.05))  # the debounce, with room on a busy machine
    await pilot.pause()


def codes(pilot: Pilot[None]) -> set[str]:
    app = pilot.app
    assert isinstance(app, LeapTuiApp)
    return {f.code for f in app.findings}


def notices(pilot: Pilot[None]) -> list[str]:
    """The toasts shown so far, oldest first."""
    return [str(n.message) for n in pilot.app._notifications]


def key_event(token: str) -> events.Key:
    """A key as the terminal driver makes it: "x", "full_stop", "ctrl+u", "alt+x"."""
    if len(token) == 1:
        name = token if token.isalnum() else _character_to_key(token)
        return events.Key(name, token)
    if token.startswith("alt+") and len(token) == 5:  # Escape and a character, read as one
        return events.Key(token, token[-1])
    return events.Key(token, None)


async def burst(pilot: Pilot[None], tokens: list[str | tuple[str]]) -> None:
    """Every key queued before the first one is handled, as from a terminal's buffer; a
    1-tuple is a bracketed paste of its text."""
    app = pilot.app
    driver = app._driver
    assert driver is not None
    for token in tokens:
        event: events.Event = (events.Paste(token[0]) if isinstance(token, tuple)
                               else key_event(token))
        event.set_sender(app)
        driver.send_message(event)
    await settle(pilot)

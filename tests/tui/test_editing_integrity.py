"""Editing integrity, point by point: the last key before a save, clearing a field, Escape,
the unsaved marks, undo that shows what it did, and a save that adds errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from tests.tui.pilot_helpers import (
    burst,
    codes,
    field_input,
    notices,
    open_section,
    replace_text,
    settle,
)
from tui.app import LeapTuiApp
from tui.screens.confirm import ConfirmDialog, QuitDialog
from widgets.nav_tree import NavTree

pytestmark = pytest.mark.timeout(60)


def make_app(samples: Path) -> LeapTuiApp:
    return LeapTuiApp(samples / "clace.toml", samples / "provider", samples / "hosts.toml",
                      remember_theme=False)


def line_of(path: Path, start: str) -> str:
    return next(line for line in path.read_text().splitlines() if line.startswith(start))


def help_line(app: LeapTuiApp) -> str:
    return str(app.screen.query_one("#field-help", Static).content)


async def focus(pilot, section: str, key: str) -> None:  # type: ignore[no-untyped-def]
    await open_section(pilot, section)
    main = pilot.app.main_screen
    assert main.focus_field(key)
    await settle(pilot)


async def test_ctrl_s_right_after_the_last_key_saves_that_key(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        await focus(pilot, "clace:http", "http.port")
        # Arriving selects the text: the first digit replaces it. One burst, save last.
        await burst(pilot, ["8", "0", "8", "1", "ctrl+s"])
    assert line_of(samples / "clace.toml", "port = 8081")


async def test_line_editing_keys_keep_their_place_in_a_burst(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        await focus(pilot, "clace:http", "http.host")
        await burst(pilot, [*"abc def", "ctrl+w", *"xyz", "ctrl+a", "ctrl+k", *"10.0.0.1",
                            "ctrl+u", *"host.example", "home", "delete", "ctrl+e", "backspace",
                            *"g", "ctrl+s"])
    assert line_of(samples / "clace.toml", "host = ").startswith('host = "ost.examplg"')


async def test_an_emptied_text_field_saves_as_empty_and_says_so(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        await focus(pilot, "clace:http", "http.host")
        assert 'Emptying it saves "" (empty)' in help_line(app) and "F4" in help_line(app)
        await burst(pilot, ["ctrl+u"])  # the text was selected on arrival: all of it goes
        assert field_input(pilot, "http.host").value == ""
        assert 'Emptied, it is saved as "" (empty)' in help_line(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        if isinstance(app.screen, ConfirmDialog):
            await pilot.press("y")
            await settle(pilot)
    assert line_of(samples / "clace.toml", "host = ").startswith('host = ""')


async def test_an_emptied_port_is_an_error_that_blocks_saving(samples: Path) -> None:
    clace = samples / "clace.toml"
    before = clace.read_bytes()
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        await focus(pilot, "clace:https", "https.port")
        assert "Emptying it stops saving until a port is typed" in help_line(app)
        await burst(pilot, ["backspace"])  # the selected text goes
        assert field_input(pilot, "https.port").value == ""
        assert "Emptied, the port cannot be saved" in help_line(app)
        assert "CL015" in codes(pilot)  # not the old value kept silently: an error
        await burst(pilot, ["ctrl+s"])
        assert clace.read_bytes() == before
        assert notices(pilot)[-1] == ("Not saved: https.port in clace.toml is empty: type a "
                                      "port, or F4 to inherit it.")
        await burst(pilot, ["f4", "ctrl+s"])  # inherited again: saving works
        assert "CL015" not in codes(pilot)
    https_table = clace.read_text().split("[https]")[1].split("\n[")[0]
    assert not [line for line in https_table.splitlines() if line.startswith("port")]


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
async def test_the_help_line_follows_the_port_field_after_every_key(
        samples: Path, size: tuple[int, int]) -> None:
    """Seen in tmux: after a burst that emptied the port and then typed a valid one and
    saved, the file held 8443 but the help line still said "Emptied, ... cannot be saved"."""
    app = make_app(samples)
    async with app.run_test(size=size) as pilot:
        await focus(pilot, "clace:https", "https.port")
        await burst(pilot, ["ctrl+u", "4", "4", "3", "backspace", "backspace", "4", "3",
                            "ctrl+a", "ctrl+k", "8", "4", "4", "3", "ctrl+s"])
        assert line_of(samples / "clace.toml", "port = 8443")
        assert field_input(pilot, "https.port").value == "8443"
        text = help_line(app)
        assert "Emptied" not in text and "cannot be saved" not in text
        assert "https.port" in text and "Emptying it stops saving" in text
        await burst(pilot, ["ctrl+u"])  # and back: emptied again, it says so at once
        assert "Emptied, the port cannot be saved" in help_line(app)
        await burst(pilot, ["4", "4", "3"])
        assert "Emptied" not in help_line(app)


async def test_escape_then_a_letter_at_once_leaves_the_field_and_types_nothing(
        samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        await focus(pilot, "clace:http", "http.host")
        tree = app.screen.query_one(NavTree)
        line = tree.cursor_line
        # Over SSH, Escape and the next key arrive together: Textual reads them as Alt+j.
        await burst(pilot, ["alt+j"])
        assert app.focused is tree  # Escape left the field...
        assert app.workspace.clace is not None
        assert app.workspace.clace.get("http.host") == "127.0.0.1"  # ...nothing typed...
        assert tree.cursor_line == line + 1  # ...and j acted where the focus went (HTTPS)
        assert not app.session.modified_targets
        await focus(pilot, "clace:http", "http.host")
        await burst(pilot, ["escape", "x"])  # the same as two separate keys
        assert app.focused is tree
        assert field_input(pilot, "http.host").value == "127.0.0.1"
        assert not app.session.modified_targets


async def test_unsaved_marks_in_the_header_and_on_each_file(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(NavTree)

        def labels() -> set[str]:
            return {str(tree.get_node_by_id(i).label) for i in tree.base_labels}  # type: ignore[arg-type]

        assert app.title == "leap-tui" and not any("[+]" in label for label in labels())
        await focus(pilot, "node:web1", "ssh.port")
        await burst(pilot, ["2"])  # the first key marks it
        assert app.title == "leap-tui [+] unsaved"
        assert "[+] web1" in labels() and "Clace (clace.toml)" in labels()
        await burst(pilot, ["ctrl+s"])
        if isinstance(app.screen, ConfirmDialog):
            await pilot.press("y")
            await settle(pilot)
        assert app.title == "leap-tui" and "web1" in labels()


async def test_quit_can_save_first(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        await focus(pilot, "clace:http", "http.port")
        await burst(pilot, [*"8090", "ctrl+q"])
        assert isinstance(app.screen, QuitDialog)
        assert "clace.toml" in str(app.screen.files)
        await pilot.press("s")
        await settle(pilot)
    assert not app.is_running
    assert line_of(samples / "clace.toml", "port = 8090")


async def test_undo_and_redo_bring_the_field_back_and_say_what_they_did(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_section(pilot, "clace:https")
        await replace_text(pilot, "https.port", "443")
        await open_section(pilot, "node:mx1")  # the changed field is out of view
        await pilot.press("ctrl+z")
        await settle(pilot)
        main = app.main_screen
        assert main is not None and main.section is not None
        assert main.section.id == "clace:https"
        assert app.focused is field_input(pilot, "https.port")
        assert field_input(pilot, "https.port").value == "25224"
        assert notices(pilot)[-1] == "Undone: https.port in clace.toml: 443 → 25224"
        await open_section(pilot, "node:mx1")
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert main.section.id == "clace:https"
        assert field_input(pilot, "https.port").value == "443"
        assert notices(pilot)[-1] == "Redone: https.port in clace.toml: 25224 → 443"


async def test_a_save_that_adds_errors_asks_and_names_them(samples: Path) -> None:
    clace = samples / "clace.toml"
    before = clace.read_bytes()
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        await focus(pilot, "clace:https", "https.port")
        await burst(pilot, [*"25223", "ctrl+s"])  # the HTTP port: CL006, an error
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "add 1 error" in dialog.question and "CL006" in dialog.question
        await pilot.press("escape")  # Cancel is the default
        await settle(pilot)
        assert clace.read_bytes() == before
        assert app.session.modified_targets  # the edit is kept, only not saved
        await burst(pilot, ["ctrl+s"])
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert line_of(clace, "port = 25223") and clace.read_bytes() != before
        # Errors already on disk do not ask again: an unrelated edit saves at once.
        await focus(pilot, "clace:http", "http.host")
        await burst(pilot, [*"localhost", "ctrl+s"])
        assert not isinstance(app.screen, ConfirmDialog)
        assert not app.session.modified_targets


def test_alt_keys_with_a_character_are_escape_and_that_key() -> None:
    from textual import events

    from tui.key_routing import split_alt

    keys = [(k.key, k.character) for k in split_alt(events.Key("alt+shift+x", "X"))]
    assert keys == [("escape", "\x1b"), ("X", "X")]  # as Textual names X typed alone
    keys = [(k.key, k.character) for k in split_alt(events.Key("alt+j", "j"))]
    assert keys == [("escape", "\x1b"), ("j", "j")]
    alone = events.Key("alt+backspace", None)  # a line-editing key of its own: kept
    assert split_alt(alone) == [alone]


async def test_the_quit_dialog_shows_its_keys_on_its_buttons(samples: Path) -> None:
    from textual.widgets import Button

    app = make_app(samples)
    async with app.run_test(size=(60, 20)) as pilot:
        await focus(pilot, "clace:http", "http.port")
        await burst(pilot, ["1", "ctrl+q"])
        assert isinstance(app.screen, QuitDialog)
        labels = {str(button.label) for button in app.screen.query(Button)}
        assert labels == {"Stay [c]", "Discard [d]", "Save [s]"}
        for button in app.screen.query(Button):  # shown whole at 60 columns
            assert button.region.width >= len(str(button.label)) + 2


async def test_keys_after_enter_on_the_tree_go_to_the_fields_it_opens(samples: Path) -> None:
    """Seen in tmux: "Down Enter Down 8443 ctrl+s" typed at once. Enter on a section opens
    its fields after the section is laid out; the keys behind it must wait for that and
    not move the tree (they did: the last Down showed the next section, nothing was saved)."""
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(NavTree)
        assert tree.has_focus and tree.cursor_node is not None
        assert tree.cursor_node.data == "clace:http"
        await burst(pilot, ["down", "enter", "down", "ctrl+u", *"8443", "ctrl+s"])
        assert app.main_screen is not None and app.main_screen.section is not None
        assert app.main_screen.section.id == "clace:https"
    assert line_of(samples / "clace.toml", "port = 8443")


async def test_keys_after_slash_go_into_the_findings_filter(samples: Path) -> None:
    """"/ cl0" typed at once from the tree: the filter opens and gets every letter (they
    reached the tree while the filter was opening)."""
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(NavTree).has_focus
        await burst(pilot, ["slash", *"cl0"])
        assert app.screen.query_one("#findings-filter", Input).value == "cl0"


async def test_a_port_row_opened_and_typed_into_in_one_burst(samples: Path) -> None:
    """F2, Enter on the first row, a new port and ctrl+s, all at once: the port row's field
    gets the digits and the file is saved."""
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await burst(pilot, ["f2", "enter", "ctrl+u", *"2222", "ctrl+s"])
    assert '"port": 2222' in (samples / "provider" / "common.json").read_text()

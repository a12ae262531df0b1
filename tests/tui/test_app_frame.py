"""Keys, help, palette, themes and keymaps: the frame every later screen slots into."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual.command import CommandPalette
from textual.widgets import Static

from tests.tui.pilot_helpers import open_section, replace_text, settle
from tui.app import LeapTuiApp
from tui.core.user_config import UserConfig, load_user_config
from tui.screens.diff import DiffScreen
from tui.screens.help import HelpScreen
from tui.screens.ports import PortMapScreen
from widgets.diff_view import DiffView
from widgets.port_table import PortTable

pytestmark = pytest.mark.timeout(60)


def make_app(samples: Path, **kwargs: object) -> LeapTuiApp:
    return LeapTuiApp(samples / "clace.toml", samples / "provider", samples / "hosts.toml",
                      **kwargs)  # type: ignore[arg-type]


async def test_help_lists_every_binding_with_its_id(samples: Path) -> None:
    app = make_app(samples, remember_theme=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        ids = {row[2] for row in app.screen.binding_rows}
        assert {"save", "undo", "redo", "quit", "help", "apply", "ports", "diff"} <= ids
        assert "CL002" in app.screen.rules and "LP004" in app.screen.rules
        await pilot.press("escape")
        await pilot.press("f1")  # F1 works from a text field too
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_f1_and_ctrl_s_work_from_inside_an_input(samples: Path) -> None:
    app = make_app(samples, remember_theme=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_section(pilot, "clace:http")
        await replace_text(pilot, "http.port", "8080")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "port = 8080" in (samples / "clace.toml").read_text()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        # From a text field too: every binding of the app, not the field's editing keys.
        ids = {row[2] for row in app.screen.binding_rows}
        assert {"apply", "rollback", "history", "help", "quit", "down", "up",
                "remote-confirm", "rollback-go"} <= ids
        assert not any(row[1] == "Delete character left" for row in app.screen.binding_rows)
        console = Console(width=300, record=True, file=io.StringIO())
        console.print(app.screen.query_one("#help-rules", Static).content)
        assert "[http]/[https]" in console.export_text()  # rule texts are not markup


async def test_palette_offers_every_action_and_the_themes(samples: Path) -> None:
    app = make_app(samples, remember_theme=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        commands = list(app.get_system_commands(app.screen))
        names = [command.title for command in commands]
        assert len(names) == len(set(names))  # each action once (h and F7: one History)
        for action in ("Save (off)", "Undo (off)", "Redo (off)", "Ports", "Diff", "Help",
                       "Quit", "Inherit", "Filter", "History"):
            assert action in names
        # With its key; no widget internals (the tree's own keys), no Textual Keys panel.
        assert all("key: " in c.help for c in commands if not c.title.startswith("Theme"))
        assert not {"Keys", "Theme", "Down", "Collapse / to parent"} & set(names)
        assert {"Theme: leap-dark", "Theme: leap-light", "Theme: leap-high-contrast",
                "Theme: ansi-dark", "Theme: ansi-light"} <= set(names)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        # Asked while the palette is open (as Textual does): Apply is still offered.
        names = [command.title for command in app.get_system_commands(app.screen_stack[-2])]
        assert "Apply" in names


async def test_theme_is_remembered(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(120, 40)) as pilot:
        app.theme = "leap-high-contrast"
        await pilot.pause()
        await pilot.pause()
    assert load_user_config().theme == "leap-high-contrast"
    again = make_app(samples, user_config=load_user_config())
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert again.theme == "leap-high-contrast"


async def test_keymap_from_the_user_config_remaps_by_id(samples: Path) -> None:
    app = make_app(samples, remember_theme=False,
                   user_config=UserConfig(keymap={"ports": "f8"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        assert not isinstance(app.screen, PortMapScreen)
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, PortMapScreen)


async def test_apply_is_greyed_out_while_there_are_errors(samples: Path) -> None:
    app = make_app(samples, remember_theme=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.check_action("apply", ()) is True
        assert app.check_action("rollback", ()) is None  # nothing applied: off, and says why
        assert "Nothing to roll back" in (app.disabled_reason("rollback") or "")
        await open_section(pilot, "clace:https")
        await replace_text(pilot, "https.port", "25223")  # same port as HTTP on 0.0.0.0
        assert any(f.severity == "error" for f in app.findings)
        assert app.check_action("apply", ()) is None


async def test_port_map_and_diff_screens(samples: Path) -> None:
    app = make_app(samples, remember_theme=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, DiffScreen)
        assert app.screen.diffs == []
        await pilot.press("escape")
        await open_section(pilot, "clace:https")
        await replace_text(pilot, "https.port", "443")
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, DiffScreen)
        (name, diff), = app.screen.diffs
        assert name.endswith("clace.toml")
        assert "-port = 25224" in diff and "+port = 443" in diff
        assert diff.startswith(f"--- a/{name.lstrip('/')}\n")  # git's a/ prefix, no "a//"
        assert app.screen.query_one(DiffView)
        await pilot.press("escape")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, PortMapScreen)
        table = app.screen.query_one(PortTable)
        assert table.row_count == len(app.screen.rows) > 10
        nodes = {row.node for row in app.screen.rows}
        assert {"web1", "mx1", "db1", "vpn1", "clace"} <= nodes


async def test_port_map_and_diff_replace_each_other(samples: Path) -> None:
    from tui.screens.diff import DiffScreen
    from tui.screens.main import MainScreen
    from tui.screens.ports import PortMapScreen

    app = make_app(samples, remember_theme=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for key, shown in (("f2", PortMapScreen), ("f3", DiffScreen), ("f2", PortMapScreen),
                           ("f3", DiffScreen)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, shown)
        assert len(app.screen_stack) == 2  # the main screen (the default one), this view
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await pilot.press("f3", "f3")  # the same key again closes the view
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_end_and_home_go_to_the_last_and_first_port_map_row(samples: Path) -> None:
    from widgets.port_table import PortTable

    app = make_app(samples, remember_theme=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        table = app.screen.query_one(PortTable)
        table.focus()
        await pilot.press("end")
        await pilot.pause()
        assert table.row_count > 5 and table.cursor_row == table.row_count - 1
        assert table.scroll_x == 0  # not sideways
        await pilot.press("home")
        await pilot.pause()
        assert table.cursor_row == 0


def test_every_class_with_bindings_is_in_the_help() -> None:
    """A new screen or widget with keys cannot be left out of the `?` list."""
    import importlib
    import inspect
    import pkgutil

    import tui.screens
    import widgets
    from tui.screens.help import binding_places
    from tui.screens.main import MainScreen
    from widgets.ordered_input import OrderedInput

    listed = {cls for _, classes in binding_places(LeapTuiApp, MainScreen) for cls in classes}
    for package in (tui.screens, widgets):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == module.__name__ and "BINDINGS" in cls.__dict__:
                    # OrderedInput's keys are Textual's text editing, not the app's.
                    assert cls in listed or cls is OrderedInput, cls

"""Every state visible, every key answered: off actions, the Footer, focus, help, settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import DataTable, Input
from textual.widgets._footer import FooterKey

from tests.tui.pilot_helpers import burst, field_input, notices, open_section, settle
from tui.app import LeapTuiApp
from tui.core.user_config import UserConfig
from tui.screens.confirm import ConfirmDialog
from tui.screens.help import HelpScreen
from widgets.bool_switch import BoolSwitch
from widgets.nav_tree import NavTree

pytestmark = pytest.mark.timeout(60)


def make_app(samples: Path, *, inventory: bool = True, **kwargs: object) -> LeapTuiApp:
    """Without an inventory, no provider either: its LEAP nodes would be the hosts."""
    return LeapTuiApp(samples / "clace.toml", samples / "provider" if inventory else None,
                      samples / "hosts.toml" if inventory else None, remember_theme=False,
                      **kwargs)  # type: ignore[arg-type]


def footer_keys(app: LeapTuiApp) -> dict[str, str]:
    return {key.key: key.description for key in app.screen.query(FooterKey)}


async def test_off_actions_answer_their_key_with_a_reason(samples: Path) -> None:
    app = make_app(samples, inventory=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, NavTree)
        await burst(pilot, ["a"])
        assert notices(pilot)[-1] == (
            "Apply needs hosts: start leap-tui with --inventory (hosts.toml or an Ansible "
            "inventory) or --provider (its LEAP nodes are then the hosts).")
        await burst(pilot, ["r"])
        assert notices(pilot)[-1].startswith("Rollback needs hosts: start leap-tui with")
        await burst(pilot, ["f8"])
        assert notices(pilot)[-1].startswith("The host list needs hosts: start leap-tui")
        await burst(pilot, ["ctrl+s"])
        assert notices(pilot)[-1].startswith("Nothing to save:")
        await burst(pilot, ["ctrl+z"])
        assert notices(pilot)[-1] == "Nothing to undo."
        # In a text field the plain letters are typed, not answered.
        await open_section(pilot, "clace:http")
        field_input(pilot, "http.host").focus()
        await settle(pilot)
        count = len(notices(pilot))
        await burst(pilot, ["end", "a"])
        assert field_input(pilot, "http.host").value == "127.0.0.1a"
        assert len(notices(pilot)) == count


async def test_rollback_without_history_and_apply_with_errors_say_why(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await burst(pilot, ["r"])
        assert notices(pilot)[-1].startswith("Nothing to roll back: nothing was applied")
        await open_section(pilot, "clace:https")
        main = app.main_screen
        assert main is not None and main.focus_field("https.port")
        await settle(pilot)
        await burst(pilot, [*"25223", "escape", "a"])  # CL006: an error
        assert notices(pilot)[-1].startswith("Apply is off while there are errors")


async def test_the_footer_marks_off_keys_in_words(samples: Path) -> None:
    app = make_app(samples, inventory=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        keys = footer_keys(app)
        assert keys["ctrl+s"] == "Save(off)" and keys["a"] == "Apply(off)"
        assert keys["r"] == "Rollback(off)" and keys["f2"] == "Ports"
        for key in app.screen.query(FooterKey):  # dimmed *and* marked
            assert key.has_class("-disabled") == key.description.endswith("(off)")
        await open_section(pilot, "clace:http")
        main = app.main_screen
        assert main is not None and main.focus_field("http.port")
        await settle(pilot)
        await burst(pilot, ["1"])
        await settle(pilot)
        assert footer_keys(app)["ctrl+s"] == "Save"


def look(widget: Widget) -> list[object]:
    width, height = widget.size
    return [list(strip) for strip in widget.render_lines(Region(0, 0, width, height))]


async def test_every_focus_stop_is_visible(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_section(pilot, "clace:http")
        for widget in app.screen.query(Input):
            widget.cursor_blink = False
        chain = app.screen.focus_chain
        assert [type(w).__name__ for w in chain[:5]] == [
            "NavTree", "OrderedInput", "OrderedInput", "BoolSwitch", "OrderedInput"][:len(
                chain[:5])]
        for widget in chain:
            assert widget.display and widget.region.area > 0, widget
            # No bare scroll container (the editor's was an invisible stop).
            assert not type(widget).__module__.startswith("textual.containers"), widget
            assert not isinstance(widget, DataTable) or widget.row_count > 0, widget
        # The findings of these samples are none: their empty table is not a stop.
        assert all(type(w).__name__ != "FindingsTable" for w in chain)
        for widget in chain:
            app.screen.set_focus(widget)
            await settle(pilot)
            focused = look(widget)
            app.screen.set_focus(None)
            await settle(pilot)
            assert look(widget) != focused, f"{widget} looks the same with and without focus"


async def test_up_and_down_move_between_field_rows(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_section(pilot, "clace:http")
        main = app.main_screen
        assert main is not None and main.focus_field("http.host")
        await settle(pilot)
        await burst(pilot, ["down", "9", "9"])  # in one burst: the port gets the digits
        assert app.focused is field_input(pilot, "http.port")
        assert field_input(pilot, "http.port").value == "99"
        await burst(pilot, ["down"])
        assert isinstance(app.focused, BoolSwitch)
        await burst(pilot, ["space", "down", "up"])  # the last row: Down stays there
        assert app.focused is field_input(pilot, "http.port")
        await burst(pilot, ["up", "up"])  # the first row: Up stays there
        assert app.focused is field_input(pilot, "http.host")
        assert app.workspace.clace is not None
        assert app.workspace.clace.get("http.redirect_to_https") is True
        assert app.workspace.clace.get("http.port") == 99


async def test_left_and_right_collapse_and_expand_the_tree(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(NavTree)
        clace = tree.root.children[0]
        tree.move_cursor(clace)
        await settle(pilot)
        await burst(pilot, ["left"])
        assert not clace.is_expanded
        await burst(pilot, ["right"])
        assert clace.is_expanded and tree.cursor_node is clace
        await burst(pilot, ["right"])
        assert tree.cursor_node is clace.children[0]  # HTTP
        await burst(pilot, ["left"])
        assert tree.cursor_node is clace


async def test_help_lists_each_key_once_where_it_acts(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(pilot, ["f1"])
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.binding_rows
        seen = [(key.strip(), where) for keys, _, _, where in rows for key in keys.split(",")]
        assert len(seen) == len(set(seen))
        places = {description: where for _, description, _, where in rows}
        for plain in ("Apply", "Rollback", "Quit", "Down", "Up", "History"):
            assert any(where == "not in a text field" for _, d, _, where in rows if d == plain)
        assert places["Save"] == "everywhere"
        assert places["Next field"] == "main screen: fields"
        assert places["Collapse / to parent"] == "main screen: tree"


async def test_theme_and_keymap_settings_are_checked_at_start(samples: Path) -> None:
    config = UserConfig(theme="solarised",
                        keymap={"sav": "f9", "save": "f2", "diff": "ctrl+w"})
    app = make_app(samples, user_config=config)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        said = "\n".join(notices(pilot))
        assert "theme = 'solarised' is not a theme" in said
        assert "[keymap] sav is not an action id" in said
        assert "[keymap] puts ports and save on the one key f2 (everywhere)" in said
        assert "[keymap] diff = 'ctrl+w' takes ctrl+w from the text fields" in said
        assert app.theme == "leap-dark" and app.is_running


async def test_a_missing_clace_file_offers_a_new_one_written_only_on_save(
        samples: Path) -> None:
    new = samples / "new-clace.toml"
    app = LeapTuiApp(new, samples / "provider", remember_theme=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "does not exist" in app.screen.question
        await pilot.press("y")
        await settle(pilot)
        assert not new.exists()  # only on save
        assert app.title == "leap-tui [+] unsaved"
        assert app.workspace.clace is not None
        assert app.workspace.clace.get("https.port") == 25224  # the page's default
        await burst(pilot, ["ctrl+s"])
        if isinstance(app.screen, ConfirmDialog):
            await pilot.press("y")
            await settle(pilot)
        assert new.exists() and "[https]" in new.read_text()
        assert not [f for f in app.findings if f.code == "CL000"]


async def test_a_missing_provider_is_named_not_called_unparsable(samples: Path) -> None:
    app = LeapTuiApp(samples / "clace.toml", samples / "nowhere", remember_theme=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        assert any("nowhere does not exist" in n for n in notices(pilot))
        assert not any("parse" in n for n in notices(pilot))
        await burst(pilot, ["f6"])
        assert notices(pilot)[-1] == "No findings to go to."

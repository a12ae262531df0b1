"""The real app driven by the Pilot: keys in, widgets and file bytes checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from tests.tui.pilot_helpers import codes, field_input, open_section, replace_text, settle
from tui.app import LeapTuiApp
from tui.screens.confirm import ConfirmDialog, MessageDialog, QuitDialog
from widgets.findings_table import FindingsTable

pytestmark = pytest.mark.timeout(60)


def make_app(samples: Path) -> LeapTuiApp:
    return LeapTuiApp(
        samples / "clace.toml", samples / "provider", samples / "hosts.toml",
        remember_theme=False,
    )


async def test_samples_open_without_errors(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert not [f for f in app.findings if f.severity == "error"]
        assert app.main_screen is not None
        assert "error" in str(app.sub_title)


async def test_privileged_port_appears_then_goes(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_section(pilot, "clace:https")
        await replace_text(pilot, "https.port", "443")
        assert "CL002" in codes(pilot)
        table = app.screen.query_one(FindingsTable)
        assert any(f.code == "CL002" for f in table.shown)
        await replace_text(pilot, "https.port", "25224")
        assert "CL002" not in codes(pilot)


async def test_save_writes_only_the_edited_line(samples: Path) -> None:
    clace = samples / "clace.toml"
    before = clace.read_text()
    app = make_app(samples)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_section(pilot, "clace:https")
        await replace_text(pilot, "https.port", "443")
        assert clace.read_text() == before  # nothing written before ctrl+s
        await pilot.press("ctrl+s")
        await pilot.pause()
    old_lines, new_lines = before.splitlines(), clace.read_text().splitlines()
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert len(changed) == 1
    old, new = old_lines[changed[0]], new_lines[changed[0]]
    assert old.startswith("port = 25224") and new.startswith("port = 443 ")
    # The trailing comment is kept, in its column.
    assert new.index("# port for HTTPS") == old.index("# port for HTTPS")


async def test_undo_and_redo(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_section(pilot, "clace:https")
        original = app.workspace.clace.text if app.workspace.clace else ""
        await replace_text(pilot, "https.port", "443")
        assert app.workspace.clace is not None
        assert app.workspace.clace.get("https.port") == 443
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert app.workspace.clace.text == original
        assert field_input(pilot, "https.port").value == "25224"
        assert "CL002" not in codes(pilot)
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert app.workspace.clace.get("https.port") == 443
        assert field_input(pilot, "https.port").value == "443"
        assert "CL002" in codes(pilot)


async def test_enter_on_a_finding_jumps_to_its_field(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_section(pilot, "clace:http")
        await replace_text(pilot, "http.port", "80")
        await open_section(pilot, "clace:https")  # move away from the field first
        await pilot.press("f6")
        table = app.screen.query_one(FindingsTable)
        assert table.has_focus
        index = next(i for i, f in enumerate(table.shown) if f.code == "CL002")
        table.move_cursor(row=index)
        await pilot.press("enter")
        await settle(pilot)
        focused = app.focused
        assert isinstance(focused, Input)
        assert focused is field_input(pilot, "http.port")
        assert focused.value == "80"


async def test_inherited_value_becomes_an_override_and_f4_removes_it(samples: Path) -> None:
    node_file = samples / "provider" / "nodes" / "web1.json"
    before = node_file.read_text()
    app = make_app(samples)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_section(pilot, "node:web1")
        await replace_text(pilot, "ssh.port", "443")
        provider = app.workspace.provider
        assert provider is not None
        assert provider.effective("web1").get("ssh.port") == 443
        assert "LP004" in codes(pilot)  # ssh on the webapp's public HTTPS port
        assert "nodes/web1.json" in provider.modified_files()
        help_text = str(app.screen.query_one("#field-help", Static).render())
        assert "ssh.port  ← nodes/web1.json" in help_text  # the new origin, not common.json
        await pilot.press("f4")
        await settle(pilot)
        assert provider.text("nodes/web1.json") == before
        assert "LP004" not in codes(pilot)
        assert field_input(pilot, "ssh.port").value == "22"
        help_text = str(app.screen.query_one("#field-help", Static).render())
        assert "ssh.port  ← common.json" in help_text
    assert node_file.read_text() == before


async def test_quit_with_unsaved_changes_asks(samples: Path) -> None:
    clace = samples / "clace.toml"
    before = clace.read_bytes()
    app = make_app(samples)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_section(pilot, "clace:http")
        await replace_text(pilot, "http.port", "8080")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, QuitDialog)
        await pilot.press("c")
        await pilot.pause()
        assert not isinstance(app.screen, QuitDialog)
        assert app.is_running
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
    assert not app.is_running
    assert clace.read_bytes() == before


async def test_a_file_that_does_not_parse_is_shown_and_left_alone(samples: Path) -> None:
    clace = samples / "clace.toml"
    broken = b'[http]\nport = 25223\nhost = "127.0.0.1\n'
    clace.write_bytes(broken)
    app = make_app(samples)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        assert "clace.toml:3" in app.screen.body
        assert app.workspace.clace is None
        assert app.workspace.provider is not None  # the rest still opens
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        await pilot.pause()
        # Not forgotten once the dialog is closed: an error finding, and no Apply.
        failed = [f for f in app.findings if f.code == "CL000"]
        assert len(failed) == 1 and failed[0].line == 3
        assert "✖ 1 error" in app.sub_title
        assert app.check_action("apply", ()) is None
        await pilot.press("f6", "enter")  # Enter on it: nothing to jump to, no crash
        await pilot.pause()
        assert app.is_running
    assert clace.read_bytes() == broken


async def test_every_provider_file_that_does_not_parse_is_named(samples: Path) -> None:
    db1, web1 = samples / "provider/nodes/db1.json", samples / "provider/nodes/web1.json"
    db1.write_text(db1.read_text().replace('"ip_address"', '"ip_address" 5', 1))
    web1.write_text(web1.read_text().rstrip().removesuffix("}") + ",}\n")
    broken = {db1: db1.read_bytes(), web1: web1.read_bytes()}
    app = make_app(samples)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        assert "these 2 files do not parse" in app.screen.title_text
        assert "db1.json" in app.screen.body and "web1.json" in app.screen.body
        await pilot.press("enter")
        await pilot.pause()
        assert [f.code for f in app.findings if f.code == "LP000"] == ["LP000", "LP000"]
    assert {path: path.read_bytes() for path in broken} == broken


async def test_q_quits_when_nothing_changed(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running


async def test_letters_are_typed_inside_inputs(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_section(pilot, "clace:http")
        await replace_text(pilot, "http.host", "qa-router.local")
        assert app.is_running  # the q and the a and the r were typed, not acted on
        assert app.workspace.clace is not None
        assert app.workspace.clace.get("http.host") == "qa-router.local"


async def test_saving_with_errors_says_apply_stays_off(samples: Path) -> None:
    app = make_app(samples)
    said: list[str] = []
    notify = app.notify

    def recording(message: str, **kwargs: object) -> None:
        said.append(message)
        notify(message, **kwargs)  # type: ignore[arg-type]

    app.notify = recording  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await open_section(pilot, "clace:https")
        await replace_text(pilot, "https.port", "25223")  # CL006: the HTTP port
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # a new error: asked first
        await pilot.press("y")
        await pilot.pause()
        assert said[-1] == "Saved clace.toml with 1 error: Apply stays off until they are fixed."
        await replace_text(pilot, "https.port", "25224")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert said[-1] == "Saved clace.toml"

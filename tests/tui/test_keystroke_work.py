"""What a keystroke redraws: only the findings rows that changed, Footer keys switched on
and off in place, the tree's lines kept, the check run at once; and a large port map fed
to its table a chunk per frame (no timing is asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets._footer import FooterKey

from tests.tui.pilot_helpers import codes, field_input, open_section, replace_text, settle
from tui.app import LeapTuiApp
from tui.core.findings import Finding, Severity
from tui.core.portmap import PortRow
from widgets.findings_table import FindingsTable
from widgets.nav_tree import UNSAVED_MARK, NavTree
from widgets.port_table import FIRST_ROWS, PortTable

pytestmark = pytest.mark.timeout(60)


def finding(code: str, message: str, line: int = 1) -> Finding:
    return Finding(code, Severity.WARNING, message, file="f.toml", line=line)


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield FindingsTable()


def rows(table: FindingsTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_findings_rows_change_in_place() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(FindingsTable)
        first = [finding("A1", "one"), finding("B2", "two"), finding("C3", "three")]
        table.show(first)
        await pilot.pause()
        keys = list(table.rows)
        second = [first[0], finding("B2", "two, changed", 7), first[2], finding("D4", "four")]
        table.show(second)
        await pilot.pause()
        fresh = TableApp()
        async with fresh.run_test() as fresh_pilot:  # the same findings in a new table
            rebuilt = fresh.query_one(FindingsTable)
            rebuilt.show(second)
            await fresh_pilot.pause()
            assert rows(table) == rows(rebuilt)
        kept = list(table.rows)
        assert kept[0] is keys[0] and kept[2] is keys[2]  # not made anew
        assert rows(table)[1] == ["▲ warning", "B2", "f.toml:7", "two, changed"]
        table.show(second[:1])
        await pilot.pause()
        assert rows(table) == [["▲ warning", "A1", "f.toml:1", "one"]]
        many = [finding(f"X{i}", f"m{i}", i) for i in range(60)]  # most rows new: rebuilt
        table.show(many)
        await pilot.pause()
        assert table.row_count == 60 and rows(table)[59][1] == "X59"
        table.show([])
        await pilot.pause()
        assert table.row_count == 0 and not table.can_focus


def make_app(samples: Path) -> LeapTuiApp:
    return LeapTuiApp(samples / "clace.toml", samples / "provider", samples / "hosts.toml",
                      remember_theme=False)


async def test_an_edit_keeps_the_tree_lines_and_the_footer_keys(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        tree = app.screen.query_one(NavTree)
        await open_section(pilot, "clace:https")
        field_input(pilot, "https.port").focus()  # focus moves: Tree restyles, rebuilds
        await settle(pilot)
        lines = tree._tree_lines
        keys = list(app.screen.query(FooterKey))
        save = next(k for k in keys if k.action == "save")
        assert save.description.endswith("(off)") and save.has_class("-disabled")
        pane_height = app.screen.query_one("#findings-pane").outer_size.height
        await replace_text(pilot, "https.port", "443")  # CL002: one finding more
        assert "CL002" in codes(pilot)
        assert app.screen.query_one("#findings-pane").outer_size.height != pane_height
        assert tree._tree_lines is lines  # resized, not rebuilt
        assert list(app.screen.query(FooterKey)) == keys  # the same widgets
        assert save.description == "Save" and not save.has_class("-disabled")
        clace_node = tree.root.children[0]
        assert str(clace_node.label).startswith(UNSAVED_MARK)
        # The mark widened the widest line: the tree's width (its scrollbar) follows.
        widest = tree.get_label_width(clace_node) + tree._tree_lines[0]._get_guide_width(
            tree.guide_depth, tree.show_root)
        assert tree.virtual_size.width >= widest


async def test_an_edit_after_a_pause_is_checked_at_once(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_section(pilot, "clace:https")
        await settle(pilot)
        main = app.main_screen
        assert main is not None and main.section is not None
        assert main.session.edit(main.section, "https.port", "443") is None
        app.schedule_checks()
        assert "CL002" in codes(pilot)  # no timer waited for


class PortsApp(App[None]):
    def compose(self) -> ComposeResult:
        yield PortTable()


async def test_a_large_port_map_is_fed_a_chunk_per_frame() -> None:
    rows = [PortRow(f"node{i:05}", "10.0.0.1", 22, "tcp", "ssh", "ssh", True, "ssh.port",
                    None, None, False, "") for i in range(2500)]
    app = PortsApp()
    async with app.run_test() as pilot:
        table = app.query_one(PortTable)
        table.show(rows)
        assert table.row_count == FIRST_ROWS and not table.complete  # on screen at once
        for _ in range(50):
            if table.complete:
                break
            await pilot.pause()
        assert table.complete and table.row_count == len(rows)
        assert str(table.get_row_at(2499)[1]) == "node02499"  # in order
        table.show(rows[:3])  # shown anew: the rows of before stop coming
        await pilot.pause()
        assert table.row_count == 3 and table.complete

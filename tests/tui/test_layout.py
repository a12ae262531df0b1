"""Layout that adapts: the findings pane, the where column, toasts, whole values, the port
map, booleans and the themes' contrast, at the sizes an operator's terminal has."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.color import Color as RichColor
from textual.color import Color
from textual.widgets import Static
from textual.widgets._toast import Toast

from tests.tui.pilot_helpers import (
    burst,
    field_input,
    notices,
    open_section,
    replace_text,
    settle,
)
from tui.app import LeapTuiApp
from tui.screens.ports import PortMapScreen
from widgets.bool_switch import BoolSwitch
from widgets.field_row import FieldRow
from widgets.findings_table import FindingsTable
from widgets.nav_tree import NavTree
from widgets.port_table import PortTable

pytestmark = pytest.mark.timeout(60)


def make_app(samples: Path) -> LeapTuiApp:
    return LeapTuiApp(samples / "clace.toml", samples / "provider", samples / "hosts.toml",
                      remember_theme=False)


def help_text(app: LeapTuiApp) -> str:
    return str(app.screen.query_one("#field-help", Static).content)


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40), (200, 50)])
async def test_the_findings_pane_is_sized_to_its_findings(samples: Path,
                                                          size: tuple[int, int]) -> None:
    app = make_app(samples)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        table = app.screen.query_one(FindingsTable)
        pane = app.screen.query_one("#findings-pane")
        assert not app.findings and not table.display
        assert pane.outer_size.height == 2  # its rule and its bar: the editor has the rest
        await open_section(pilot, "leap:common")
        await replace_text(pilot, "ssh.port", "443")  # every node: ssh on a used port
        shown = len(table.shown)
        assert shown >= 2
        most = max(2, (size[1] - 8) // 3)
        assert table.outer_size.height == min(shown, most) + 1
        assert pane.outer_size.height <= size[1] // 2
        assert app.screen.query_one("#editor").outer_size.height >= 3


async def test_the_where_column_is_no_wider_than_needed(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_section(pilot, "clace:https")
        await replace_text(pilot, "https.port", "25223")
        table = app.screen.query_one(FindingsTable)
        wheres = [str(table.get_row_at(i)[2]) for i in range(table.row_count)]
        assert wheres == ["clace.toml:16"]  # file:line; the key is in the detail below
        column = list(table.columns.values())[2]
        assert column.get_render_width(table) == max(map(len, wheres)) + 2  # its padding
        detail = str(app.screen.query_one("#finding-detail", Static).content)
        assert detail.startswith("✖ CL006 https.port: ")


@pytest.mark.parametrize("size", [(60, 20), (80, 24)])
async def test_toasts_do_not_cover_the_field_being_edited(samples: Path,
                                                          size: tuple[int, int]) -> None:
    app = make_app(samples)
    async with app.run_test(size=size, notifications=True) as pilot:
        await open_section(pilot, "node:web1")
        rows = list(app.screen.query(FieldRow))
        last = rows[-1]
        main = app.main_screen
        assert main is not None and main.focus_field(last.model.key)
        await settle(pilot)
        for number in range(6):
            app.notify(f"notice {number}: a message long enough to take a second line at "
                       "sixty columns, as the save and undo messages do", title="Title")
        await settle(pilot)
        toasts = list(app.screen.query(Toast))
        assert 0 < len(toasts) <= 3
        assert "notice 5" in notices(pilot)[-1]
        field = last.region
        assert field.height > 0
        for toast in toasts:
            assert not toast.region.overlaps(field), (toast.region, field)
        app.notify("the [https] table")  # plain text: a TOML table name is not markup
        await settle(pilot)
        assert not list(app._notifications)[-1].markup


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (200, 50)])
async def test_the_focused_fields_whole_value_is_visible(samples: Path,
                                                         size: tuple[int, int]) -> None:
    value = "/srv/clace/config/certificates/production/wildcard"
    app = make_app(samples)
    async with app.run_test(size=size) as pilot:
        await open_section(pilot, "clace:https")
        await replace_text(pilot, "https.cert_location", value)
        widget = field_input(pilot, "https.cert_location")
        if widget.content_size.width > len(value):
            assert widget.value == value and "value:" not in help_text(app)  # it fits
        else:
            assert f"value: {value}" in help_text(app)  # scrolled in the field, whole here


async def test_the_port_map_marks_every_row_of_a_clash_first(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_section(pilot, "clace:https")
        await replace_text(pilot, "https.port", "25223")  # HTTP's port: CL006
        await burst(pilot, ["f2"])
        screen = app.screen
        assert isinstance(screen, PortMapScreen)
        clashes = [r for r in screen.rows if r.conflict]
        assert {(r.node, r.name) for r in clashes} == {("clace", "HTTP"), ("clace", "HTTPS")}
        assert screen.rows[: len(clashes)] == clashes  # first
        table = screen.query_one(PortTable)
        states = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert states[:2] == ["✖ clash", "✖ clash"] and states[2] == "✔ ok"
        # The state column is the first: whole at 80 columns.
        assert next(iter(table.columns.values())).get_render_width(table) >= len("✖ clash")


async def test_enter_on_a_port_row_goes_to_the_field_that_sets_it(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await burst(pilot, ["f2"])
        screen = app.screen
        assert isinstance(screen, PortMapScreen)
        index = next(i for i, r in enumerate(screen.rows)
                     if r.node == "db1" and r.name == "Soledad")
        screen.query_one(PortTable).move_cursor(row=index)
        await burst(pilot, ["enter"])
        main = app.main_screen
        assert main is not None and app.screen is main
        assert main.section is not None and main.section.id == "node:db1"
        assert app.focused is field_input(pilot, "soledad.port")
        await burst(pilot, ["escape", "f2"])
        index = next(i for i, r in enumerate(app.screen.rows)  # type: ignore[attr-defined]
                     if r.node == "mx1" and r.name == "SMTP")
        app.screen.query_one(PortTable).move_cursor(row=index)
        await burst(pilot, ["enter"])
        assert "no field sets this port" in notices(pilot)[-1]


async def test_booleans_read_true_or_false(samples: Path) -> None:
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        texts = []
        for section in ("clace:http", "clace:https"):  # redirect_to_https false; the rest true
            await open_section(pilot, section)
            texts += [str(s.render()) for s in app.screen.query(BoolSwitch)]
        assert set(texts) == {"true", "false"}  # never an X, set or not


def _luminance(color: RichColor) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = color.get_truecolor()
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: RichColor, b: RichColor) -> float:
    low, high = sorted((_luminance(a), _luminance(b)))
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", ["leap-dark", "leap-light", "leap-high-contrast",
                                   "textual-dark", "textual-light"])
async def test_every_theme_draws_its_rules_and_guides_readably(samples: Path,
                                                              theme: str) -> None:
    """WCAG's 3:1 for lines and marks. (ansi-dark/light use the terminal's own colours.)"""
    app = make_app(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = theme
        await settle(pilot)
        tree = app.screen.query_one(NavTree)
        background = tree.rich_style.bgcolor
        assert background is not None
        for component in ("tree--guides", "tree--guides-selected"):
            guides = tree.get_component_rich_style(component).color
            assert guides is not None and contrast(guides, background) >= 3.0, component
        _, rule = tree.styles.border_right
        base, _ = tree.background_colors
        drawn = base.blend(Color(rule.r, rule.g, rule.b), rule.a)
        assert contrast(drawn.rich_color, base.rich_color) >= 3.0
        await open_section(pilot, "clace:https")
        await replace_text(pilot, "https.port", "25223")
        label = app.screen.query_one(FindingsTable)
        text = label.rich_style
        assert text.color is not None and text.bgcolor is not None
        assert contrast(text.color, text.bgcolor) >= 4.5

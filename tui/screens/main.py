"""The main screen: navigation tree, field editor of the selected section, live findings."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static, Tree

from tui.core import sections as sec
from tui.core.findings import Finding
from widgets.field_row import FieldModel, FieldRow
from widgets.findings_table import FindingsTable, finding_detail
from widgets.ordered_input import OrderedInput

if TYPE_CHECKING:
    from tui.app import LeapTuiApp


def field_model(info: sec.FieldInfo) -> FieldModel:
    minimum = -1 if info.key.startswith(("http.", "https.")) else 1
    return FieldModel(
        key=info.key,
        label=info.key.split(".", 1)[1] if minimum == -1 else info.key,
        kind=info.kind,
        text=sec.display_text(info),
        origin=info.origin,
        note=info.note,
        overridden=info.overridden,
        computed=info.computed,
        minimum=minimum,
    )


class MainScreen(Screen[None]):
    AUTO_FOCUS = "#nav"  # focused as the screen activates: no second Footer rebuild
    BINDINGS = [
        Binding("slash", "filter_findings", "Filter", id="filter", show=False),
        Binding("f4", "reset_field", "Inherit", id="reset-field", priority=True,
                tooltip="Remove this file's override: the value is inherited again"),
        Binding("f6", "focus_findings", "Findings", id="focus-findings", priority=True,
                show=False),
        Binding("escape", "focus_nav", "Tree", id="focus-nav", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.section: sec.Section | None = None

    @property
    def leap_app(self) -> LeapTuiApp:
        from tui.app import LeapTuiApp

        assert isinstance(self.app, LeapTuiApp)
        return self.app

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield Tree("Workspace", id="nav")
            with Vertical(id="editor-pane"):
                yield Static("", id="section-title")
                yield VerticalScroll(id="editor")
                yield Static("", id="field-help", markup=False)
        with Vertical(id="findings-pane"):
            yield Static("", id="findings-bar")
            yield OrderedInput(placeholder="filter findings (Enter keeps, Escape clears)",
                        id="findings-filter")
            yield FindingsTable(id="findings")
            yield Static("", id="finding-detail", markup=False)
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        self.build_tree()
        first = next(iter(sec.sections(self.leap_app.workspace)), None)
        if first is not None:
            await self.show_section(first.id)
            # The cursor starts on the section shown: the first Down goes to the next one.
            # After the layout: placed on a tree of no height yet, it would scroll it.
            self.call_after_refresh(self._start_cursor_on, first.id)
        self.leap_app.run_checks()

    # navigation -------------------------------------------------------------------------

    def build_tree(self) -> None:
        workspace = self.leap_app.workspace
        tree: Tree[str] = self.query_one("#nav", Tree)
        tree.clear()
        tree.show_root = False
        if workspace.clace is not None:
            clace = tree.root.add(f"Clace ({workspace.clace.path.name})", expand=True)
            clace.add_leaf("HTTP", data="clace:http")
            clace.add_leaf("HTTPS", data="clace:https")
            clace.add_leaf("Certificates", data="clace:certs")
        provider = workspace.provider
        if provider is not None:
            leap = tree.root.add(f"LEAP ({provider.root.name})", expand=True)
            if provider.common is not None:
                leap.add_leaf("common", data="leap:common")
            groups: dict[str, list[str]] = {}
            for name in provider.node_names():
                for service in provider.effective(name).services or ["(no service)"]:
                    groups.setdefault(service, []).append(name)
            for service, nodes in groups.items():
                group = leap.add(service, expand=True)
                for name in nodes:
                    group.add_leaf(name, data=f"node:{name}")

    async def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        if event.node.data:
            await self.show_section(event.node.data)

    async def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        if event.node.data:
            await self.show_section(event.node.data)
            rows = list(self.query(FieldRow))
            if rows:
                rows[0].focus_input()

    def _start_cursor_on(self, section_id: str) -> None:
        tree: Tree[str] = self.query_one("#nav", Tree)
        if tree.cursor_node is None:  # not if the operator (or a jump) moved it already
            self.select_in_tree(section_id)

    def select_in_tree(self, section_id: str) -> None:
        tree: Tree[str] = self.query_one("#nav", Tree)
        stack = list(tree.root.children)
        while stack:
            node = stack.pop(0)
            if node.data == section_id:
                tree.move_cursor(node)
                return
            stack.extend(node.children)

    # the field editor -------------------------------------------------------------------

    async def show_section(self, section_id: str) -> None:
        workspace = self.leap_app.workspace
        section = sec.section_by_id(workspace, section_id)
        if section is None:
            return
        if self.section is not None and self.section.id == section_id:
            self.refresh_fields()
            return
        self.section = section
        self.leap_app.history.close_group()
        title = self.query_one("#section-title", Static)
        title.update(f" {section.title}  ·  edits go to {self._target_name(section)}")
        help_bar = self.query_one("#field-help", Static)
        help_bar.update("Enter or Tab: edit a field; F4: inherit again")
        editor = self.query_one("#editor", VerticalScroll)
        # Awaited: the next section's rows reuse ids (ssh.port) of the rows being removed.
        await editor.remove_children()
        if section.id == "clace:certs":
            await editor.mount(self.leap_app.certificates_panel())
            return
        infos = sec.fields(workspace, section)
        await editor.mount_all(FieldRow(field_model(info)) for info in infos)

    def _target_name(self, section: sec.Section) -> str:
        workspace = self.leap_app.workspace
        if section.target == sec.CLACE_TARGET and workspace.clace is not None:
            return workspace.clace.path.name  # the full path is in the tree and the diff
        return section.target

    def refresh_fields(self, *, keep_typing: bool = True) -> None:
        """Re-read values and origins after an edit, an undo or a save.

        With ``keep_typing`` the focused input keeps what the operator is typing (the model
        may render it differently, "0443" as 443); an undo replaces it.
        """
        if self.section is None or self.section.id == "clace:certs":
            return
        infos = {info.key: info for info in sec.fields(self.leap_app.workspace, self.section)}
        for row in self.query(FieldRow):
            info = infos.get(row.model.key)
            if info is None:
                continue
            model = field_model(info)
            widget = row.input_widget
            if keep_typing and isinstance(widget, Input) and widget.has_focus:
                # Keep what the operator is typing ("0443" stays, not 443); the origin updates.
                model = dataclasses.replace(model, text=widget.value)
            row.refresh_model(model)
        self.show_field_help()  # the focused field's origin may have changed with the edit

    def focus_field(self, key: str) -> bool:
        for row in self.query(FieldRow):
            if key == row.model.key or key.startswith(row.model.key + "."):
                row.focus_input()
                row.scroll_visible()
                return True
        return False

    def on_descendant_focus(self, event: object) -> None:
        self.show_field_help()

    def show_field_help(self) -> None:
        """The focused field's origin and note (from the reference pages) are its help."""
        help_bar = self.query_one("#field-help", Static)
        focused = self.focused
        row = next((a for a in (focused.ancestors if focused else []) if isinstance(a, FieldRow)),
                   None)
        if row is not None:
            model = row.model
            help_bar.update(f"{model.key}  ← {model.origin}\n{model.note}")

    @on(FieldRow.Edited)
    def field_edited(self, event: FieldRow.Edited) -> None:
        if self.section is None:
            return
        self.leap_app.edit_field(self.section, event.key, event.text)

    def action_reset_field(self) -> None:
        if self.section is None:
            return
        for row in self.query(FieldRow):
            if row.has_focus_within:
                self.leap_app.reset_field(self.section, row.model.key)
                return
        self.notify("Move to a field first: F4 makes it inherit again.", severity="warning")

    # findings -----------------------------------------------------------------------------

    def show_findings(self, findings: list[Finding], summary: str) -> None:
        self.query_one("#findings-bar", Static).update(f" Findings: {summary}")
        self.query_one(FindingsTable).show(findings)
        self.show_finding_detail()

    def show_finding_detail(self) -> None:
        detail = finding_detail(self.query_one(FindingsTable).highlighted)
        self.query_one("#finding-detail", Static).update(detail)

    @on(DataTable.RowHighlighted, "#findings")
    def finding_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_finding_detail()

    @on(FindingsTable.Jump)
    async def jump_to_finding(self, event: FindingsTable.Jump) -> None:
        await self.leap_app.jump_to(event.finding)

    def action_filter_findings(self) -> None:
        box = self.query_one("#findings-filter", Input)
        box.add_class("-visible")
        box.focus()

    @on(Input.Changed, "#findings-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_one(FindingsTable).set_filter(event.value)
        self.show_finding_detail()

    @on(Input.Submitted, "#findings-filter")
    def filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        table = self.query_one(FindingsTable)
        if not event.value:
            event.input.remove_class("-visible")
        table.focus()

    def action_focus_findings(self) -> None:
        self.query_one(FindingsTable).focus()

    def action_focus_nav(self) -> None:
        box = self.query_one("#findings-filter", Input)
        if box.has_focus:
            box.value = ""
            box.remove_class("-visible")
        self.query_one("#nav", Tree).focus()

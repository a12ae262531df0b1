"""The main screen: navigation tree, field editor of the selected section, live findings.

It edits through the EditSession it is given and tells the app what happened with
messages (ModelChanged): it never imports the app.

It is composed empty, for the first frame (header, tree, "loading …", footer), before the
files are loaded or the core is imported; ``show_loaded`` fills it once the app's loading
worker is done. So the core and the editor's widgets are imported where they are used,
not at the top of this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header, Static

from widgets.marked_footer import MarkedFooter
from widgets.nav_tree import NavTree

if TYPE_CHECKING:

    from tui.core import sections as sec
    from tui.core.findings import Finding
    from tui.core.portmap import PortRow
    from tui.loading import TreeItem
    from tui.session import EditSession
    from widgets.field_row import FieldRow
    from widgets.findings_pane import FindingsPane
    from widgets.findings_table import FindingsTable

HELP_TEXT = "Enter or Tab: edit a field; Up/Down: the field above/below; F4: inherit again"


class MainScreen(Screen[None]):
    AUTO_FOCUS = "#nav"  # focused as the screen activates: no second Footer rebuild
    BINDINGS = [
        Binding("slash", "filter_findings", "Filter", id="filter", show=False),
        Binding("f4", "reset_field", "Inherit", id="reset-field", priority=True, show=False,
                tooltip="Remove this file's override: the value is inherited again"),
        Binding("f6", "focus_findings", "Findings", id="focus-findings", priority=True,
                show=False),
        Binding("escape", "focus_nav", "Leave field", id="focus-nav", show=False),
        # The certificates section's keys: from the tree too (an empty pair table is not
        # a focus stop, and the domain field types letters).
        Binding("n", "new_cert", "New cert", id="cert-new",
                tooltip="Create a self-signed pair (SANs for the domain, key 0600)"),
        Binding("ctrl+r", "reload_certs", "Reload certs", id="cert-reload", show=False),
    ]

    class ModelChanged(Message):
        """An edit changed the files in memory: checks and unsaved marks are due."""

    def __init__(self, loading: str = "") -> None:
        super().__init__()
        self.loading_text = loading  # what the title says until the files are loaded
        self._session: EditSession | None = None
        self.section: sec.Section | None = None
        self._help_text = ""

    @property
    def session(self) -> EditSession:
        assert self._session is not None, "the files are not loaded yet"
        return self._session

    @property
    def loaded(self) -> bool:
        return self._session is not None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield NavTree("Workspace", id="nav")
            with Vertical(id="editor-pane"):
                yield Static(f" {self.loading_text}", id="section-title", markup=False)
                yield VerticalScroll(id="editor", can_focus=False)
                yield Static("", id="field-help", markup=False)
        yield MarkedFooter(compact=True)

    async def show_loaded(self, session: EditSession, tree: list[TreeItem]) -> None:
        """Fill the screen with what the loading worker made: the findings pane, the tree
        and the first section's fields."""
        from tui.core import sections as sec
        from widgets.findings_pane import FindingsPane

        self._session = session
        await self.mount(FindingsPane(id="findings-pane"), before=self.query_one(MarkedFooter))
        self.build_tree(tree)
        first = next(iter(sec.sections(session.workspace)), None)
        if first is not None:
            await self.show_section(first.id)
            # The cursor starts on the section shown: the first Down goes to the next one.
            # After the layout: placed on a tree of no height yet, it would scroll it.
            self.call_after_refresh(self._start_cursor_on, first.id)
        else:
            self.query_one("#section-title", Static).update("")

    # navigation -------------------------------------------------------------------------

    @property
    def nav_tree(self) -> NavTree:
        return self.query_one("#nav", NavTree)

    def build_tree(self, items: list[TreeItem] | None = None) -> None:
        """The tree of ``items`` (tui.loading), or of the workspace as it is now."""
        if items is None:
            from tui.loading import tree_items

            items = tree_items(self.session.workspace)
        tree = self.nav_tree
        tree.clear()
        tree.show_root = False
        tree.add_items(tree.root, items)
        self.show_unsaved()

    def show_unsaved(self) -> None:
        """The unsaved mark on each edited file's node."""
        self.nav_tree.mark_unsaved(set(self.session.modified_targets))

    async def on_tree_node_highlighted(self, event: NavTree.NodeHighlighted[str]) -> None:
        if event.node.data:
            await self.show_section(event.node.data)

    async def on_tree_node_selected(self, event: NavTree.NodeSelected[str]) -> None:
        if event.node.data:
            await self.show_section(event.node.data)
            rows = self.field_rows()
            if rows:
                rows[0].focus_input()

    def _start_cursor_on(self, section_id: str) -> None:
        if self.nav_tree.cursor_node is None:  # not if the operator (or a jump) moved it already
            self.select_in_tree(section_id)

    def select_in_tree(self, section_id: str) -> None:
        self.nav_tree.move_cursor_to(section_id)

    # the field editor -------------------------------------------------------------------

    def field_rows(self) -> list[FieldRow]:
        from widgets.field_row import FieldRow

        return list(self.query(FieldRow))

    async def show_section(self, section_id: str) -> None:
        from tui.core import sections as sec
        from tui.screens.field_models import field_model
        from widgets.field_row import FieldRow

        self.commit_pending()  # the rows about to go may hold the last keys typed
        workspace = self.session.workspace
        section = sec.section_by_id(workspace, section_id)
        if section is None:
            return
        if self.section is not None and self.section.id == section_id:
            self.refresh_fields()
            return
        self.section = section
        self.session.history.close_group()
        target = self.session.display_target(section.target)
        self.query_one("#section-title", Static).update(
            f" {section.title}  ·  edits go to {target}")
        self.set_help(HELP_TEXT)
        editor = self.query_one("#editor", VerticalScroll)
        # Awaited: the next section's rows reuse ids (ssh.port) of the rows being removed.
        await editor.remove_children()
        if section.id == "clace:certs":
            await editor.mount(self.certificates_panel())
            return
        infos = sec.fields(workspace, section)
        await editor.mount_all(FieldRow(field_model(info)) for info in infos)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new_cert", "reload_certs"):
            # By name: the panel's module (and the crypto behind it) loads when first shown.
            return bool(self.query("CertificatesPanel"))
        return True

    def action_new_cert(self) -> None:
        from widgets.cert_panel import CertificatesPanel

        for panel in self.query(CertificatesPanel):
            panel.action_new_pair()

    def action_reload_certs(self) -> None:
        from widgets.cert_panel import CertificatesPanel

        for panel in self.query(CertificatesPanel):
            panel.action_reload()

    def certificates_panel(self) -> Widget:
        from tui.core.certs import settings_from_clace
        from widgets.cert_panel import CertificatesPanel

        clace = self.session.workspace.clace
        if clace is None:
            return Static("No Clace configuration is open.", classes="placeholder")
        return CertificatesPanel(settings_from_clace(clace))

    def refresh_fields(self, *, keep_typing: bool = True) -> None:
        """Re-read values and origins after an edit, an undo or a save.

        With ``keep_typing`` the focused field keeps what the operator typed (the model may
        spell it otherwise, "0443" as 443); an undo replaces it.
        """
        from tui.core import sections as sec
        from tui.screens.field_models import field_model

        if self.section is None or self.section.id == "clace:certs":
            return
        infos = {i.key: i for i in sec.fields(self.session.workspace, self.section)}
        for row in self.field_rows():
            info = infos.get(row.model.key)
            if info is not None:
                row.refresh_model(field_model(info),
                                  keep_shown=keep_typing and row.has_focus_within)
        self.show_field_help()  # the focused field's origin may have changed with the edit

    def focus_field(self, key: str) -> bool:
        for row in self.field_rows():
            if key == row.model.key or key.startswith(row.model.key + "."):
                row.focus_input()
                row.scroll_visible()
                return True
        return False

    async def reveal(self, section_id: str | None, key: str) -> bool:
        """Show ``key`` of the section, focused: an undo or a jump brings it into view."""
        if section_id is None:
            return False
        self.select_in_tree(section_id)
        await self.show_section(section_id)
        return self.focus_field(key)

    async def jump_to_port(self, row: PortRow) -> None:
        """The field that sets a port of the port map (Enter on its row)."""
        if row.property is None:
            self.notify(f"{row.name} on {row.node} ({row.port}): no field sets this port; "
                        "it comes with the service.")
            return
        key = row.property
        provider = self.session.workspace.provider
        if row.node == "clace":
            section_id = "clace:https" if key.startswith("https.") else "clace:http"
        elif (provider is not None and provider.common is not None
              and row.source == provider.common.rel and key == "ssh.port"):
            section_id = "leap:common"  # set for every node there
        else:
            section_id = f"node:{row.node}"  # the node's field shows where it comes from
        if not await self.reveal(section_id, key):
            self.notify(f"{key}: no field of {row.node} shows it")

    async def jump_to(self, finding: Finding) -> None:
        from tui.core import sections as sec

        section_id = sec.section_for_finding(self.session.workspace, finding)
        if section_id is None:
            self.notify(f"{finding.code}: no field to show for {finding.location}")
            return
        self.select_in_tree(section_id)
        await self.show_section(section_id)
        self.call_after_refresh(self._focus_field, finding.path)

    def _focus_field(self, key: str) -> None:
        if not self.focus_field(key):
            self.notify(f"{key}: not an editable field of this section")

    def on_descendant_focus(self, event: object) -> None:
        self.show_field_help()

    def show_field_help(self) -> None:
        """The focused field's origin, note (from the reference pages) and what clearing
        it does are its help."""
        if not self.loaded:
            return
        from rich.cells import cell_len
        from textual.widgets import Input

        from tui.screens.field_models import clearing_help
        from widgets.field_row import FieldRow

        focused = self.focused
        row = next((a for a in (focused.ancestors if focused else []) if isinstance(a, FieldRow)),
                   None)
        if row is not None:
            model = row.model
            clearing = clearing_help(model.kind, row.shown_text)
            lines = [f"{model.key}  ← {model.origin}"]
            widget = row.input_widget
            # Wider than its field, the value is scrolled there: here it is whole.
            if isinstance(widget, Input) and cell_len(widget.value) >= widget.content_size.width:
                lines.append(f"value: {widget.value}")
            lines += [clearing, model.note]
            self.set_help("\n".join(lines))

    def set_help(self, text: str) -> None:
        """The help line under the editor; left alone when it already says ``text`` (an
        update lays the screen out again: a frame on every keystroke)."""
        if text != self._help_text:
            self._help_text = text
            self.query_one("#field-help", Static).update(text)

    # edits: every change of a field reaches the model here ------------------------------

    def on_field_row_edited(self, event: FieldRow.Edited) -> None:
        self.commit(event.row)
        # Also when nothing was committed (the text is the model's again, or not a value):
        # the help line says what the field holds now, never what it held keys ago.
        self.show_field_help()

    def commit_pending(self) -> None:
        """Every field whose text the model does not have yet goes into the model now."""
        for row in self.field_rows():
            self.commit(row)

    def commit(self, row: FieldRow) -> None:
        text = row.pending_text
        if text is None or self.section is None or not row.is_attached:
            return
        row.committed = text
        problem = self.session.edit(self.section, row.model.key, text)
        if problem is not None:
            # Not a value of this field's kind: nothing is written; the operator keeps typing.
            self.notify(problem, severity="warning", timeout=4)
            return
        self.refresh_fields()
        self.post_message(self.ModelChanged())

    def action_reset_field(self) -> None:
        if self.section is None:
            return
        self.commit_pending()
        for row in self.field_rows():
            if row.has_focus_within:
                key = row.model.key
                if not self.session.reset(self.section, key):
                    self.notify(f"{key} is not set in {self.section.target}: it is already "
                                "inherited.")
                    return
                self.refresh_fields(keep_typing=False)
                self.post_message(self.ModelChanged())
                return
        self.notify("Move to a field first: F4 makes it inherit again.", severity="warning")

    # findings -----------------------------------------------------------------------------

    @property
    def findings_pane(self) -> FindingsPane:
        from widgets.findings_pane import FindingsPane

        return self.query_one(FindingsPane)

    def show_findings(self, findings: list[Finding], summary: str) -> None:
        clace = self.session.workspace.clace
        names = {str(clace.path): clace.path.name} if clace is not None else {}
        self.findings_pane.show(findings, summary, names)

    def on_resize(self) -> None:
        if self.loaded:
            self.findings_pane.fit()

    async def on_findings_table_jump(self, event: FindingsTable.Jump) -> None:
        await self.jump_to(event.finding)

    def action_filter_findings(self) -> None:
        self.findings_pane.open_filter()

    def action_focus_findings(self) -> None:
        self.findings_pane.focus_table()

    def action_focus_nav(self) -> None:
        pane = self.findings_pane
        if self.focused is pane.filter_box:
            pane.close_filter()
        self.set_focus(self.nav_tree)

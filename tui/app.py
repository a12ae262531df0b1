"""The Textual face of leap-tui: edit with live checks, see the diff, save, apply, roll back."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from themes import DEFAULT_THEME, OFFERED_THEMES, STYLESHEET, THEMES
from tui.core import sections as sec
from tui.core.clace_config import ClaceConfig
from tui.core.errors import ConfigError
from tui.core.findings import Finding, Severity, count_by_severity, has_errors
from tui.core.history import EditHistory
from tui.core.leap_provider import Provider
from tui.core.user_config import UserConfig, save_theme
from tui.core.workspace import Workspace
from tui.screens.confirm import ConfirmDialog, MessageDialog, QuitDialog
from tui.screens.main import MainScreen

if TYPE_CHECKING:
    from tui.core.inventory import Inventory
    from tui.core.remote.protocol import HostResult
    from tui.screens.remote_run import RemoteSetup

# Checks run this long after the last keystroke, so that keys arriving together (a burst
# from the terminal) are checked once. Keys a person types are further apart than this and
# each is checked: a warm check of 1,000 nodes takes a few ms (docs/benchmarks.md), and
# with 20 ms here the keystroke-to-findings figure sat on its 50 ms target.
RECHECK_DELAY = 0.005
# Seconds to confirm a lock-out-prone change before the hosts revert on their own (issue 4).
CONFIRM_WINDOW = 120.0
# After SIGHUP the process ends this long after asking Textual to exit, in case writing to
# the vanished terminal wedges it; longer while a run on the hosts is finishing (its
# questions are declined, so it reverts or completes rather than stopping mid-swap).
HANGUP_EXIT_AFTER = 3.0
HANGUP_EXIT_AFTER_RUNNING = 120.0


def load_failure_findings(code: str, error: ConfigError) -> list[Finding]:
    """Each file of a failed load as an error finding (``code``: CL000 or LP000)."""
    return [Finding(code, Severity.ERROR, f"does not parse: {e.message}", file=e.file,
                    line=e.line, hint="fix it in an editor and restart leap-tui; it was not "
                    "opened, so nothing here is checked and Apply stays off")
            for e in error.all_errors()]


class LeapTuiApp(App[None]):
    TITLE = "leap-tui"
    CSS_PATH = str(STYLESHEET)
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save", priority=True),
        Binding("ctrl+z", "undo", "Undo", id="undo", priority=True, show=False),
        Binding("ctrl+y", "redo", "Redo", id="redo", priority=True, show=False),
        Binding("f2", "show_ports", "Ports", id="ports", priority=True),
        Binding("f3", "show_diff", "Diff", id="diff", priority=True),
        Binding("a", "apply", "Apply", id="apply"),
        Binding("r", "rollback", "Rollback", id="rollback"),
        # Shown in the help and the palette; the Footer at 80 columns has no room left.
        Binding("h", "history", "History", id="history", show=False),
        Binding("f7", "history", "History", id="history-any", show=False, priority=True),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("f1", "help", "Help", id="help-any", show=False, priority=True),
        Binding("q", "request_quit", "Quit", id="quit"),
        Binding("ctrl+q", "request_quit", "Quit", id="quit-any", show=False, priority=True),
        Binding("j", "cursor('down')", "Down", id="down", show=False),
        Binding("k", "cursor('up')", "Up", id="up", show=False),
    ]

    def __init__(
        self,
        clace: Path | None = None,
        provider: Path | None = None,
        inventory: Path | None = None,
        *,
        user_config: UserConfig | None = None,
        opened_messages: Iterable[str] = (),
        remember_theme: bool = True,
    ) -> None:
        super().__init__()
        self.user_config = user_config or UserConfig()
        self.remember_theme = remember_theme
        self.opened_messages = list(opened_messages)
        # Files that do not parse: shown as CL000/LP000 findings for the whole session.
        self.load_failures: list[Finding] = []
        self.workspace = Workspace(inventory_path=inventory)
        if clace is not None:
            try:
                self.workspace.clace = ClaceConfig.load(clace)
            except ConfigError as error:
                self.load_failures += load_failure_findings("CL000", error)
        if provider is not None:
            try:
                self.workspace.provider = Provider.load(provider)
            except ConfigError as error:
                self.load_failures += load_failure_findings("LP000", error)
        self.history = EditHistory()
        self.findings: list[Finding] = []
        self.applied_this_session = False
        self.confirm_window = CONFIRM_WINDOW
        self._journal_knows_hosts: bool | None = None
        self._recheck_timer: Timer | None = None
        self.hard_exit: threading.Timer | None = None
        for theme in THEMES:
            self.register_theme(theme)
        # Chosen before the first mount: set in on_mount, it restyles every widget once more.
        wanted = self.user_config.theme
        self.theme = wanted if wanted in self.available_themes else DEFAULT_THEME

    # life cycle ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.user_config.keymap:
            self.set_keymap(self.user_config.keymap)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        # The SSH session dropped: leave cleanly. Saves are atomic, so nothing is half-written.
        # (Not possible off the main thread, as in tests, or where there is no SIGHUP.)
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._terminal_gone)
        self.push_screen(MainScreen())
        for message in self.opened_messages:
            self.notify(message, timeout=6)
        if self.load_failures:
            files = "this file does not" if len(self.load_failures) == 1 else (
                f"these {len(self.load_failures)} files do not")
            self.push_screen(
                MessageDialog(
                    f"Not opened: {files} parse. Nothing was written to them.",
                    "\n".join(f.format_text() for f in self.load_failures),
                )
            )

    def _terminal_gone(self) -> None:
        """SIGHUP: exit now; if writing to the vanished terminal wedges the exit, end anyway.

        Unsaved edits are dropped (there is no one left to ask) and every save is atomic, so
        no file is left half-written either way. A run on the hosts gets its open questions
        declined and time to reach a safe point: the worker thread outlives the exit (the
        interpreter waits for it), only the hard exit would cut it.
        """
        from tui.screens.remote_run import RemoteRunScreen

        running = [s for s in self.screen_stack if isinstance(s, RemoteRunScreen) and s.running]
        for screen in running:
            screen.hang_up()
        self.exit(return_code=129)
        delay = HANGUP_EXIT_AFTER_RUNNING if running else HANGUP_EXIT_AFTER
        self.hard_exit = threading.Timer(delay, os._exit, args=(129,))
        self.hard_exit.daemon = True
        self.hard_exit.start()

    def _remember_theme(self, theme: object) -> None:
        if self.remember_theme:
            try:
                save_theme(self.theme)
            except OSError as error:
                self.notify(f"theme not remembered: {error}", severity="warning")

    @property
    def main_screen(self) -> MainScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    # checks -------------------------------------------------------------------------------

    def schedule_checks(self) -> None:
        if self._recheck_timer is not None:
            self._recheck_timer.stop()
        self._recheck_timer = self.set_timer(RECHECK_DELAY, self.run_checks)

    def run_checks(self) -> None:
        self._recheck_timer = None
        had_errors = has_errors(self.findings)
        self.findings = [*self.load_failures, *self.workspace.check()]
        counts = count_by_severity(self.findings)
        summary = "  ".join(
            f"{severity.icon} {counts[severity]} {severity}{'s' if counts[severity] != 1 else ''}"
            for severity in Severity
        )
        self.sub_title = summary
        main = self.main_screen
        if main is not None:
            main.show_findings(self.findings, summary)
        if has_errors(self.findings) != had_errors:
            # Apply is greyed out while there are errors; the Footer is rebuilt only when
            # that changes, not on every keystroke (rebuilding it costs a frame).
            self.refresh_bindings()

    # editing ------------------------------------------------------------------------------

    def edit_field(self, section: sec.Section, key: str, text: str) -> None:
        infos = {info.key: info for info in sec.fields(self.workspace, section)}
        info = infos.get(key)
        if info is None:
            return
        try:
            value = sec.parse_text(info, text)
        except ValueError as error:
            # Not a value of this field's kind: nothing is written; the operator keeps typing.
            self.notify(str(error), severity="warning", timeout=4)
            return
        before = sec.target_text(self.workspace, section.target)
        sec.apply_edit(self.workspace, section, key, value)
        after = sec.target_text(self.workspace, section.target)
        self.history.record(section.target, key, before, after)
        self._after_edit()

    def reset_field(self, section: sec.Section, key: str) -> None:
        before = sec.target_text(self.workspace, section.target)
        sec.remove_override(self.workspace, section, key)
        after = sec.target_text(self.workspace, section.target)
        if before == after:
            self.notify(f"{key} is not set in {section.target}: it is already inherited.")
            return
        self.history.close_group()
        self.history.record(section.target, key, before, after)
        self.history.close_group()
        self._after_edit(keep_typing=False)

    def _after_edit(self, *, keep_typing: bool = True) -> None:
        main = self.main_screen
        if main is not None:
            main.refresh_fields(keep_typing=keep_typing)
        self.schedule_checks()

    def action_undo(self) -> None:
        change = self.history.undo()
        if change is None:
            self.notify("Nothing to undo.")
            return
        self._restore(change.target, change.before, change.field)

    def action_redo(self) -> None:
        change = self.history.redo()
        if change is None:
            self.notify("Nothing to redo.")
            return
        self._restore(change.target, change.after, change.field)

    def _restore(self, target: str, text: str, field: str) -> None:
        sec.set_target_text(self.workspace, target, text)
        main = self.main_screen
        if main is not None:
            main.refresh_fields(keep_typing=False)
        self.run_checks()

    def action_save(self) -> None:
        try:
            saved = sec.save_all(self.workspace)
        except OSError as error:
            self.notify(f"Not saved: {error}", severity="error", timeout=10)
            return
        if not saved:
            self.notify("Nothing to save.")
            return
        self.history.close_group()
        main = self.main_screen
        if main is not None:
            main.refresh_fields()
        names = ", ".join(self._display_target(t) for t in saved)
        errors = count_by_severity(self.workspace.check())[Severity.ERROR]  # as saved
        if errors:
            # Saving work in progress is allowed; pushing it is not (Apply stays off).
            self.notify(f"Saved {names} with {errors} error{'s' if errors != 1 else ''}: "
                        "Apply stays off until they are fixed.", severity="warning")
        else:
            self.notify(f"Saved {names}")

    def _display_target(self, target: str) -> str:
        if target == sec.CLACE_TARGET and self.workspace.clace is not None:
            return self.workspace.clace.path.name
        return target

    async def jump_to(self, finding: Finding) -> None:
        main = self.main_screen
        section_id = sec.section_for_finding(self.workspace, finding)
        if main is None or section_id is None:
            self.notify(f"{finding.code}: no field to show for {finding.location}")
            return
        main.select_in_tree(section_id)
        await main.show_section(section_id)
        self.call_after_refresh(self._focus_field, finding.path)

    def _focus_field(self, key: str) -> None:
        main = self.main_screen
        if main is not None and not main.focus_field(key):
            self.notify(f"{key}: not an editable field of this section")

    # other screens ------------------------------------------------------------------------

    # Screens other than the main one are imported when first opened: off the startup path.

    def action_show_ports(self) -> None:
        from tui.core.clace_listeners import clace_listener_rows
        from tui.core.portmap import provider_port_rows
        from tui.screens.ports import PortMapScreen

        if isinstance(self.screen, PortMapScreen):
            self.pop_screen()  # F2 again: back
            return
        rows = []
        if self.workspace.provider is not None:
            rows += provider_port_rows(self.workspace.provider)
        if self.workspace.clace is not None:
            rows += clace_listener_rows(self.workspace.clace, self.findings)
        self._show_view(PortMapScreen(rows))

    def _show_view(self, screen: Screen[None]) -> None:
        """The port map and the diff replace each other: one Escape leads back."""
        from tui.screens.diff import DiffScreen
        from tui.screens.ports import PortMapScreen

        if isinstance(self.screen, PortMapScreen | DiffScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def action_show_diff(self) -> None:
        from tui.screens.diff import DiffScreen

        if isinstance(self.screen, DiffScreen):
            self.pop_screen()  # F3 again: back
            return
        self._show_view(DiffScreen(sec.unified_diffs(self.workspace)))

    def action_help(self) -> None:
        from tui.core.rules import all_rules
        from tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.binding_catalog(), all_rules()))

    def binding_catalog(self) -> list[tuple[str, str, str, str]]:
        """Every binding (key as remapped, action, id, where it acts), whatever has focus."""
        from tui.screens.help import binding_places

        rows: list[tuple[str, str, str, str]] = []
        for where, classes in binding_places(LeapTuiApp, MainScreen):
            for cls in classes:
                for binding in cls.__dict__.get("BINDINGS", []):
                    if not isinstance(binding, Binding) or not binding.description:
                        continue
                    keys = self._keymap.get(binding.id, binding.key) if binding.id else (
                        binding.key)
                    shown = ", ".join(self.get_key_display(Binding(key.strip(), binding.action))
                                      for key in keys.split(","))
                    rows.append((shown, binding.description, binding.id or "", where))
        return rows

    def certificates_panel(self) -> Widget:
        from tui.core.certs import settings_from_clace
        from widgets.cert_panel import CertificatesPanel

        if self.workspace.clace is None:
            return Static("No Clace configuration is open.", classes="placeholder")
        return CertificatesPanel(settings_from_clace(self.workspace.clace))

    def action_cursor(self, direction: str) -> None:
        focused = self.focused
        action = getattr(focused, f"action_cursor_{direction}", None)
        if callable(action):
            action()

    # apply, rollback, history -------------------------------------------------------------

    def load_inventory(self) -> Inventory | None:
        """The inventory, or None with the reason shown."""
        from tui.core.inventory import load_inventory

        path = self.workspace.inventory_path
        if path is None:
            self.notify("Apply and rollback need an inventory: start with --inventory "
                        "hosts.toml.", severity="warning", timeout=8)
            return None
        try:
            return load_inventory(path)
        except ConfigError as error:
            self.notify(str(error), title="Inventory not loaded", severity="error", timeout=10)
            return None

    def remote_setup(self, inventory: Inventory) -> RemoteSetup:
        from tui.screens.remote_run import RemoteSetup

        workspace = self.workspace
        return RemoteSetup(
            inventory=inventory,
            clace=workspace.clace.path if workspace.clace is not None else None,
            provider=workspace.provider.root if workspace.provider is not None else None,
            confirm_window=self.confirm_window,
        )

    def action_apply(self) -> None:
        inventory = self.load_inventory()
        if inventory is None:
            return
        modified = sec.modified_targets(self.workspace)
        if not modified:
            self._start_apply(inventory)
            return

        def decided(save: bool | None) -> None:
            if not save:
                self.notify("Nothing applied: the edits are not saved.")
                return
            self.action_save()
            if not sec.modified_targets(self.workspace):
                self._start_apply(inventory)

        names = ", ".join(self._display_target(t) for t in modified)
        self.push_screen(ConfirmDialog(
            f"Unsaved edits in {names}.\nApply pushes the files as saved on disk: save them "
            "first?", yes="Save and continue", no="Cancel"), decided)

    def _start_apply(self, inventory: Inventory) -> None:
        from tui.core.remote.plan import load_sources, plan
        from tui.screens.apply import ApplyScreen

        setup = self.remote_setup(inventory)
        try:
            sources = load_sources(inventory, inventory.hosts, clace=setup.clace,
                                   provider=setup.provider)
            plans = plan(inventory, sources)
        except ConfigError as error:
            self.notify(str(error), title="Cannot apply", severity="error", timeout=10)
            return
        if not plans:
            self.notify("The inventory lists no hosts.", severity="warning")
            return
        self.push_screen(ApplyScreen(setup, plans))

    def action_rollback(self) -> None:
        inventory = self.load_inventory()
        if inventory is None:
            return
        from tui.core.remote.journal import Journal
        from tui.screens.rollback import RollbackScreen

        if not inventory.hosts:
            self.notify("The inventory lists no hosts.", severity="warning")
            return
        screen = RollbackScreen(self.remote_setup(inventory), inventory.hosts,
                                Journal().entries())
        if getattr(self.screen, "remote_kind", "") == "apply":
            self.switch_screen(screen)  # its results would be stale under the rollback
        else:
            self.push_screen(screen)

    def action_history(self) -> None:
        from tui.core.remote.journal import Journal
        from tui.screens.history import HistoryScreen

        if isinstance(self.screen, HistoryScreen):
            self.pop_screen()  # F7 is a priority key: it toggles rather than stacking
            return
        journal = Journal()
        self.push_screen(HistoryScreen(journal.entries(), journal.path))

    def remote_run_finished(self, kind: str, results: Sequence[HostResult]) -> None:
        """A run on the hosts ended: what Rollback offers may have changed."""
        if kind != "dry-run" and any(f.status in ("applied", "rolled-back")
                                     for r in results for f in r.files):
            self.applied_this_session = True
        self._journal_knows_hosts = None
        self.refresh_bindings()

    def _rollback_possible(self) -> bool:
        """Something was applied: in this session, or to an inventory host per the journal."""
        if self.applied_this_session:
            return True
        if self._journal_knows_hosts is None:
            self._journal_knows_hosts = self._journal_has_inventory_hosts()
        return self._journal_knows_hosts

    def _journal_has_inventory_hosts(self) -> bool:
        from tui.core.inventory import load_inventory
        from tui.core.remote.journal import Journal

        path = self.workspace.inventory_path
        if path is None:
            return False
        try:
            names = {h.name for h in load_inventory(path).hosts}
            return any(e.host in names and e.action in ("apply", "rollback")
                       for e in Journal().entries())
        except (ConfigError, OSError):
            return False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The command palette asks over the screen it was opened on: judge by that one.
        stack = [s for s in self.screen_stack if not isinstance(s, CommandPalette)]
        top = stack[-1] if stack else None
        if action in ("apply", "rollback") and not isinstance(top, MainScreen):
            # Only from the main screen, or rollback after a finished apply (which it then
            # replaces): never stacked on history, a dialog or a run.
            remote_kind = getattr(top, "remote_kind", "")
            if not (action == "rollback" and remote_kind == "apply"
                    and not getattr(top, "running", True)):
                return False
        if action == "apply":
            return None if has_errors(self.findings) else True
        if action == "rollback":
            return self._rollback_possible()
        if action == "undo":
            return True
        return True

    # quitting -----------------------------------------------------------------------------

    def action_request_quit(self) -> None:
        modified = sec.modified_targets(self.workspace)
        if not modified:
            self.exit()
            return

        def decided(choice: str | None) -> None:
            if choice == "save":
                self.action_save()
                if not sec.modified_targets(self.workspace):
                    self.exit()
            elif choice == "discard":
                self.exit()

        self.push_screen(QuitDialog([self._display_target(t) for t in modified]), decided)

    # the command palette ------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every binding of the current screen is a palette command: new actions need no wiring."""
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action in seen or not active.enabled:
                continue
            seen.add(binding.action)
            key = self.get_key_display(binding)
            yield SystemCommand(
                binding.description,
                f"{binding.tooltip or binding.description} — key: {key}",
                lambda action=binding.action, node=active.node: self.call_next(
                    self.run_action, action, node
                ),
            )
        for name in OFFERED_THEMES:
            yield SystemCommand(f"Theme: {name}", f"Switch to the {name} theme",
                                lambda name=name: setattr(self, "theme", name))
        yield from super().get_system_commands(screen)

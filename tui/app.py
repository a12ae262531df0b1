"""The Textual face of leap-tui: edit with live checks, see the diff, save, apply, roll back."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from themes import DEFAULT_THEME, OFFERED_THEMES, STYLESHEET, THEMES
from tui.core import sections as sec
from tui.core.clace_checks import CLACE_RULES
from tui.core.clace_config import ClaceConfig
from tui.core.clace_listeners import clace_listener_rows
from tui.core.errors import ConfigError
from tui.core.findings import Finding, Severity, count_by_severity, has_errors
from tui.core.history import EditHistory
from tui.core.leap_checks import LEAP_RULES
from tui.core.leap_provider import Provider
from tui.core.portmap import provider_port_rows
from tui.core.user_config import UserConfig, save_theme
from tui.core.workspace import Workspace
from tui.screens.confirm import MessageDialog, QuitDialog
from tui.screens.diff import DiffScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.ports import PortMapScreen

# Checks run this long after the last keystroke: typing "443" is checked once, not thrice.
RECHECK_DELAY = 0.08


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
        self.load_errors: list[str] = []
        self.workspace = Workspace(inventory_path=inventory)
        if clace is not None:
            try:
                self.workspace.clace = ClaceConfig.load(clace)
            except ConfigError as error:
                self.load_errors.append(str(error))
        if provider is not None:
            try:
                self.workspace.provider = Provider.load(provider)
            except ConfigError as error:
                self.load_errors.append(str(error))
        self.history = EditHistory()
        self.findings: list[Finding] = []
        self.applied_this_session = False
        self._recheck_timer: Timer | None = None
        for theme in THEMES:
            self.register_theme(theme)

    # life cycle ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        wanted = self.user_config.theme
        self.theme = wanted if wanted in self.available_themes else DEFAULT_THEME
        if self.user_config.keymap:
            self.set_keymap(self.user_config.keymap)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        # The SSH session dropped: leave cleanly. Saves are atomic, so nothing is half-written.
        # (Not possible off the main thread, as in tests, or where there is no SIGHUP.)
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.exit)
        self.push_screen(MainScreen())
        for message in self.opened_messages:
            self.notify(message, timeout=6)
        if self.load_errors:
            self.push_screen(
                MessageDialog(
                    "Not opened: this file does not parse. It was left untouched.",
                    "\n".join(self.load_errors),
                )
            )

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
        self.findings = self.workspace.check()
        counts = count_by_severity(self.findings)
        summary = "  ".join(
            f"{severity.icon} {counts[severity]} {severity}{'s' if counts[severity] != 1 else ''}"
            for severity in Severity
        )
        self.sub_title = summary
        main = self.main_screen
        if main is not None:
            main.show_findings(self.findings, summary)
        self.refresh_bindings()

    # editing ------------------------------------------------------------------------------

    def edit_field(self, section: sec.Section, key: str, text: str) -> None:
        infos = {info.key: info for info in sec.fields(self.workspace, section)}
        info = infos.get(key)
        if info is None:
            return
        before = sec.target_text(self.workspace, section.target)
        sec.apply_edit(self.workspace, section, key, sec.parse_text(info, text))
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

    def action_show_ports(self) -> None:
        rows = []
        if self.workspace.provider is not None:
            rows += provider_port_rows(self.workspace.provider)
        if self.workspace.clace is not None:
            rows += clace_listener_rows(self.workspace.clace, self.findings)
        self.push_screen(PortMapScreen(rows))

    def action_show_diff(self) -> None:
        self.push_screen(DiffScreen(sec.unified_diffs(self.workspace)))

    def action_help(self) -> None:
        rows = []
        seen = set()
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.description or (binding.id, key) in seen:
                continue
            seen.add((binding.id, key))
            rows.append((self.get_key_display(binding), binding.description, binding.id or ""))
        self.push_screen(HelpScreen(rows, {**CLACE_RULES, **LEAP_RULES}))

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

    def action_apply(self) -> None:
        self.notify("Apply needs an inventory (--inventory hosts.toml).", severity="warning")

    def action_rollback(self) -> None:
        self.notify("Nothing was applied in this session.", severity="warning")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "apply":
            return None if has_errors(self.findings) else True
        if action == "rollback":
            return self.applied_this_session
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

"""The Textual face of leap-tui: edit with live checks, see the diff, save, apply, roll back.

This module composes: the key bindings, start-up and the views. What each group of
actions does lives beside it (app_editing, app_remote, app_commands); keys reach the
fields in order through key_routing; the screens share the EditSession (tui/session.py).

Start-up paints first and loads after: the first frame is the main screen's shell (header,
empty tree, "loading …", footer); then a worker thread imports the core, reads and checks
the files and lays out the tree (tui/loading.py), and the screen is filled when it is done.
Keys typed meanwhile are held and replayed in order once it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding
from textual.notifications import Notify
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from themes import DEFAULT_THEME, STYLESHEET, THEMES
from tui.app_commands import Commands
from tui.app_editing import RECHECK_DELAY
from tui.app_remote import CONFIRM_WINDOW, REMOTE_ACTIONS
from tui.core.findings import has_errors
from tui.core.user_config import UserConfig, save_theme
from tui.loading import Loaded, load, loading_text
from tui.screens.main import MainScreen
from tui.settings_check import check_settings

if TYPE_CHECKING:
    from widgets.port_table import PortTable

__all__ = [
    "CONFIRM_WINDOW",
    "HANGUP_EXIT_AFTER",
    "HANGUP_EXIT_AFTER_RUNNING",
    "RECHECK_DELAY",
    "LeapTuiApp",
]

# After SIGHUP the process ends this long after asking Textual to exit, in case writing to
# the vanished terminal wedges it; longer while a run on the hosts is finishing (its
# questions are declined, so it reverts or completes rather than stopping mid-swap).
HANGUP_EXIT_AFTER = 3.0
HANGUP_EXIT_AFTER_RUNNING = 120.0
# Toasts kept on screen at once: with the findings bar and the help line under the fields,
# three one-line toasts never reach up to the field being edited.
MAX_TOASTS = 3
# What the Footer shows as off until the files are loaded (its keys are held until then).
NEEDS_FILES = frozenset({"save", "undo", "redo", "show_ports", "show_diff", "apply",
                         "rollback"})
LOADING = "The files are still loading: the key acts once they are."


class LeapTuiApp(Commands):
    TITLE = "leap-tui"
    CSS_PATH = str(STYLESHEET)
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (80, "-normal"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
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
        Binding("f8", "hosts", "Hosts", id="hosts", priority=True, show=False,
                tooltip="The hosts: filter, select, and apply or roll back the selected ones"),
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
        self.paths = (clace, provider, inventory)
        self.hold_keys()  # until the files are loaded (files_loaded)
        self.hard_exit: threading.Timer | None = None
        for theme in THEMES:
            self.register_theme(theme)
        # The screens' keys are read only when there is a keymap to check: importing every
        # screen would cost the start-up what their lazy imports save.
        self.settings_problems = check_settings(
            self.user_config, self.available_themes,
            self.binding_classes() if self.user_config.keymap else [])
        # Chosen before the first mount: set in on_mount, it restyles every widget once more.
        wanted = self.user_config.theme
        if wanted in self.available_themes and wanted != DEFAULT_THEME:
            self.theme = wanted
        else:
            # Without Textual's watcher: it would parse and apply the whole stylesheet a
            # second time before the first frame. Nothing is parsed yet: the theme's
            # variables and classes are set here, for the first parse; the terminal filter
            # Textual chose for its own dark default suits this dark, non-ANSI theme.
            self.set_reactive(App.theme, DEFAULT_THEME)
            self.stylesheet.set_variables(self.get_css_variables())
            self.update_classes({f"-theme-{DEFAULT_THEME}": True, "-dark-mode": True,
                                 "-light-mode": False}, update=False)

    # life cycle ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.user_config.keymap:
            self.set_keymap(self.user_config.keymap)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        # The SSH session dropped: leave cleanly. Saves are atomic, so nothing is half-written.
        # (Not possible off the main thread, as in tests, or where there is no SIGHUP.)
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._terminal_gone)
        for message in self.opened_messages:
            self.notify(message, timeout=6)
        if self.settings_problems:
            self.notify("\n".join(self.settings_problems), title="Settings", markup=False,
                        severity="warning", timeout=12)
        # Once the shell is painted: the worker's imports and reads would delay that frame.
        self.call_after_refresh(self._start_loading)

    # loading the files, after the first frame ---------------------------------------------

    def _start_loading(self) -> None:
        clace, provider, inventory = self.paths
        self.run_worker(lambda: load(clace, provider, inventory), name="load", group="load",
                        thread=True, exit_on_error=True)

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name == "load" and event.state is WorkerState.SUCCESS:
            result = event.worker.result
            assert isinstance(result, Loaded)
            await self.files_loaded(result)

    async def files_loaded(self, loaded: Loaded) -> None:
        """Fill the screen with the loaded files and their findings, say what did not
        open, then let the keys typed meanwhile through."""
        self._session = loaded.session
        main = self.main_screen
        if main is not None:
            await main.show_loaded(loaded.session, loaded.tree)
        findings = loaded.session.findings  # checked by the worker
        self.show_findings(findings, had_errors=has_errors(findings))
        self.show_unsaved()
        self.refresh_bindings()  # what was off while loading
        self.report_load()
        # What is loaded now lives as long as the app: out of the collector's sight, a full
        # collection is a pass over what edits make, not a 50 ms pause over a large provider
        # in the middle of a keystroke (objects freed later are still freed: only cycles
        # among these would wait).
        gc.freeze()
        # After the next frame: the tree's cursor is placed then, and the first key held
        # (Enter, Down) acts on it.
        self.call_after_refresh(self.release_keys)

    def report_load(self) -> None:
        from tui.screens.confirm import MessageDialog

        failures = self.session.load_failures
        if failures:
            files = "this file does not" if len(failures) == 1 else (
                f"these {len(failures)} files do not")
            self.push_screen(MessageDialog(
                f"Not opened: {files} parse. Nothing was written to them.",
                "\n".join(f.format_text() for f in failures)))
        if self.session.missing_provider is not None:
            self.notify(f"{self.session.missing_provider} does not exist: no provider was "
                        "opened. leap-tui edits an existing provider (`leap new` makes one).",
                        title="Provider", severity="warning", timeout=12)
        self.offer_new_clace()

    def get_default_screen(self) -> Screen[None]:
        """The main screen, at the bottom of the stack: the first frame is its shell (an
        empty screen composed first and the main one pushed on it cost that frame)."""
        return MainScreen(loading_text(self.paths))

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

    def _on_notify(self, event: Notify) -> None:
        """A new toast pushes out the oldest beyond MAX_TOASTS. Every toast is plain text:
        messages carry paths and TOML names ("[https]", "[keymap]") that markup would eat."""
        event.prevent_default()  # replaces App._on_notify, which would run after this
        event.notification.markup = False
        super()._on_notify(event)
        notifications = list(self._notifications)
        for old in notifications[:-MAX_TOASTS]:
            self._unnotify(old, refresh=False)
        self._refresh_notifications()

    def _remember_theme(self, theme: object) -> None:
        if self.remember_theme:
            try:
                save_theme(self.theme)
            except OSError as error:
                self.notify(f"theme not remembered: {error}", severity="warning")

    # views --------------------------------------------------------------------------------
    # Screens other than the main one are imported when first opened: off the startup path.

    def action_show_ports(self) -> None:
        from tui.core.clace_listeners import clace_listener_rows
        from tui.core.portmap import provider_port_rows
        from tui.screens.ports import PortMapScreen

        if isinstance(self.screen, PortMapScreen):
            self.pop_screen()  # F2 again: back
            return
        self.flush_edits()
        rows = []
        if self.workspace.provider is not None:
            rows += provider_port_rows(self.workspace.provider)
        if self.workspace.clace is not None:
            rows += clace_listener_rows(self.workspace.clace, self.findings)
        self._show_view(PortMapScreen(rows))

    async def on_port_table_jump(self, message: PortTable.Jump) -> None:
        from tui.screens.ports import PortMapScreen

        if isinstance(self.screen, PortMapScreen):
            self.pop_screen()
        main = self.main_screen
        if main is not None:
            await main.jump_to_port(message.row)

    def action_show_diff(self) -> None:
        from tui.screens.diff import DiffScreen

        if isinstance(self.screen, DiffScreen):
            self.pop_screen()  # F3 again: back
            return
        from tui.core.sections import unified_diffs

        self.flush_edits()
        self._show_view(DiffScreen(unified_diffs(self.workspace)))

    def _show_view(self, screen: Screen[None]) -> None:
        """The port map and the diff replace each other: one Escape leads back."""
        from tui.screens.diff import DiffScreen
        from tui.screens.ports import PortMapScreen

        if isinstance(self.screen, PortMapScreen | DiffScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def action_cursor(self, direction: str) -> None:
        action = getattr(self.focused, f"action_cursor_{direction}", None)
        if callable(action):
            action()

    # which actions are on -----------------------------------------------------------------

    def disabled_reason(self, action: str) -> str | None:
        if not self.loaded:
            return LOADING if action in NEEDS_FILES else None
        if action in getattr(self.screen, "hidden_app_actions", ()):
            return "Not on this screen: Escape leads back to the editor."
        if action == "save" and not self.session.modified_targets:
            return "Nothing to save: no file was changed since it was opened or saved."
        if action == "undo" and not self.history.can_undo:
            return "Nothing to undo."
        if action == "redo" and not self.history.can_redo:
            return "Nothing to redo."
        if action in REMOTE_ACTIONS and self.remote_offered(action):
            return self.remote_disabled_reason(action)
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in REMOTE_ACTIONS and not self.remote_offered(action):
            return False
        if action in getattr(self.screen, "hidden_app_actions", ()):
            return False  # that screen has its own keys to show in the Footer
        return None if self.disabled_reason(action) else True

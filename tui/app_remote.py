"""The app's actions on the hosts: apply, rollback, and the journal's history."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.command import CommandPalette

from tui.app_editing import EditingActions
from tui.core.errors import ConfigError
from tui.core.findings import has_errors
from tui.screens.confirm import ConfirmDialog
from tui.screens.main import MainScreen
from tui.screens.remote_messages import RemoteRunFinished

if TYPE_CHECKING:
    from tui.core.inventory import Inventory
    from tui.screens.remote_messages import RemoteSetup

# Seconds to confirm a lock-out-prone change before the hosts revert on their own (issue 4).
CONFIRM_WINDOW = 120.0
NO_INVENTORY = "needs an inventory: start leap-tui with --inventory hosts.toml."


class RemoteActions(EditingActions):
    confirm_window = CONFIRM_WINDOW
    applied_this_session = False
    _journal_knows_hosts: bool | None = None
    _journal_seen: tuple[int, int] | None = None  # the journal file's mtime and size

    def load_inventory(self) -> Inventory | None:
        """The inventory, or None with the reason shown."""
        from tui.core.inventory import load_inventory

        path = self.workspace.inventory_path
        if path is None:
            self.notify(f"Apply and rollback {NO_INVENTORY}", severity="warning", timeout=8)
            return None
        try:
            return load_inventory(path)
        except ConfigError as error:
            self.notify(str(error), title="Inventory not loaded", severity="error", timeout=10)
            return None

    def remote_setup(self, inventory: Inventory) -> RemoteSetup:
        from tui.screens.remote_messages import RemoteSetup

        workspace = self.workspace
        return RemoteSetup(
            inventory=inventory,
            clace=workspace.clace.path if workspace.clace is not None else None,
            provider=workspace.provider.root if workspace.provider is not None else None,
            confirm_window=self.confirm_window,
        )

    def action_apply(self) -> None:
        self.flush_edits()
        inventory = self.load_inventory()
        if inventory is None:
            return
        modified = self.session.modified_targets
        if not modified:
            self._start_apply(inventory)
            return

        def decided(save: bool | None) -> None:
            if not save:
                self.notify("Nothing applied: the edits are not saved.")
                return
            self.request_save(then=lambda: self._start_apply(inventory))

        names = ", ".join(self.session.display_target(t) for t in modified)
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
        if has_errors(self.session.check()):
            # Saved with errors just now (the save asked): Apply stays off.
            self.notify("Apply is off while there are errors: fix them first.",
                        severity="warning")
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

    def on_remote_run_finished(self, message: RemoteRunFinished) -> None:
        """A run on the hosts ended: what Rollback offers may have changed."""
        if message.kind != "dry-run" and any(f.status in ("applied", "rolled-back")
                                             for r in message.results for f in r.files):
            self.applied_this_session = True
        self._journal_knows_hosts = None
        self.refresh_bindings()

    def _rollback_possible(self) -> bool:
        """Something was applied: in this session, or to an inventory host per the journal."""
        if self.applied_this_session:
            return True
        from tui.core.remote.journal import Journal

        # Read again when the journal changed: a run that just ended wrote to it, whether
        # or not its RemoteRunFinished message has reached the app yet.
        try:
            stat = Journal().path.stat()
            seen: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            seen = None
        if self._journal_knows_hosts is None or seen != self._journal_seen:
            self._journal_seen = seen
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

    def remote_offered(self, action: str) -> bool:
        """Apply and rollback act from the main screen, or rollback after a finished apply
        (which it then replaces): never stacked on history, a dialog or a run."""
        # The command palette asks over the screen it was opened on: judge by that one.
        stack = [s for s in self.screen_stack if not isinstance(s, CommandPalette)]
        top = stack[-1] if stack else None
        if isinstance(top, MainScreen):
            return True
        return (action == "rollback" and getattr(top, "remote_kind", "") == "apply"
                and not getattr(top, "running", True))

    def remote_disabled_reason(self, action: str) -> str | None:
        if self.workspace.inventory_path is None:
            return f"{action.capitalize()} {NO_INVENTORY}"
        if action == "apply" and has_errors(self.session.findings):
            return "Apply is off while there are errors (✖ in the findings): fix them first."
        if action == "rollback" and not self._rollback_possible():
            return ("Nothing to roll back: nothing was applied to these hosts, in this "
                    "session or in the journal.")
        return None

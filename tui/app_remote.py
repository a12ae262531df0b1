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
    from tui.core.hosts.status import FleetStatus
    from tui.core.inventory import HostSpec, Inventory
    from tui.screens.hosts import HostListScreen
    from tui.screens.remote_messages import RemoteSetup

# The actions on hosts: offered from the main screen only (remote_offered).
REMOTE_ACTIONS = ("apply", "rollback", "hosts")
# Seconds to confirm a lock-out-prone change before the hosts revert on their own (issue 4).
CONFIRM_WINDOW = 120.0
START_WITH_HOSTS = ("start leap-tui with --inventory (hosts.toml or an Ansible inventory) "
                    "or --provider (its LEAP nodes are then the hosts).")


class RemoteActions(EditingActions):
    confirm_window = CONFIRM_WINDOW
    _fleet_status: FleetStatus | None = None
    applied_this_session = False
    _journal_knows_hosts: bool | None = None
    _journal_seen: tuple[int, int] | None = None  # the journal file's mtime and size

    def load_inventory(self) -> Inventory | None:
        """The hosts as the CLI reads them (hosts.toml, an Ansible inventory, or the open
        provider's LEAP nodes), or None with the reason shown."""
        from tui.core.hosts import load_hosts

        path = self.workspace.inventory_path
        provider = self.workspace.provider
        if path is None and provider is None:
            self.notify(f"No hosts to act on: {START_WITH_HOSTS}", severity="warning",
                        timeout=8)
            return None
        try:
            return load_hosts(path, provider.root if provider is not None else None, provider)
        except ConfigError as error:
            self.notify(str(error), title="Inventory not loaded", severity="error", timeout=10)
            return None

    @property
    def fleet_status(self) -> FleetStatus:
        """What the runs of this session found of each host's live files."""
        if self._fleet_status is None:
            from tui.core.hosts.status import FleetStatus

            self._fleet_status = FleetStatus()
        return self._fleet_status

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
        self.apply_to(None)

    def apply_to(self, names: list[str] | None, *, dry_run_only: bool = False) -> None:
        """Apply to ``names`` (every host when None), after a dry run; with
        ``dry_run_only`` the dry run alone (it reads the files as saved on disk)."""
        self.flush_edits()
        inventory = self.load_inventory()
        if inventory is None:
            return
        modified = self.session.modified_targets
        if not modified or dry_run_only:
            if modified:
                self.notify("The dry run compares the files as saved: the unsaved edits are "
                            "not part of it.", timeout=6)
            self._start_apply(inventory, names, dry_run_only=dry_run_only)
            return

        def decided(save: bool | None) -> None:
            if not save:
                self.notify("Nothing applied: the edits are not saved.")
                return
            self.request_save(then=lambda: self._start_apply(inventory, names))

        files = ", ".join(self.session.display_target(t) for t in modified)
        self.push_screen(ConfirmDialog(
            f"Unsaved edits in {files}.\nApply pushes the files as saved on disk: save them "
            "first?", yes="Save and continue", no="Cancel"), decided)

    def receiving_hosts(self, inventory: Inventory,
                        names: list[str] | None) -> list[HostSpec] | None:
        """The hosts among ``names`` that some file goes to (the others are said and left
        out, as the CLI does); None when none is left."""
        hosts = inventory.select(names)
        empty = [h.name for h in hosts if not h.files]
        hosts = [h for h in hosts if h.files]
        if not hosts:
            self.notify(f"No file goes to {', '.join(empty) or 'any host'}: give them "
                        "[[fleet.file]] rules in hosts.toml, or open the provider whose nodes "
                        "they are (docs/apply.md, Fleets).", title="Nothing to apply",
                        severity="warning", timeout=10)
            return None
        if empty:
            self.notify(f"No file goes to {', '.join(empty)}: left out.", severity="warning",
                        timeout=8)
        return hosts

    def _start_apply(self, inventory: Inventory, names: list[str] | None = None, *,
                     dry_run_only: bool = False) -> None:
        from tui.core.remote.plan import load_sources, plan
        from tui.screens.apply import ApplyScreen

        setup = self.remote_setup(inventory)
        try:
            hosts = self.receiving_hosts(inventory, names)
            if hosts is None:
                return
            sources = load_sources(inventory, hosts, clace=setup.clace,
                                   provider=setup.provider)
            plans = plan(inventory, sources, [h.name for h in hosts])
        except ConfigError as error:
            self.notify(str(error), title="Cannot apply", severity="error", timeout=10)
            return
        if not dry_run_only and has_errors(self.session.check()):
            # Saved with errors just now (the save asked): Apply stays off.
            self.notify("Apply is off while there are errors: fix them first.",
                        severity="warning")
            return
        self.push_screen(ApplyScreen(setup, plans, dry_run_only=dry_run_only))

    def action_rollback(self) -> None:
        self.rollback_of(None)

    def rollback_of(self, names: list[str] | None) -> None:
        """The rollback screen over every host, ``names`` preselected (when given)."""
        inventory = self.load_inventory()
        if inventory is None:
            return
        from tui.core.remote.journal import Journal
        from tui.screens.rollback import RollbackScreen

        if not inventory.hosts:
            self.notify("The inventory lists no hosts.", severity="warning")
            return
        screen = RollbackScreen(self.remote_setup(inventory), inventory.hosts,
                                Journal().entries(),
                                preselected=set(names) if names is not None else None)
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
        """A run on the hosts ended: what Rollback offers, and what the host list knows of
        the hosts' live files, may have changed."""
        import time

        self.fleet_status.record(message.kind, message.results,
                                 f"{message.kind} at {time.strftime('%H:%M:%S')}")
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
        from tui.core.hosts import load_hosts
        from tui.core.remote.journal import Journal

        path = self.workspace.inventory_path
        provider = self.workspace.provider
        if path is None and provider is None:
            return False
        try:
            names = {h.name for h in load_hosts(
                path, provider.root if provider is not None else None, provider).hosts}
            return any(e.host in names and e.action in ("apply", "rollback")
                       for e in Journal().entries())
        except (ConfigError, OSError):
            return False

    # the host list ---------------------------------------------------------------------

    def action_hosts(self) -> None:
        from tui.core.hosts.status import fleet_lines
        from tui.core.remote.journal import Journal
        from tui.screens.hosts import HostListScreen

        if isinstance(self.screen, HostListScreen):
            self.pop_screen()  # F8 is a priority key: it toggles rather than stacking
            return
        inventory = self.load_inventory()
        if inventory is None:
            return
        provider = self.workspace.provider
        self.push_screen(HostListScreen(
            lambda: fleet_lines(inventory.hosts, provider, Journal().entries(),
                                self.fleet_status), list(inventory.notes)))

    def on_host_list_screen_act(self, message: HostListScreen.Act) -> None:
        if message.action == "rollback":
            self.rollback_of(message.names)
        else:
            self.apply_to(message.names, dry_run_only=message.action == "dry-run")

    # which actions are offered ----------------------------------------------------------

    def remote_offered(self, action: str) -> bool:
        """Apply, rollback and the host list act from the main screen; rollback also after
        a finished apply (which it then replaces), the host list key also on the host list
        (it closes it): never stacked on history, a dialog or a run."""
        # The command palette asks over the screen it was opened on: judge by that one.
        stack = [s for s in self.screen_stack if not isinstance(s, CommandPalette)]
        top = stack[-1] if stack else None
        if isinstance(top, MainScreen):
            return True
        kind = getattr(top, "remote_kind", "")
        if action == "hosts":
            return kind == "hosts"
        return action == "rollback" and kind == "apply" and not getattr(top, "running", True)

    def remote_disabled_reason(self, action: str) -> str | None:
        if self.workspace.inventory_path is None and self.workspace.provider is None:
            what = "The host list" if action == "hosts" else action.capitalize()
            return f"{what} needs hosts: {START_WITH_HOSTS}"
        if action == "apply" and has_errors(self.session.findings):
            return "Apply is off while there are errors (✖ in the findings): fix them first."
        if action == "rollback" and not self._rollback_possible():
            return ("Nothing to roll back: nothing was applied to these hosts, in this "
                    "session or in the journal.")
        return None

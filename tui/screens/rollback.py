"""Rollback: pick hosts and what to restore, one key, a confirmation, progress.

What to restore, as the CLI offers it: undo the last run (each host as it was before the
last apply that changed it and is not rolled back yet; the default when there is one),
the newest backup on each host, or the backups of one earlier run (a generation).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import OptionList, SelectionList
from textual.widgets.option_list import Option

from tui.core.remote.journal import restored_backups
from tui.core.remote.run_undo import RunChanges, last_run
from tui.core.remote.watchdog import backup_stamp
from tui.screens.confirm import ConfirmDialog
from tui.screens.remote_messages import RemoteSetup
from tui.screens.remote_run import RemoteRunScreen

if TYPE_CHECKING:
    from tui.core.inventory import HostSpec
    from tui.core.remote.journal import JournalEntry
    from tui.core.remote.protocol import HostResult

NEWEST = "newest"
UNDO = "undo"
_KEPT = frozenset({"applied", "confirmed"})


@dataclass(slots=True)
class Generation:
    """One apply run's backups: per host, the stamp of the generation it left."""

    run: str
    time: str
    stamps: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        when = self.time.replace("T", " ").removesuffix("Z")
        return f"{when}  run {self.run[:6]}  {', '.join(sorted(self.stamps))}"


def generations(entries: Sequence[JournalEntry], hosts: Sequence[str]) -> list[Generation]:
    """Backups left by applies to ``hosts``, newest first, minus those a rollback used up."""
    wanted = set(hosts)
    restored = restored_backups(list(entries))
    found: dict[str, Generation] = {}
    for entry in entries:
        if (entry.action != "apply" or entry.result not in _KEPT or entry.host not in wanted
                or entry.backup is None or entry.backup in restored):
            continue
        stamp = backup_stamp(entry.backup)
        if stamp is None:
            continue
        generation = found.setdefault(entry.run, Generation(entry.run, entry.time))
        generation.stamps[entry.host] = stamp
    return sorted(found.values(), key=lambda g: g.time, reverse=True)


class RollbackScreen(RemoteRunScreen):
    remote_kind = "rollback"
    BINDINGS = [
        Binding("g,f5", "go", "Roll back", id="rollback-go", priority=True,
                tooltip="Restore the chosen generation on the chosen hosts (asks first)"),
    ]

    def __init__(self, setup: RemoteSetup, hosts: Sequence[HostSpec],
                 entries: Sequence[JournalEntry], *,
                 preselected: set[str] | None = None) -> None:
        super().__init__(setup)
        self.hosts = list(hosts)
        names = [h.name for h in self.hosts]
        self.generations = generations(entries, names)
        self.undo = last_run(entries, names)
        journaled = {e.host for e in entries}
        # Preselect the hosts chosen in the host list; else those leap-tui has touched;
        # all of them when it has touched none.
        self.preselected = preselected if preselected is not None else (
            {h.name for h in self.hosts if h.name in journaled} or set(names))

    def compose_controls(self) -> ComposeResult:
        with Horizontal(id="rollback-pick"):
            yield SelectionList[str](
                *[(h.name, h.name, h.name in self.preselected) for h in self.hosts],
                id="rollback-hosts")
            yield OptionList(*self._generation_options(), id="rollback-generation")

    def _generation_options(self) -> list[Option]:
        undo = []
        if self.undo is not None:
            when = self.undo.time.replace("T", " ").removesuffix("Z")[5:16]
            hosts = ", ".join(sorted(self.undo.backups))
            undo = [Option(f"Undo the last run {self.undo.run[:6]} ({when}): {hosts}",
                           id=UNDO)]
        return [*undo, Option("Newest backup on each host", id=NEWEST),
                *[Option(g.label, id=g.run) for g in self.generations]]

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = "Rollback"
        self.query_one("#rollback-hosts", SelectionList).border_title = "hosts (space toggles)"
        generation_list = self.query_one("#rollback-generation", OptionList)
        generation_list.border_title = "restore"
        generation_list.highlighted = 0
        self.progress.start([h.name for h in self.hosts if h.name in self.preselected])
        self.say("Pick hosts and what to restore, then g (or F5) rolls back.")
        self.query_one("#rollback-hosts", SelectionList).focus()

    # choices ------------------------------------------------------------------------------

    @property
    def chosen_hosts(self) -> list[HostSpec]:
        selected = set(self.query_one("#rollback-hosts", SelectionList).selected)
        return [h for h in self.hosts if h.name in selected]

    @property
    def chosen_option(self) -> str:
        """UNDO, NEWEST or the run of a generation."""
        option_list = self.query_one("#rollback-generation", OptionList)
        index = option_list.highlighted
        if index is None:
            return NEWEST
        return option_list.get_option_at_index(index).id or NEWEST

    @property
    def chosen_undo(self) -> RunChanges | None:
        return self.undo if self.chosen_option == UNDO else None

    @property
    def chosen_generation(self) -> Generation | None:
        run = self.chosen_option
        return next((g for g in self.generations if g.run == run), None)

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[str]
                                           ) -> None:
        if not self.running:
            self.progress.start([h.name for h in self.chosen_hosts])

    # go -----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go":
            return not self.running
        return super().check_action(action, parameters)

    def action_go(self) -> None:
        hosts = self.chosen_hosts
        generation = self.chosen_generation
        undo = self.chosen_undo
        if generation is not None:
            hosts = [h for h in hosts if h.name in generation.stamps]
        if not hosts:
            self.notify("Choose at least one host (that has this generation).",
                        severity="warning")
            return
        which = "the newest backup" if generation is None else (
            f"the files as they were before run {generation.run[:8]} ({generation.time})")
        if undo is not None:
            which = f"the files as they were before run {undo.run[:8]} ({undo.time})"
            untouched = [h.name for h in hosts if h.name not in undo.backups]
            if untouched:
                which += (f" (it did not change {', '.join(untouched)}: nothing to roll back "
                          "there)")
        names = ", ".join(h.name for h in hosts)

        def decided(yes: bool | None) -> None:
            if yes:
                self._start(hosts, generation, undo)

        self.app.push_screen(ConfirmDialog(
            f"Restore {which} on {names}?\nThe live files are replaced; the current ones "
            "stay in the local journal.", yes="Roll back", no="Cancel"), decided)

    def _start(self, hosts: list[HostSpec], generation: Generation | None,
               undo: RunChanges | None = None) -> None:
        self.clear_output()
        self.say(f"Rolling back {', '.join(h.name for h in hosts)}…")

        def job() -> list[HostResult]:
            from tui.core.remote.fleet import rollback_fleet

            options = self.run_options()
            if generation is None:
                # Undo: each host back to before that run; the others are said untouched.
                return rollback_fleet(hosts, options, undo=undo)
            # Each host's backup of that run has its own stamp: one rollback per host.
            with ThreadPoolExecutor(max_workers=min(16, len(hosts))) as pool:
                groups = pool.map(lambda h: rollback_fleet(
                    [h], options, to=generation.stamps[h.name]), hosts)
                return [result for group in groups for result in group]

        self.start_run("rollback", [h.name for h in hosts], job)

    def run_ended(self, kind: str, results: list[HostResult], error: str) -> None:
        if error:
            self.say(f"✖ {error}")
            return
        self.mount_results(results)
        self._reload_generations()
        failed = [r for r in results if not r.ok]
        untouched = [r.host for r in results if r.status == "unchanged"]
        rolled = len(results) - len(untouched) - len(failed)
        nothing = f" Nothing to roll back on {', '.join(untouched)}." if untouched else ""
        if failed:
            self.say(f"✖ {len(failed)} of {len(results)} host(s) failed: see the table."
                     f"{nothing}")
        else:
            self.say(f"✔ Rolled back {rolled} host(s).{nothing} Escape closes.")

    def _reload_generations(self) -> None:
        """A rollback used up the generation it restored: offer only what is left."""
        from tui.core.remote.journal import Journal

        entries = Journal().entries()
        self.generations = generations(entries, [h.name for h in self.hosts])
        self.undo = last_run(entries, [h.name for h in self.hosts])
        option_list = self.query_one("#rollback-generation", OptionList)
        option_list.clear_options()
        option_list.add_options(self._generation_options())
        option_list.highlighted = 0

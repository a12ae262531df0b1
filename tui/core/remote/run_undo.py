"""Which backups undo a run: rollback restores each host as it was before that run.

"The newest backup on each host" is not that after a partial failure: a host the failed
run never changed would be taken one generation further back than the operator asked.
So rollback works from the journal: the last apply run with a change still undoable
(kept, its backup not used up by a rollback since), and per host the backup that run
made of each file. A host the run did not change has nothing to roll back from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tui.core.remote.journal import outcomes, restored_backups
from tui.core.remote.journal_entry import JournalEntry

# A change whose host may still have the run's bytes: kept, or left to a watchdog (the
# rollback then finds out on the host whether the backup is still there).
_LIVE = frozenset({"applied", "confirmed", "pending", "unconfirmed"})


@dataclass(slots=True)
class RunChanges:
    """One apply run's changes per host: the backup of each file, and files it created."""

    run: str
    time: str
    backups: dict[str, dict[str, str]] = field(default_factory=dict)
    created: dict[str, list[str]] = field(default_factory=dict)

    def hosts(self) -> set[str]:
        return set(self.backups) | set(self.created)


def _undoable(entries: Sequence[JournalEntry], hosts: set[str]) -> list[JournalEntry]:
    restored = restored_backups(list(entries))
    return [e for e in outcomes(list(entries))
            if e.action == "apply" and e.host in hosts and e.result in _LIVE
            and e.before != e.after and (e.backup is None or e.backup not in restored)]


def last_run(entries: Sequence[JournalEntry], hosts: Sequence[str]) -> RunChanges | None:
    """The last apply run that changed any of ``hosts`` and is not rolled back yet."""
    undoable = [e for e in _undoable(entries, set(hosts)) if e.backup is not None]
    if not undoable:
        return None
    return run_changes(entries, undoable[-1].run, hosts)


def run_changes(entries: Sequence[JournalEntry], run: str,
                hosts: Sequence[str]) -> RunChanges:
    changes = RunChanges(run, "")
    for entry in _undoable(entries, set(hosts)):
        if entry.run != run:
            continue
        changes.time = changes.time or entry.time
        if entry.backup is not None:
            changes.backups.setdefault(entry.host, {})[entry.path] = entry.backup
        else:
            changes.created.setdefault(entry.host, []).append(entry.path)
    return changes


def nothing_to_undo(changes: RunChanges, host: str) -> str:
    """Why ``host`` is left alone by a rollback of ``changes.run``."""
    created = changes.created.get(host)
    if created:
        return (f"run {changes.run} created {', '.join(created)} on {host}: there is no "
                "earlier version to restore (remove the file by hand if it must go)")
    return f"nothing to roll back from run {changes.run}: it did not change {host}"

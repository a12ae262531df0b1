"""The per-host apply and rollback protocol: stage, back up, arm, swap, reload, confirm, record.

Every step up to the rename leaves the live file untouched; the rename itself is atomic; a
failure after it puts the backup back. With a confirm window a watchdog on the host does
that on its own when leap-tui does not confirm over a *new* connection in time.

Each step lives in a module of its own (step_connect, step_plan, step_transfer, step_swap,
step_confirm); HostOperation exposes them as methods so that a UI (or a test) can drive
them one by one, and ``run()`` does them all and turns every failure into a HostResult.
"""

from __future__ import annotations

import contextlib
import stat
import time

import paramiko

from tui.core.findings import Severity
from tui.core.inventory import HostSpec
from tui.core.remote import (
    step_confirm,
    step_connect,
    step_lock,
    step_plan,
    step_preflight,
    step_swap,
    step_transfer,
)
from tui.core.remote.errors import NothingToRestore, RemoteError
from tui.core.remote.host_state import FileState, HostState, NotConfirmed
from tui.core.remote.journal import JournalError, sha256
from tui.core.remote.outcome import (
    DEFAULT_LOCKOUT_WINDOW,
    DEFAULT_SAFETY_WINDOW,
    KEEP_BACKUPS,
    OK_STATUSES,
    Confirm,
    FileOutcome,
    HostResult,
    OnEvent,
    RunOptions,
    journal_detail,
    unified_diff,
)
from tui.core.remote.plan import FileChange, HostPlan
from tui.core.remote.run_undo import RunChanges
from tui.core.remote.watchdog import backup_stamp

__all__ = [
    "DEFAULT_LOCKOUT_WINDOW", "DEFAULT_SAFETY_WINDOW", "KEEP_BACKUPS", "OK_STATUSES", "Confirm",
    "FileOutcome", "HostOperation", "HostResult", "OnEvent", "RollbackOperation", "RunOptions",
    "journal_detail", "unified_diff",
]


class HostOperation(HostState):
    """One host's apply (or, as RollbackOperation, rollback), step by step."""

    def connect(self) -> None:
        step_connect.open_session(self)

    def begin(self) -> None:
        """Lock the targets and gather the preflight's facts, in one command."""
        if self.options.dry_run:
            step_lock.peek(self)
        step_preflight.begin(self)

    def preflight(self) -> None:
        step_preflight.judge(self)

    def inspect(self) -> None:
        step_plan.inspect(self)

    def stage(self) -> None:
        step_transfer.stage(self)

    def swap(self) -> None:
        step_swap.swap(self)

    def confirm(self) -> None:
        step_confirm.confirm(self)

    def check_drift(self, state: FileState) -> None:
        step_plan.check_apply_drift(self, state)

    def after_success(self, changed: list[FileState]) -> None:
        for state in changed:
            self._prune_backups(state.target)

    # -- 6. record -----------------------------------------------------------------------

    def finish(self) -> None:
        changed = [s for s in self.files if s.swapped]
        for state in changed:
            if self.window is None:  # with a window, "confirmed" was journaled
                self.journal(state, "applied" if self.action == "apply" else "rolled-back",
                             before=state.old, after=state.change.new, backup=state.backup)
        if self.conn is not None and self.conn.alive:
            try:
                self.after_success(changed)
            except (paramiko.SSHException, EOFError, OSError, RemoteError) as exc:
                # The change is in place and journaled: tidying the old backups is not worth
                # calling the host failed (the next run prunes them).
                self.finding("AP007", Severity.WARNING,
                             f"connection lost after the change was in place "
                             f"({exc or type(exc).__name__}): old backups not pruned",
                             hint="the next run prunes them")
        for state, outcome in zip(self.files, self.result.files, strict=False):
            if state.swapped:
                outcome.status = "rolled-back" if self.action == "rollback" else "applied"
                outcome.backup = state.backup
        self.result.status = (("rolled-back" if self.action == "rollback" else "applied")
                              if changed else "unchanged")
        self.emit("done", self.result.status)

    def _prune_backups(self, target: str) -> None:
        for old in self.list_backups(target)[:-self.options.keep_backups or None]:
            with contextlib.suppress(OSError):
                self.live.sftp.remove(old)

    # -- all of it -----------------------------------------------------------------------

    def close(self) -> None:
        if self.conn is not None:
            if self.conn.alive:
                with contextlib.suppress(RemoteError):
                    self.conn.abandon()  # the lock's command, if it still waits: it ends
                for state in self.files:
                    leftovers = [state.tmp]
                    if not state.swapped and self.watchdog is None:
                        # This run's backup of a file it never replaced: a copy of the live
                        # file that rollback would take for the newest generation.
                        leftovers.append(state.backup)
                        state.backup = None
                    for leftover in leftovers:
                        if leftover is not None:
                            with contextlib.suppress(OSError, EOFError):
                                self.live.sftp.remove(leftover)
                step_lock.release(self)
            self.conn.close()
            self.conn = None

    def run(self) -> HostResult:
        try:
            self.connect()
            self.begin()
            self.inspect()
            self.preflight()
            if self.options.dry_run:
                self.result.status = "dry-run"
                self.emit("done", "dry-run")
            elif not any(s.changed for s in self.files):
                self.result.status = "unchanged"
                self.emit("done", "unchanged")
            else:
                self.stage()
                self.swap()
                self.confirm()
                self.finish()
        except NotConfirmed as exc:
            self.result.status = "reverted"
            self.result.message = str(exc)
            self.finding(exc.code, Severity.ERROR, str(exc),
                         hint="the previous files are back (or will be at the deadline)")
            self.emit("failed", str(exc))
        except (paramiko.SSHException, EOFError, OSError) as exc:
            self.result.status = "failed"
            self.result.message = f"connection lost: {exc or type(exc).__name__}"
            self.finding("AP007", Severity.ERROR, self.result.message)
            self.emit("failed", self.result.message)
        except step_preflight.PreflightFailed as exc:  # its findings are in the result
            self.result.status = "failed"
            self.result.message = exc.message
            self.emit("failed", exc.message)
        except RemoteError as exc:
            self.result.status = "failed"
            self.result.message = exc.message
            self.finding(exc.code, Severity.ERROR, exc.message, hint=exc.hint)
            self.emit("failed", exc.message)
        except JournalError as exc:
            self.result.status = "failed"
            self.result.message = f"the local journal failed: {exc}"
            if any(s.swapped for s in self.files):
                self.result.message += "; this change on the host is not recorded"
            self.finding("AP015", Severity.ERROR, self.result.message,
                         hint="fix the journal file (or $LEAP_TUI_STATE_DIR) and check the host")
            self.emit("failed", self.result.message)
        except Exception as exc:  # one host's surprise must not stop the fleet
            self.result.status = "failed"
            self.result.message = f"unexpected failure: {exc or type(exc).__name__}"
            self.finding("AP013", Severity.ERROR, self.result.message)
            self.emit("failed", self.result.message)
        finally:
            with contextlib.suppress(Exception):
                self.close()
            self.result.seconds = time.monotonic() - self.started
        return self.result


class RollbackOperation(HostOperation):
    """Restore a generation backup through the same protocol; the generation is consumed.

    The live file replaced by a rollback is kept only while a confirm window runs (the
    watchdog needs it); afterwards it is in the local journal's blobs, not on the host,
    so that rolling back twice goes two generations back instead of toggling.
    """

    action = "rollback"

    def __init__(self, host: HostSpec, options: RunOptions, *, to: str | None = None,
                 undo: RunChanges | None = None) -> None:
        changes = tuple(FileChange(spec, b"") for spec in host.files)
        super().__init__(HostPlan(host, changes), options)
        self.to = to
        # Given: restore exactly the backups that run made on this host (run_undo.py).
        self.undo = undo

    def _pick(self, target: str) -> str | None:
        backups = self.list_backups(target)
        if self.undo is not None:
            wanted = self.undo.backups.get(self.name, {}).get(target)
            if wanted is not None and wanted not in backups:
                raise RemoteError(f"the backup {wanted} that run {self.undo.run} made is gone "
                                  f"from {self.name}",
                                  hint="the host may have reverted that run by itself; "
                                  "`leap-tui history` shows it, --to picks a generation")
            return wanted
        if self.to is not None:
            backups = [b for b in backups if (backup_stamp(b) or "").startswith(self.to)]
        return backups[-1] if backups else None

    def prepare_new(self) -> None:
        chosen: list[FileState] = []
        for state in self.files:
            pick = self._pick(state.target)
            if pick is None:
                continue
            state.consumes = pick
            state.change = FileChange(state.change.spec, self.read_remote(pick))
            st = self.live.sftp.stat(pick)
            # The generation's own owner and mode come back with it.
            state.mode = stat.S_IMODE(st.st_mode) if st.st_mode is not None else state.mode
            state.uid, state.gid = st.st_uid, st.st_gid
            chosen.append(state)
        if not chosen:
            targets = ", ".join(s.target for s in self.files)
            if self.to:
                raise NothingToRestore(f"nothing to roll back on {self.name}: no backup of "
                                       f"{targets} matching {self.to}",
                                       hint="`leap-tui history` lists the backups' stamps")
            raise NothingToRestore(f"nothing to roll back on {self.name}: no leap-tui backup "
                                   f"of {targets} is left (each rollback uses one up)",
                                   hint="`leap-tui history` shows what was applied and "
                                   "rolled back")
        self.files = chosen
        for state in self.files:
            self.emit("read", f"{state.target} <- {state.consumes}")

    def check_drift(self, state: FileState) -> None:
        """Rolling back is the answer to drift, so it is reported but never blocks."""
        expected = self.options.journal.expected_hashes(self.name, state.target)
        if expected is not None and sha256(state.old) not in expected:
            self.finding("AP003", Severity.WARNING,
                         f"{state.target} had changed on the host; that version is in the "
                         "local journal's blobs", file=state.target)
            if state.old is not None:
                self.options.journal.store_blob(state.old)

    def after_success(self, changed: list[FileState]) -> None:
        for state in changed:
            for leftover in (state.consumes, state.backup):
                if leftover is not None:
                    with contextlib.suppress(OSError):
                        self.live.sftp.remove(leftover)
            state.backup = None

"""One host's run as the steps see it: its files, its session, its result so far.

The steps (step_connect, step_plan, step_transfer, step_swap, step_confirm) are functions
over a HostState; HostOperation (protocol.py) strings them together. What differs between
apply and rollback are the three hooks at the end of the class.
"""

from __future__ import annotations

import posixpath
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import paramiko

from tui.core.findings import Finding, Severity
from tui.core.inventory import HostSpec
from tui.core.remote.changes import LockoutRisk, node_connection_defaults, pinned_host_key_lines
from tui.core.remote.errors import ConnectError, RemoteError
from tui.core.remote.host_lock import LockRequest
from tui.core.remote.hostkeys import parse_public_key
from tui.core.remote.journal import sha256
from tui.core.remote.outcome import HostResult, RunOptions, journal_detail
from tui.core.remote.placeholders import PlaceholderError, substitute
from tui.core.remote.plan import FileChange, HostPlan
from tui.core.remote.preflight import Facts
from tui.core.remote.ssh import CommandResult, Connection, Endpoint
from tui.core.remote.watchdog import Watchdog, backup_re


class NotConfirmed(Exception):
    """The change was not kept: reverted now, or by the host at its deadline. ``code`` is
    AP009, or AP016 when a health probe failed."""

    def __init__(self, message: str, code: str = "AP009") -> None:
        super().__init__(message)
        self.code = code


@dataclass(slots=True)
class FileState:
    change: FileChange
    old: bytes | None = None
    mode: int | None = None
    uid: int | None = None
    gid: int | None = None
    tmp: str | None = None
    backup: str | None = None
    swapped: bool = False
    consumes: str | None = None  # rollback: the generation restored, removed once kept

    @property
    def target(self) -> str:
        return self.change.spec.target

    @property
    def changed(self) -> bool:
        return self.old != self.change.new


def clock(moment: float) -> str:
    """A deadline as the operator's wall clock shows it (HH:MM:SS, local time)."""
    return time.strftime("%H:%M:%S", time.localtime(moment))


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


class HostState:
    """The state every step reads and updates; ``action`` is "apply" or "rollback"."""

    action = "apply"

    def __init__(self, plan: HostPlan, options: RunOptions) -> None:
        self.plan = plan
        self.host: HostSpec = plan.host
        self.options = options
        self.name = plan.host.name
        self.stamp = _stamp()
        self.conn: Connection | None = None
        self.endpoint: Endpoint | None = None
        self.files = [FileState(change) for change in plan.changes]
        self.result = HostResult(self.name, "failed")
        self.risks: list[LockoutRisk] = []
        self.window: float | None = None
        self.watchdog: Watchdog | None = None
        # True when the watchdog is only the safety net of a multi-step swap: leap-tui
        # confirms it itself over the same session as soon as the reload succeeded.
        self.safety_net = False
        self.safety_confirmation: CommandResult | None = None
        self.lock: LockRequest | None = None  # the host's locks, while this run holds them
        self.facts: Facts | None = None  # what the preflight gathered (preflight.py)
        self.cert_dir: str | None = None  # the certificate directory those facts cover
        self.started = time.monotonic()

    def emit(self, stage: str, detail: str = "") -> None:
        self.options.on_event(self.name, stage, detail)

    def finding(self, code: str, severity: Severity, message: str, *, file: str | None = None,
                hint: str = "") -> None:
        self.result.findings.append(Finding(code, severity, message, file=file, hint=hint,
                                            node=self.host.leap_node))

    @property
    def live(self) -> Connection:
        if self.conn is None:
            raise ConnectError(f"{self.name}: not connected")
        return self.conn

    def node_defaults(self, node: str | None) -> tuple[str | None, int | None]:
        if node is None:
            return None, None
        return node_connection_defaults(self.options.provider, node, self.options.provider_root)

    def pinned(self, node: str | None) -> list[paramiko.PKey]:
        if node is None:
            return []
        keys = [parse_public_key(line)
                for line in pinned_host_key_lines(self.options.provider_root, node)]
        return [k for k in keys if k is not None]

    def journal(self, state: FileState, result: str, *, before: bytes | None,
                after: bytes | None, backup: str | None, detail: str = "") -> None:
        if self.action == "rollback" and result in ("confirmed", "rolled-back"):
            # A kept rollback removes its copy of the file it replaced (after_success):
            # the journal must not name a backup that `rollback --to` cannot find.
            backup = None
        if after is not None:
            self.options.journal.store_blob(after)
        if before is not None:
            self.options.journal.store_blob(before)
        self.options.journal.record(run=self.options.run_id, action=self.action, host=self.name,
                                    path=state.target, before=sha256(before), after=sha256(after),
                                    backup=backup, result=result, detail=journal_detail(detail))

    def command(self, command: str, what: str, *, follow_on: bool = False) -> CommandResult:
        """``command`` over the session; a session that died under it (no exit status) is
        a lost connection, named as such, never "``what`` failed (exit -1)". With
        ``follow_on``, sent to the command the lock left open when it still waits (see
        step_lock), else run as a command of its own."""
        waiting = self.live.open_command
        if follow_on and waiting is not None and waiting.waiting:
            result = waiting.finish(command)
        else:
            result = self.live.run(command)
        if result.status < 0:
            # No exit status: the session died, or the command was killed by a signal.
            try:
                self.live.run("true")
            except ConnectError:
                raise ConnectError(f"connection lost during {what}") from None
        return result

    def read_remote(self, path: str) -> bytes:
        with self.live.sftp.open(path, "rb") as handle:
            data: bytes = handle.read()
        return data

    def list_backups(self, target: str) -> list[str]:
        directory, name = posixpath.split(target)
        pattern = backup_re(name)
        try:
            names = self.live.sftp.listdir(directory)
        except OSError:
            return []
        return sorted(posixpath.join(directory, n) for n in names if pattern.match(n))

    @staticmethod
    def reload_commands(states: list[FileState]) -> list[str]:
        """The files' reload commands, placeholders substituted, each once."""
        commands: list[str] = []
        for state in states:
            reload = state.change.spec.reload
            if not reload:
                continue
            try:
                command = substitute(reload, {"path": state.target, "target": state.target})
            except PlaceholderError as exc:
                raise RemoteError(f"reload of {state.target} not run: {exc}") from None
            if command not in commands:
                commands.append(command)
        return commands

    # -- what apply and rollback do differently ------------------------------------------

    def prepare_new(self) -> None:
        """Choose the new bytes once the live files are read (apply: the plan's)."""

    def check_drift(self, state: FileState) -> None:
        """Refuse (or note) a live file changed since leap-tui put it there."""

    def after_success(self, changed: list[FileState]) -> None:
        """Tidy the host once the change is kept."""

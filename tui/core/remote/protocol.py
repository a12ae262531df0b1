"""The per-host apply and rollback protocol: stage, back up, arm, swap, reload, confirm, record.

Every step up to the rename leaves the live file untouched; the rename itself is atomic; a
failure after it puts the backup back. With a confirm window a watchdog on the host does
that on its own when leap-tui does not confirm over a *new* connection in time.

The steps are methods of HostOperation so that a UI (or a test) can drive them one by one;
``run()`` does them all and turns every failure into a HostResult.
"""

from __future__ import annotations

import contextlib
import difflib
import posixpath
import stat
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import paramiko

from tui.core.findings import Finding, Severity
from tui.core.inventory import CLACE_SOURCE, HostSpec, Inventory
from tui.core.remote.cert_preflight import host_certificates
from tui.core.remote.changes import (
    DEFAULT_SSH_PORT,
    LockoutRisk,
    ProviderLike,
    inherited_ssh_port,
    lockout_risks,
    node_connection_defaults,
    node_file_ssh_port,
    pinned_host_key_lines,
    ssh_port_risks,
)
from tui.core.remote.errors import (
    ConnectError,
    DriftError,
    ReloadError,
    RemoteError,
    ValidateError,
    WatchdogPending,
)
from tui.core.remote.hostkeys import parse_public_key
from tui.core.remote.journal import SETTLED, UNSETTLED, Journal, sha256
from tui.core.remote.plan import FileChange, HostPlan
from tui.core.remote.ssh import (
    CommandResult,
    Connection,
    Endpoint,
    SshOptions,
    configured_port,
    connect,
    quote,
    resolve_endpoint,
)
from tui.core.remote.watchdog import (
    UPLOAD_TMP_RE,
    WATCHDOG_RE,
    Watchdog,
    WatchedFile,
    backup_name,
    backup_re,
    backup_stamp,
    parse_watchdog,
)

# on_event(host, stage, detail): progress for a UI; called from the worker thread.
OnEvent = Callable[[str, str, str], None]
# confirm(host, deadline as time.time()) -> True to keep the change. Called only after a new
# connection with the new settings succeeded; False (or no answer in time) reverts.
Confirm = Callable[[str, float], bool]

DEFAULT_LOCKOUT_WINDOW = 120.0
# The safety net of a swap with several files or a reload and no confirm window: long
# enough for the reload commands, short enough that a host cut off mid-swap comes back soon.
DEFAULT_SAFETY_WINDOW = 90.0
# Journal details hold at most this much of a command's output (it may echo secrets).
_DETAIL_LIMIT = 160
_CONFIRM_MARK = "leap-tui-safety-confirm:"
KEEP_BACKUPS = 5
_CHUNK = 1 << 20
_NEW_FILE_MODE = 0o644
# An upload temporary file this old was left by a run whose connection was cut.
STALE_TMP_SECONDS = 900

OK_STATUSES = frozenset({"applied", "unchanged", "dry-run", "rolled-back"})


def _no_event(host: str, stage: str, detail: str) -> None:
    return None


@dataclass(slots=True)
class RunOptions:
    """Everything a run shares across hosts."""

    ssh: SshOptions
    journal: Journal
    inventory: Inventory
    on_event: OnEvent = _no_event
    confirm: Confirm | None = None  # None: confirm once the new connection works (--yes)
    force: bool = False
    dry_run: bool = False
    confirm_within: float | None = None  # given: every host gets the window
    lockout_window: float = DEFAULT_LOCKOUT_WINDOW
    keep_backups: int = KEEP_BACKUPS
    provider: ProviderLike | None = None
    provider_root: Path | None = None
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    safety_window: float = DEFAULT_SAFETY_WINDOW


@dataclass(slots=True)
class FileOutcome:
    target: str
    status: str
    before: str | None = None
    after: str | None = None
    backup: str | None = None
    diff: str = ""


@dataclass(slots=True)
class HostResult:
    host: str
    status: str  # applied | unchanged | dry-run | rolled-back | failed | reverted | skipped
    message: str = ""
    findings: list[Finding] = field(default_factory=list)
    files: list[FileOutcome] = field(default_factory=list)
    lockout: list[str] = field(default_factory=list)
    seconds: float = 0.0
    certificates: str = ""  # the preflight's report of the host's cert_location ("" if not read)

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    @property
    def diff(self) -> str:
        return "".join(f.diff for f in self.files)


@dataclass(slots=True)
class _FileState:
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


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def unified_diff(label: str, old: bytes | None, new: bytes | None,
                 old_name: str = "live", new_name: str = "new") -> str:
    a = (old or b"").decode("utf-8", "replace").splitlines(keepends=True)
    b = (new or b"").decode("utf-8", "replace").splitlines(keepends=True)
    lines = difflib.unified_diff(a, b, f"{label} ({old_name})", f"{label} ({new_name})")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def journal_detail(text: str, limit: int = _DETAIL_LIMIT) -> str:
    """``text`` cut to its start and a short tail: command output may echo secrets, and the
    journal keeps forever what the result table shows once."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = limit * 2 // 3
    return text[:head] + " ... " + text[-(limit - head - 5):]


class HostOperation:
    """One host's apply (``rollback_to`` unset) or rollback, step by step."""

    action = "apply"

    def __init__(self, plan: HostPlan, options: RunOptions) -> None:
        self.plan = plan
        self.host: HostSpec = plan.host
        self.options = options
        self.name = plan.host.name
        self.stamp = _stamp()
        self.conn: Connection | None = None
        self.endpoint: Endpoint | None = None
        self.files = [_FileState(change) for change in plan.changes]
        self.result = HostResult(self.name, "failed")
        self.risks: list[LockoutRisk] = []
        self.window: float | None = None
        self.watchdog: Watchdog | None = None
        # True when the watchdog is only the safety net of a multi-step swap: leap-tui
        # confirms it itself over the same session as soon as the reload succeeded.
        self.safety_net = False
        self._safety_confirmation: CommandResult | None = None
        self._started = time.monotonic()

    # -- helpers -------------------------------------------------------------------------

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

    def _node_defaults(self, node: str | None) -> tuple[str | None, int | None]:
        if node is None:
            return None, None
        return node_connection_defaults(self.options.provider, node, self.options.provider_root)

    def _pinned(self, node: str | None) -> list[paramiko.PKey]:
        if node is None:
            return []
        keys = [parse_public_key(line)
                for line in pinned_host_key_lines(self.options.provider_root, node)]
        return [k for k in keys if k is not None]

    def _journal(self, state: _FileState, result: str, *, before: bytes | None,
                 after: bytes | None, backup: str | None, detail: str = "") -> None:
        if after is not None:
            self.options.journal.store_blob(after)
        if before is not None:
            self.options.journal.store_blob(before)
        self.options.journal.record(run=self.options.run_id, action=self.action, host=self.name,
                                    path=state.target, before=sha256(before), after=sha256(after),
                                    backup=backup, result=result, detail=journal_detail(detail))

    # -- 1. connect ----------------------------------------------------------------------

    def connect(self) -> None:
        self.emit("connect", "")
        node_defaults = self._node_defaults(self.host.leap_node)
        resolved = resolve_endpoint(self.host, ssh_config=self.options.ssh.ssh_config,
                                    node_defaults=node_defaults)
        candidates = [resolved.with_port(p) for p in self.first_ports(resolved, node_defaults[0])]
        names = [c.known_hosts_name for c in candidates]
        refused: ConnectError | None = None
        for endpoint in candidates:
            self.emit("connect", f"{endpoint.user}@{endpoint.hostname}:{endpoint.port}")
            try:
                # The other candidates are the same host on another port: the key it is
                # known by there proves it here too.
                self.conn = connect(endpoint, self.options.ssh,
                                    aliases=[n for n in names if n != endpoint.known_hosts_name],
                                    pinned=self._pinned(self.host.leap_node))
            except ConnectError as exc:
                refused = exc
                continue
            self.endpoint = endpoint
            return
        assert refused is not None
        raise refused

    def first_ports(self, resolved: Endpoint, node_address: str | None) -> list[int]:
        """Ports to try, in order, for the first connection.

        The inventory's or ~/.ssh/config's port is the only one when set. Otherwise the port
        comes from the LEAP node *as edited*, which may be a move not live yet: first the
        port the node file last applied (journal) says sshd listens on, then the edited
        port, then 22.
        """
        node = self.host.leap_node
        if node is None or configured_port(self.host, ssh_config=self.options.ssh.ssh_config,
                                           node_address=node_address) is not None:
            return [resolved.port]
        ports: list[int] = []
        for port in [*self._applied_ssh_ports(node), resolved.port, DEFAULT_SSH_PORT]:
            if port not in ports:
                ports.append(port)
        return ports

    def _applied_ssh_ports(self, node: str) -> list[int]:
        """``ssh.port`` of node ``node``'s file as leap-tui last left it on any host."""
        source = f"nodes/{node}.json"
        places = {(h.name, f.target) for h in self.options.inventory.hosts for f in h.files
                  if f.source == source}
        if not places:
            return []
        journal = self.options.journal
        for entry in reversed(journal.entries()):
            if (entry.host, entry.path) not in places or entry.result not in SETTLED | UNSETTLED:
                continue
            # Unsettled: a watchdog decides, and it reverts unless confirmed: before first.
            digests = ([entry.before, entry.after] if entry.result in UNSETTLED
                       else [entry.after])
            ports: list[int] = []
            for digest in digests:
                data = journal.blob(digest)
                if data is None:
                    continue
                port = node_file_ssh_port(data)
                ports.append(port if port is not None
                             else inherited_ssh_port(self.options.provider_root))
            return ports
        return []

    # -- 2. look: earlier watchdogs, live files, drift, lock-out risk ---------------------

    def inspect(self) -> None:
        self._check_watchdogs()
        self.emit("read", "")
        for state in self.files:
            self._read_live(state)
        self._prepare_new()
        changed = [s for s in self.files if s.changed]
        for state in self.files:
            if state.changed:
                self._check_drift(state)
        root = self.options.provider_root
        provider_files = [s for s in self.files if s.change.spec.source != CLACE_SOURCE]
        if root is not None and any(s.changed for s in provider_files):
            # Any provider file can move a node's sshd (common.json, services/, tags/ as
            # well as nodes/): compare every node's effective port, live files against new.
            self.risks += ssh_port_risks(
                Path(root), {s.change.spec.source: s.old for s in provider_files},
                {s.change.spec.source: s.change.new for s in provider_files})
        inherited = inherited_ssh_port(root)
        for state in changed:
            if root is None or state.change.spec.source == CLACE_SOURCE:
                self.risks += lockout_risks(state.change.spec, state.old, state.change.new,
                                            inherited_ssh_port=inherited)
        self.result.lockout = [r.reason for r in self.risks]
        if self.options.confirm_within is not None:
            self.window = self.options.confirm_within
        elif self.risks:
            self.window = self.options.lockout_window
        for state in self.files:
            self.result.files.append(FileOutcome(
                state.target, "changed" if state.changed else "unchanged",
                before=sha256(state.old), after=sha256(state.change.new),
                diff=unified_diff(f"{self.name}:{state.target}", state.old, state.change.new)
                if state.changed else ""))
        if self.action == "apply":
            self._preflight_certificates()

    def _preflight_certificates(self) -> None:
        """CE findings for the cert_location the new Clace file names, read on the host.

        Purely informative: nothing here may fail the apply, so every problem becomes a
        finding (a dead connection is noticed by the next step anyway).
        """
        clace = next((s for s in self.files if s.change.spec.source == CLACE_SOURCE), None)
        if clace is None:
            return
        where = f"{self.name}:{clace.target}"
        try:
            checked = host_certificates(self.live, self.name, clace.change.new, where)
        except Exception as exc:  # the preflight only informs: never stop an apply here
            self.finding("CE004", Severity.WARNING,
                         f"certificates not checked: {type(exc).__name__}: {exc}", file=where)
            return
        self.result.findings += checked.findings
        self.result.certificates = checked.report

    def _prepare_new(self) -> None:
        """Apply's new bytes come from the plan; rollback overrides this."""

    def _read_live(self, state: _FileState) -> None:
        sftp = self.live.sftp
        try:
            st = sftp.stat(state.target)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise RemoteError(f"cannot stat {state.target}: {exc}") from None
        if st.st_mode is not None and not stat.S_ISREG(st.st_mode):
            raise RemoteError(f"{state.target} is not a regular file")
        state.mode = stat.S_IMODE(st.st_mode) if st.st_mode is not None else None
        state.uid, state.gid = st.st_uid, st.st_gid
        with sftp.open(state.target, "rb") as handle:
            state.old = handle.read()

    def _check_drift(self, state: _FileState) -> None:
        expected = self.options.journal.expected_hashes(self.name, state.target)
        live = sha256(state.old)
        if expected is None or live in expected:
            return
        entry = self.options.journal.last_applied(self.name, state.target)
        base = self.options.journal.blob(entry.after if entry else None)
        three_way = (unified_diff(state.target, base, state.old, "last applied", "live on host")
                     + unified_diff(state.target, base, state.change.new, "last applied", "new"))
        message = (f"{state.target} changed on the host since leap-tui last applied it"
                   f"{' at ' + entry.time if entry else ''}")
        if self.options.force:
            self.finding("AP003", Severity.WARNING, message + " (overwritten: --force)",
                         file=state.target)
            return
        self.result.files.append(FileOutcome(state.target, "drift", before=live,
                                             after=sha256(state.change.new), diff=three_way))
        raise DriftError(message, hint="review the three-way diff; --force overwrites")

    def _check_watchdogs(self) -> None:
        """A watchdog left by an earlier run: report it; settle it when it has decided."""
        directories = sorted({posixpath.dirname(s.target) for s in self.files}
                             | {posixpath.dirname(f.target) for f in self.host.files})
        for directory in directories:
            try:
                listing = self.live.sftp.listdir_attr(directory)
            except OSError:
                continue
            for attrs in sorted(listing, key=lambda a: a.filename):
                match = WATCHDOG_RE.match(attrs.filename)
                if match:
                    self._settle_watchdog(posixpath.join(directory, match.group("base")))
                elif UPLOAD_TMP_RE.match(attrs.filename):
                    self._sweep_tmp(posixpath.join(directory, attrs.filename), attrs.st_mtime)

    def _sweep_tmp(self, path: str, mtime: int | None) -> None:
        """Remove an upload an earlier run left when its connection was cut mid-way; a
        recent one may belong to a run going on right now."""
        if self.options.dry_run or mtime is None or time.time() - mtime < STALE_TMP_SECONDS:
            return
        with contextlib.suppress(OSError):
            self.live.sftp.remove(path)
        self.emit("read", f"removed {path} (left by an interrupted run)")

    def _settle_watchdog(self, base: str) -> None:
        try:
            with self.live.sftp.open(base + ".watchdog", "rb") as handle:
                text = handle.read().decode("utf-8", "replace")
        except OSError:
            return
        found = parse_watchdog(base, text)
        if found is None:
            return
        state = self.live.run(found.state_command()).output.strip()
        when = datetime.fromtimestamp(found.deadline, UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        if state == "armed":
            raise WatchdogPending(
                f"a watchdog from run {found.run} ({found.action}) is armed until {when}",
                hint="wait for it to revert, or let that run confirm; then apply again")
        if state == "deciding":
            raise WatchdogPending(f"a watchdog from run {found.run} is deciding right now",
                                  hint="try again in a few seconds")
        if state == "lost":
            message = (f"a watchdog from run {found.run} died before its deadline {when} "
                       "(host rebooted?): its unconfirmed change is live")
            if not self.options.force:
                raise WatchdogPending(message, hint="rollback restores the backup; --force "
                                      "keeps the change and continues")
            self.finding("AP012", Severity.WARNING, message + " (kept: --force)")
        elif state == "reverted":
            self.finding("AP006", Severity.WARNING,
                         f"the host reverted run {found.run} by itself: it was not confirmed "
                         f"by {when}")
            if not self.options.dry_run:
                for watched in found.files:
                    self.options.journal.record(
                        run=found.run, action="watchdog", host=self.name, path=watched.target,
                        before=watched.after, after=watched.before, backup=None,
                        result="reverted", detail="not confirmed in time; reverted on the host")
        if not self.options.dry_run:
            self.live.run(found.cleanup_command())

    # -- 3. stage: temporary file, fsync, owner and mode, validate -----------------------

    def stage(self) -> None:
        for state in self.files:
            if state.changed:
                self._upload(state)
        for state in self.files:
            if state.changed and state.change.spec.validate:
                self._validate(state)

    def _upload(self, state: _FileState) -> None:
        directory, name = posixpath.split(state.target)
        state.tmp = posixpath.join(directory, f".{name}.leap-tui.{self.stamp}.tmp")
        sftp = self.live.sftp
        data = state.change.new
        self.emit("upload", f"{state.target} 0/{len(data)}")
        try:
            with sftp.open(state.tmp, "wxb") as handle:
                # Private until complete: the live file's mode is given only after the bytes.
                sftp.chmod(state.tmp, 0o600)
                handle.set_pipelined(True)
                for offset in range(0, len(data), _CHUNK):
                    handle.write(data[offset:offset + _CHUNK])
                    done = min(offset + _CHUNK, len(data))
                    self.emit("upload", f"{state.target} {done}/{len(data)}")
        except (OSError, EOFError) as exc:
            raise ConnectError(f"upload of {state.target} failed: {exc or type(exc).__name__}"
                               ) from None
        tmp_stat = sftp.stat(state.tmp)
        if state.uid is not None and state.gid is not None and (
                (tmp_stat.st_uid, tmp_stat.st_gid) != (state.uid, state.gid)):
            try:
                sftp.chown(state.tmp, state.uid, state.gid)
            except OSError as exc:
                raise RemoteError(f"cannot give {state.tmp} the owner {state.uid}:{state.gid} "
                                  f"of {state.target}: {exc}") from None
        sftp.chmod(state.tmp, state.mode if state.mode is not None else _NEW_FILE_MODE)
        if sha256(self._read_remote(state.tmp)) != sha256(data):
            raise RemoteError(f"the uploaded copy of {state.target} does not match")

    def _read_remote(self, path: str) -> bytes:
        with self.live.sftp.open(path, "rb") as handle:
            data: bytes = handle.read()
        return data

    def _validate(self, state: _FileState) -> None:
        assert state.tmp is not None and state.change.spec.validate is not None
        command = state.change.spec.validate.replace("{path}", quote(state.tmp))
        self.emit("validate", command)
        result = self.live.run(command)
        if not result.ok:
            raise ValidateError(f"validate failed for {state.target} (exit {result.status}): "
                                f"{result.tail()}", hint="the live file is untouched")

    # -- 4. back up, arm the watchdog, swap, reload --------------------------------------

    def swap(self) -> None:
        changed = [s for s in self.files if s.changed]
        # The uploads' sync, the backups and the watchdog go in one remote command: each
        # command is a round trip and a process on the host, paid on every host of the fleet.
        # SFTP has no fsync: the uploads are synced remotely, in this command, before any of
        # them is renamed over a live file.
        staged = " ".join(quote(s.tmp) for s in changed if s.tmp is not None)
        steps: list[tuple[str, str]] = []
        if staged:
            steps.append((f"sync -- {staged} 2>/dev/null || sync", "sync of the uploaded files"))
        for state in changed:
            if state.old is not None:
                state.backup = backup_name(state.target, self.stamp)
                self.emit("backup", state.backup)
                # A hard link keeps the very inode (owner, mode, xattrs); cp -p where links fail.
                steps.append((f"ln -- {quote(state.target)} {quote(state.backup)} 2>/dev/null"
                              f" || cp -p -- {quote(state.target)} {quote(state.backup)}",
                              f"backup of {state.target}"))
        window = self.window
        if window is None and (len(changed) > 1 or self._reload_commands(changed)):
            # Several renames, or a rename and a reload, are not atomic together: a watchdog
            # puts the host back on its own if the session dies half-way.
            window = self.options.safety_window
            self.safety_net = True
        watchdog = self._new_watchdog(changed, window) if window is not None else None
        if watchdog is not None:
            steps.append((watchdog.install_command(max(1, round(window or 0))),
                          "arming the watchdog"))
        self._run_steps(steps)
        self.watchdog = watchdog
        for state in changed:
            # Unsettled until confirmed or finished: a crash in between is not drift.
            self._journal(state, "pending", before=state.old, after=state.change.new,
                          backup=state.backup)
        try:
            for state in changed:
                assert state.tmp is not None
                self.emit("swap", state.target)
                self.live.sftp.posix_rename(state.tmp, state.target)
                state.swapped = True
                state.tmp = None
            dirs = " ".join(quote(d)
                            for d in sorted({posixpath.dirname(s.target) for s in changed}))
            sync = f"{{ sync -- {dirs} || sync; }} >/dev/null 2>&1"
            if self._reload_commands(changed):
                self._reload(changed, prelude=sync)
            else:
                self.live.run(sync)
        except ReloadError as exc:
            self._undo(changed, str(exc))
            raise
        except (OSError, EOFError, RemoteError, paramiko.SSHException) as exc:
            if self.live.alive:
                self._undo(changed, str(exc))
                raise ConnectError(f"swap failed: {exc}") from None
            later = ("; the host reverts by itself within "
                     f"{round(self.watchdog.deadline - time.time())} s"
                     if self.watchdog is not None else "")
            raise ConnectError(f"swap failed: {exc}{later}") from None
        if self.safety_net:
            self._confirm_safety_net()

    def _confirm_safety_net(self) -> None:
        """Every file swapped and reloaded over this session: stop the safety-net watchdog."""
        watchdog = self.watchdog
        assert watchdog is not None
        self.emit("confirm", "swap and reload done")
        result = self._safety_confirmation or self.live.run(watchdog.confirm_command())
        self._safety_confirmation = None
        if result.status == 3:
            window = round(self.options.safety_window)
            self._not_confirmed(f"the swap and reload took longer than the {window} s safety "
                                "window: the host reverted", decided=True)
        if not result.ok:
            raise RemoteError(f"confirmation failed: {result.tail()}")
        self.watchdog = None

    def _run_steps(self, steps: list[tuple[str, str]]) -> None:
        """Run shell steps in one command; a failing step is named by its exit status."""
        if not steps:
            return
        first = 64  # above what ln, cp and setsid exit with
        # Subshells: a step that calls exit must still be told apart by its number.
        script = "\n".join(f"( {command}\n) || exit {first + number}"
                           for number, (command, _) in enumerate(steps))
        result = self.live.run(script)
        if result.ok:
            return
        number = result.status - first
        what = steps[number][1] if 0 <= number < len(steps) else "backup"
        raise RemoteError(f"{what} failed (exit {result.status}): {result.tail()}")

    def _new_watchdog(self, changed: list[_FileState], seconds: float) -> Watchdog:
        window = max(1, round(seconds))
        first = changed[0].target
        watchdog = Watchdog(
            base=backup_name(first, self.stamp), run=self.options.run_id, host=self.name,
            action=self.action, deadline=time.time() + window,
            files=tuple(WatchedFile(s.target, s.backup, sha256(s.old), sha256(s.change.new))
                        for s in changed),
            reloads=tuple(self._reload_commands(changed)),
        )
        self.emit("arm", f"safety net: reverts in {window} s if the session is lost"
                  if self.safety_net else f"reverts in {window} s unless confirmed")
        return watchdog

    @staticmethod
    def _reload_commands(states: list[_FileState]) -> list[str]:
        commands: list[str] = []
        for state in states:
            reload = state.change.spec.reload
            if reload and reload not in commands:
                commands.append(reload)
        return commands

    def _reload(self, changed: list[_FileState], prelude: str = "") -> None:
        commands = self._reload_commands(changed)
        for number, command in enumerate(commands):
            self.emit("reload", command)
            confirm = (self.safety_net and self.watchdog is not None
                       and number == len(commands) - 1)
            shell = command
            if (prelude and number == 0) or confirm:
                shell = f"{prelude if number == 0 else ''}\n( {command}\n)"
            if confirm:
                assert self.watchdog is not None
                # The safety net is confirmed in the same command, right after the last
                # reload succeeded: no extra round trip.
                shell = (f"{shell}\nrc=$?\nif [ $rc -eq 0 ]; then "
                         f"( {self.watchdog.confirm_command()} ); echo; "
                         f'echo "{_CONFIRM_MARK}$?"; fi; exit $rc')
            result = self._take_confirmation(self.live.run(shell))
            if not result.ok:
                raise ReloadError(f"reload failed (exit {result.status}): {result.tail()}",
                                  hint="the previous files were put back and reloaded")

    def _take_confirmation(self, result: CommandResult) -> CommandResult:
        """Split off the safety net's confirmation status appended to a reload's output."""
        head, mark, status = result.output.rpartition(_CONFIRM_MARK)
        if mark and status.strip().isdigit():
            self._safety_confirmation = CommandResult(int(status.strip()), "")
            return CommandResult(result.status, head.rstrip("\n"))
        return result

    def _undo(self, changed: list[_FileState], why: str) -> None:
        """Put the previous files back after a failed swap or reload, then reload again."""
        self.emit("revert", why)
        watchdog = self.watchdog
        if watchdog is not None:
            output = self.live.run(watchdog.revert_now_command()).output.strip()
            self.watchdog = None
            if not output.endswith("reverted"):
                # The watchdog claimed the decision first and is reverting by itself: never
                # rename by hand beside it; wait for it to finish.
                self._await_watchdog_revert(watchdog)
            for state in changed:
                state.swapped = False
            self._journal_reverted(changed, why)
            return
        for state in changed:
            if not state.swapped:
                continue
            if state.backup is not None:
                self.live.sftp.posix_rename(state.backup, state.target)
            else:
                self.live.sftp.remove(state.target)
            state.swapped = False
        for command in self._reload_commands(changed):
            self.live.run(command)
        self._journal_reverted(changed, why)

    def _await_watchdog_revert(self, watchdog: Watchdog) -> None:
        limit = time.monotonic() + self.live.command_timeout
        state = ""
        while time.monotonic() < limit:
            state = self.live.run(watchdog.state_command()).output.strip()
            if state != "deciding":
                break
            time.sleep(0.2)
        if state == "reverted":
            self.live.run(watchdog.cleanup_command())
        elif state != "deciding":
            raise RemoteError(f"the watchdog of {self.name} decided first but did not revert "
                              f"(state {state or 'unknown'})")

    def _journal_reverted(self, changed: list[_FileState], why: str) -> None:
        for state in changed:
            self._journal(state, "reverted", before=state.change.new, after=state.old,
                          backup=None, detail=why)

    # -- 5. confirm over a new connection ------------------------------------------------

    def confirm(self) -> None:
        if self.watchdog is None:
            return
        watchdog = self.watchdog
        endpoint, aliases, node, same_host = self._confirm_endpoint()
        self.emit("reconnect", f"{endpoint.user}@{endpoint.hostname}:{endpoint.port}")
        fresh: Connection | None = None
        problem = ""
        while fresh is None and time.time() < watchdog.deadline - 0.5:
            try:
                fresh = connect(endpoint, self.options.ssh, aliases=aliases,
                                pinned=self._pinned(node))
                fresh.check("true", "a command over the new connection")
            except RemoteError as exc:
                if fresh is not None:
                    fresh.close()
                    fresh = None
                problem = exc.message
                if exc.code in ("AP001", "AP002"):
                    break
                time.sleep(min(1.0, max(0.0, watchdog.deadline - time.time() - 0.5)))
        try:
            if fresh is None:
                self._not_confirmed(f"no new connection to {endpoint.hostname}:{endpoint.port}: "
                                    f"{problem or 'window too short'}")
                return
            self.emit("confirm", f"the new connection works; "
                      f"{max(0, round(watchdog.deadline - time.time()))} s left to keep it")
            asker = self.options.confirm
            if asker is not None and not asker(self.name, watchdog.deadline):
                self._not_confirmed("not confirmed by the operator")
                return
            # Confirm over the new session when it reaches this host: the decision then
            # travels the very path the operator needs to keep. A deploy host's proof
            # connection goes to the node, which holds no watchdog: confirm here then.
            channel = fresh if same_host else self.live
            result = channel.run(watchdog.confirm_command())
            if result.status == 3:
                self._not_confirmed("the confirmation came after the deadline", decided=True)
                return
            if not result.ok:
                raise RemoteError(f"confirmation failed: {result.tail()}")
        finally:
            if fresh is not None:
                fresh.close()
        self.watchdog = None
        for state in self.files:
            if state.swapped:
                self._journal(state, "confirmed", before=state.old, after=state.change.new,
                              backup=state.backup)
        self.emit("confirmed", "")

    def _confirm_endpoint(self) -> tuple[Endpoint, list[str], str | None, bool]:
        """Where the proof connection goes: the node at its new ssh.port, else this host.

        The last item tells whether that connection reaches this very host (the one that
        holds the watchdog).
        """
        assert self.endpoint is not None
        moves = [r for r in self.risks if r.new_ssh_port is not None and r.node is not None]
        # This host's own node first: proving our own new port proves the most.
        moves.sort(key=lambda r: r.node != self.host.leap_node)
        moved = moves[0] if moves else None
        if moved is None or moved.node is None or moved.new_ssh_port is None:
            return self.endpoint, [], self.host.leap_node, True
        node_host = next((h for h in self.options.inventory.hosts if h.leap_node == moved.node),
                         None)
        if node_host is not None and node_host.name == self.name:
            base = self.endpoint
        elif node_host is not None:
            base = resolve_endpoint(node_host, ssh_config=self.options.ssh.ssh_config,
                                    node_defaults=self._node_defaults(moved.node))
        else:
            address, _ = self._node_defaults(moved.node)
            base = self.endpoint.with_hostname(address or self.endpoint.hostname)
        old_port = moved.old_ssh_port or base.port
        aliases = [base.with_port(old_port).known_hosts_name, base.known_hosts_name]
        same_host = node_host is not None and node_host.name == self.name
        return base.with_port(moved.new_ssh_port), aliases, moved.node, same_host

    def _not_confirmed(self, why: str, *, decided: bool = False) -> None:
        """Revert now through the old session when it lives; else the host does it alone."""
        watchdog = self.watchdog
        assert watchdog is not None
        changed = [s for s in self.files if s.swapped]
        if decided:
            self._journal_reverted(changed, why)
        elif self.conn is not None and self.conn.alive:
            self._undo(changed, why)
        else:
            for state in changed:
                self._journal(state, "unconfirmed", before=state.old, after=state.change.new,
                              backup=state.backup, detail=why)
            why += "; the host reverts by itself at the deadline"
        self.watchdog = None
        self.result.status = "reverted"
        raise _NotConfirmed(why)

    # -- 6. record -----------------------------------------------------------------------

    def finish(self) -> None:
        changed = [s for s in self.files if s.swapped]
        for state in changed:
            if self.window is None:  # with a window, "confirmed" was journaled
                self._journal(state, "applied" if self.action == "apply" else "rolled-back",
                              before=state.old, after=state.change.new, backup=state.backup)
        self._after_success(changed)
        for state, outcome in zip(self.files, self.result.files, strict=False):
            if state.swapped:
                outcome.status = "rolled-back" if self.action == "rollback" else "applied"
                outcome.backup = state.backup
        self.result.status = (("rolled-back" if self.action == "rollback" else "applied")
                              if changed else "unchanged")
        self.emit("done", self.result.status)

    def _after_success(self, changed: list[_FileState]) -> None:
        for state in changed:
            self._prune_backups(state.target)

    def list_backups(self, target: str) -> list[str]:
        directory, name = posixpath.split(target)
        pattern = backup_re(name)
        try:
            names = self.live.sftp.listdir(directory)
        except OSError:
            return []
        return sorted(posixpath.join(directory, n) for n in names if pattern.match(n))

    def _prune_backups(self, target: str) -> None:
        for old in self.list_backups(target)[:-self.options.keep_backups or None]:
            with contextlib.suppress(OSError):
                self.live.sftp.remove(old)

    # -- all of it -----------------------------------------------------------------------

    def close(self) -> None:
        if self.conn is not None:
            if self.conn.alive:
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
            self.conn.close()
            self.conn = None

    def run(self) -> HostResult:
        try:
            self.connect()
            self.inspect()
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
        except _NotConfirmed as exc:
            self.result.status = "reverted"
            self.result.message = str(exc)
            self.finding("AP009", Severity.ERROR, str(exc),
                         hint="the previous files are back (or will be at the deadline)")
            self.emit("failed", str(exc))
        except (paramiko.SSHException, EOFError, OSError) as exc:
            self.result.status = "failed"
            self.result.message = f"connection lost: {exc or type(exc).__name__}"
            self.finding("AP007", Severity.ERROR, self.result.message)
            self.emit("failed", self.result.message)
        except RemoteError as exc:
            self.result.status = "failed"
            self.result.message = exc.message
            self.finding(exc.code, Severity.ERROR, exc.message, hint=exc.hint)
            self.emit("failed", exc.message)
        except Exception as exc:  # one host's surprise must not stop the fleet
            self.result.status = "failed"
            self.result.message = f"{type(exc).__name__}: {exc}"
            self.finding("AP013", Severity.ERROR, self.result.message)
            self.emit("failed", self.result.message)
        finally:
            with contextlib.suppress(Exception):
                self.close()
            self.result.seconds = time.monotonic() - self._started
        return self.result


class _NotConfirmed(Exception):
    pass


class RollbackOperation(HostOperation):
    """Restore a generation backup through the same protocol; the generation is consumed.

    The live file replaced by a rollback is kept only while a confirm window runs (the
    watchdog needs it); afterwards it is in the local journal's blobs, not on the host,
    so that rolling back twice goes two generations back instead of toggling.
    """

    action = "rollback"

    def __init__(self, host: HostSpec, options: RunOptions, *, to: str | None = None) -> None:
        changes = tuple(FileChange(spec, b"") for spec in host.files)
        super().__init__(HostPlan(host, changes), options)
        self.to = to

    def _prepare_new(self) -> None:
        chosen: list[_FileState] = []
        for state in self.files:
            backups = self.list_backups(state.target)
            if self.to is not None:
                backups = [b for b in backups if (backup_stamp(b) or "").startswith(self.to)]
            if not backups:
                continue
            pick = backups[-1]
            state.consumes = pick
            state.change = FileChange(state.change.spec, self._read_remote(pick))
            st = self.live.sftp.stat(pick)
            # The generation's own owner and mode come back with it.
            state.mode = stat.S_IMODE(st.st_mode) if st.st_mode is not None else state.mode
            state.uid, state.gid = st.st_uid, st.st_gid
            chosen.append(state)
        if not chosen:
            which = f"matching {self.to}" if self.to else "to restore"
            raise RemoteError(f"no backup {which} on {self.name}")
        self.files = chosen
        for state in self.files:
            self.emit("read", f"{state.target} <- {state.consumes}")

    def _check_drift(self, state: _FileState) -> None:
        """Rolling back is the answer to drift, so it is reported but never blocks."""
        expected = self.options.journal.expected_hashes(self.name, state.target)
        if expected is not None and sha256(state.old) not in expected:
            self.finding("AP003", Severity.WARNING,
                         f"{state.target} had changed on the host; that version is in the "
                         "local journal's blobs", file=state.target)
            if state.old is not None:
                self.options.journal.store_blob(state.old)

    def _after_success(self, changed: list[_FileState]) -> None:
        for state in changed:
            for leftover in (state.consumes, state.backup):
                if leftover is not None:
                    with contextlib.suppress(OSError):
                        self.live.sftp.remove(leftover)
            state.backup = None

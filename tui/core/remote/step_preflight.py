"""Step 2b, preflight: would the change fail on this host, or lock the operator out?

Judged from the facts gathered with the lock (preflight.py) and the live and new files:
a new Clace port already bound by another process (PF001), a port below 1024 the server
may not bind (PF002), certificate files missing or unreadable by the service user
(PF003), no room for the upload and its backup (PF004), a directory that cannot be
written (PF005) or is not there (PF007: leap-tui creates no directory). Errors stop the
host before anything is uploaded, unless ``RunOptions.allow_errors``; what could not be
checked is said (PF006, info).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from tui.core.certs.settings import DEFAULT_CERT_LOCATION
from tui.core.clace_config import ClaceConfig
from tui.core.errors import ConfigError
from tui.core.findings import Severity
from tui.core.inventory import CLACE_SOURCE
from tui.core.remote.errors import RemoteError
from tui.core.remote.host_state import FileState, HostState
from tui.core.remote.preflight import (
    DirSpace,
    Facts,
    PathMode,
    Process,
    facts_command,
    parse_facts,
)
from tui.core.remote.rules import PREFLIGHT_RULES as PREFLIGHT_RULES
from tui.core.remote.step_lock import acquire


class PreflightFailed(RemoteError):
    """Preflight errors stop this host; the findings themselves are in the result."""

    code = "PF000"


@dataclass(frozen=True, slots=True)
class Listener:
    section: str  # http | https
    host: str
    port: int


def clace_settings(data: bytes | None) -> ClaceConfig | None:
    if data is None:
        return None
    try:
        return ClaceConfig.parse(data.decode("utf-8"), Path("clace.toml"))
    except (ConfigError, UnicodeDecodeError, ValueError):
        return None


def clace_listeners(config: ClaceConfig | None) -> list[Listener]:
    if config is None:
        return []
    found = [Listener("http", config.http.host, config.http.port),
             Listener("https", config.https.host, config.https.port)]
    return [listener for listener in found if listener.port > 0]  # -1 off, 0 any port


def _clace(op: HostState) -> FileState | None:
    return next((s for s in op.files if s.change.spec.source == CLACE_SOURCE), None)


def _cert_dir(config: ClaceConfig | None) -> tuple[str | None, bool]:
    """The certificate directory the server reads (when it is an absolute path without
    variables), and whether the login environment is needed to expand it."""
    if config is None or config.https.port < 0 or config.https.service_email.strip():
        return None, False
    raw = config.https.cert_location or DEFAULT_CERT_LOCATION
    if "$" in raw or raw == "~" or raw.startswith("~/"):
        return None, True
    return (raw.rstrip("/") or "/", False) if raw.startswith("/") else (None, False)


def begin(op: HostState) -> None:
    """The preflight's facts, in the very command that takes the lock (none in a dry run)."""
    dirs = sorted({posixpath.dirname(f.target) for f in op.host.files})
    clace = _clace(op)
    config = clace_settings(clace.change.new) if clace is not None and op.action == "apply" \
        else None
    cert_dir, env = _cert_dir(config)
    command = facts_command(dirs, cert_dir, env=env)
    if op.options.dry_run:
        output = op.command(command, "the preflight").output
    else:
        output = acquire(op, command)
    op.facts = parse_facts(output, dirs)
    op.cert_dir = cert_dir


def judge(op: HostState) -> None:
    facts = op.facts
    if facts is None:
        return
    before = len(op.result.findings)
    _space(op, facts)
    clace = _clace(op)
    if clace is not None:
        old, new = clace_settings(clace.old), clace_settings(clace.change.new)
        service, who = _service(op, facts, clace, clace_listeners(old))
        _ports(op, facts, clace_listeners(old), clace_listeners(new), service, who)
        if op.cert_dir is not None and new is not None:
            _certificates(op, facts, op.cert_dir, service, who)
    errors = [f for f in op.result.findings[before:] if f.severity is Severity.ERROR]
    if errors and not op.options.allow_errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise PreflightFailed(f"preflight: {errors[0].message}{more}",
                              hint="nothing was changed; fix the host, or give --allow-errors")


def _space(op: HostState, facts: Facts) -> None:
    needs: dict[str, int] = {}
    for state in op.files:
        if state.changed:
            directory = posixpath.dirname(state.target)
            needs[directory] = (needs.get(directory, 0) + len(state.change.new)
                                + len(state.old or b""))
    for directory, need in sorted(needs.items()):
        space = facts.dirs.get(directory)
        where = f"{op.name}:{directory}"
        if space is None:
            continue
        if space.state != "dir":
            _not_a_directory(op, directory, space)
        elif space.read_only:
            op.finding("PF005", Severity.ERROR, f"{where} is on a read-only file system",
                       file=where, hint="remount it read-write, or ship the file elsewhere")
        elif not space.writable:
            op.finding("PF005", Severity.ERROR, f"{where} is not writable by the SSH user "
                       f"(uid {facts.login_uid if facts.login_uid is not None else '?'})",
                       file=where, hint="connect as a user who may write there")
        elif space.free_kib is not None and space.free_kib * 1024 < need:
            op.finding("PF004", Severity.ERROR,
                       f"no space left on {where}: {space.free_kib} KiB free, the upload and "
                       f"its backup need {-(-need // 1024)} KiB", file=where,
                       hint="free some space on that file system")


def _not_a_directory(op: HostState, directory: str, space: DirSpace) -> None:
    """PF007: leap-tui never creates a directory (or replaces what holds its name): a
    missing one is a layout it cannot guess (owner, mode, what else goes there)."""
    where = f"{op.name}:{directory}"
    if space.state == "notdir":
        op.finding("PF007", Severity.ERROR, f"{where} is not a directory", file=where,
                   hint="leap-tui does not replace it; ship the file elsewhere")
        return
    parent = f" (the nearest directory that exists: {space.parent})" if space.parent else ""
    op.finding("PF007", Severity.ERROR, f"{where} does not exist{parent}; leap-tui does not "
               "create directories", file=where,
               hint=f"create it on the host first: mkdir -p {directory}, with the owner and "
               "mode it needs; or ship the file elsewhere")


def _service(op: HostState, facts: Facts, clace: FileState,
             old: list[Listener]) -> tuple[Process | None, str]:
    """The server as it runs now: the process on the live file's ports, else the file's
    owner (for whom the certificates must be readable)."""
    for listener in old:
        for socket in facts.holders_of(listener.port, listener.host):
            for name, pid in socket.holders:
                process = facts.processes.get(pid)
                if process is not None:
                    return process, f"{name}, pid {pid}, uid {process.uid}"
    if clace.uid is not None:
        owner = Process(0, uid=clace.uid, gid=clace.gid)  # pid 0: not a running process
        return owner, f"uid {clace.uid}, the owner of {clace.target}"
    return None, ""


def _ports(op: HostState, facts: Facts, old: list[Listener], new: list[Listener],
           service: Process | None, who: str) -> None:
    kept = {listener.port for listener in old}
    for listener in new:
        if listener.port in kept:
            continue  # the server already has it
        key = f"{listener.section}.port {listener.port}"
        if facts.sockets is None:
            op.finding("PF006", Severity.INFO, f"{key} not checked on {op.name}: neither ss "
                       "nor /proc/net/tcp answered")
        else:
            others = [s for s in facts.holders_of(listener.port, listener.host)
                      if service is None or service.pid not in {p for _, p in s.holders}]
            if others:
                op.finding("PF001", Severity.ERROR, f"{key} is already bound on {op.name} by "
                           f"{others[0].describe()}",
                           hint="stop that service, or choose another port")
        if listener.port >= min(1024, facts.unprivileged_port_start):
            continue
        if service is None or service.pid == 0:
            op.finding("PF006", Severity.INFO, f"{key} is privileged: whether the server may "
                       f"bind it is not checked (no process listens on its current ports on "
                       f"{op.name})")
        elif not service.can_bind_low_ports:
            exe = service.exe or "the server binary"
            op.finding("PF002", Severity.ERROR, f"{key} is below 1024, but the server on "
                       f"{op.name} ({who}) is not root and has no cap_net_bind_service",
                       hint=f"setcap cap_net_bind_service=+ep {exe} (or AmbientCapabilities="
                       "CAP_NET_BIND_SERVICE in its unit), or keep the port above 1023")


def _certificates(op: HostState, facts: Facts, cert_dir: str, service: Process | None,
                  who: str) -> None:
    if cert_dir not in facts.cert_paths:
        # The page: the server creates a self-signed pair in the folder (CE004 notes it).
        return
    files = {p for p in facts.cert_paths if posixpath.dirname(p) == cert_dir}
    for path in sorted(files):
        stem, suffix = posixpath.splitext(path)
        other = stem + (".key" if suffix == ".crt" else ".crt")
        if other not in files:
            op.finding("PF003", Severity.ERROR, f"{op.name}:{other} is missing: the pair "
                       f"{posixpath.basename(stem)} cannot be served", file=f"{op.name}:{path}",
                       hint="put both files of the pair there, or remove the lone one")
    if service is None or service.uid in (None, 0):
        return
    for path in sorted(files):
        blocked = _unreadable(facts.cert_paths, path, service)
        if blocked:
            op.finding("PF003", Severity.ERROR, f"{op.name}:{path} is not readable by the "
                       f"server ({who}): {blocked}", file=f"{op.name}:{path}",
                       hint="chown or chmod it (and its directories) for the service user")


def _unreadable(modes: dict[str, PathMode], path: str, who: Process) -> str:
    """Why ``who`` cannot read ``path`` by its mode bits ("" when it can)."""
    groups = {who.gid, *who.groups}

    def allowed(mode: PathMode, bit: int) -> bool:  # bit: 4 read, 1 search
        if mode.uid == who.uid:
            return bool(mode.mode >> 6 & bit)
        if mode.gid in groups:
            return bool(mode.mode >> 3 & bit)
        return bool(mode.mode & bit)

    parent = posixpath.dirname(path)
    chain = []
    while True:
        chain.append(parent)
        if parent == "/":
            break
        parent = posixpath.dirname(parent)
    for directory in reversed(chain):
        mode = modes.get(directory)
        if mode is not None and not allowed(mode, 1):
            return f"{directory} (mode {mode.mode:o}, owner {mode.uid}:{mode.gid}) bars the way"
    mode = modes[path]
    if not allowed(mode, 4):
        return f"mode {mode.mode:o}, owner {mode.uid}:{mode.gid}"
    return ""

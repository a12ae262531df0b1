"""Step 2, plan: what is on the host now and what the change would do there.

Earlier runs' watchdogs and uploads, the live files (owner, mode, bytes), drift against the
journal, the lock-out risk that decides the confirm window, and the per-file diff.
Nothing here writes to the host except settling what an earlier run left behind.
"""

from __future__ import annotations

import contextlib
import posixpath
import stat
import time
from datetime import UTC, datetime
from pathlib import Path

from tui.core.findings import Severity
from tui.core.inventory import CLACE_SOURCE
from tui.core.remote.cert_preflight import host_certificates
from tui.core.remote.changes import inherited_ssh_port, lockout_risks, ssh_port_risks
from tui.core.remote.errors import DriftError, RemoteError, WatchdogPending
from tui.core.remote.host_lock import lock_path
from tui.core.remote.host_state import FileState, HostState
from tui.core.remote.journal import UNSETTLED, sha256
from tui.core.remote.outcome import FileOutcome, unified_diff
from tui.core.remote.watchdog import UPLOAD_TMP_RE, WATCHDOG_RE, parse_watchdog

# An upload temporary file this old was left by a run whose connection was cut.
STALE_TMP_SECONDS = 900


def inspect(op: HostState) -> None:
    check_watchdogs(op)
    op.emit("read", "")
    for state in op.files:
        read_live(op, state)
        if not op.options.dry_run:
            settle_journal(op, state)
    op.prepare_new()
    changed = [s for s in op.files if s.changed]
    for state in changed:
        op.check_drift(state)
    root = op.options.provider_root
    provider_files = [s for s in op.files if s.change.spec.source != CLACE_SOURCE]
    if root is not None and any(s.changed for s in provider_files):
        # Any provider file can move a node's sshd (common.json, services/, tags/ as
        # well as nodes/): compare every node's effective port, live files against new.
        op.risks += ssh_port_risks(
            Path(root), {s.change.spec.source: s.old for s in provider_files},
            {s.change.spec.source: s.change.new for s in provider_files})
    inherited = inherited_ssh_port(root)
    for state in changed:
        if root is None or state.change.spec.source == CLACE_SOURCE:
            op.risks += lockout_risks(state.change.spec, state.old, state.change.new,
                                      inherited_ssh_port=inherited)
    op.result.lockout = [r.reason for r in op.risks]
    if op.options.confirm_within is not None:
        op.window = op.options.confirm_within
    elif op.risks:
        op.window = op.options.lockout_window
    for state in op.files:
        op.result.files.append(FileOutcome(
            state.target, "changed" if state.changed else "unchanged",
            before=sha256(state.old), after=sha256(state.change.new),
            diff=unified_diff(f"{op.name}:{state.target}", state.old, state.change.new)
            if state.changed else ""))
    if op.action == "apply":
        preflight_certificates(op)


def preflight_certificates(op: HostState) -> None:
    """CE findings for the cert_location the new Clace file names, read on the host.

    Purely informative: nothing here may fail the apply, so every problem becomes a
    finding (a dead connection is noticed by the next step anyway).
    """
    clace = next((s for s in op.files if s.change.spec.source == CLACE_SOURCE), None)
    if clace is None:
        return
    where = f"{op.name}:{clace.target}"
    try:
        checked = host_certificates(op.live, op.name, clace.change.new, where,
                                    env=op.facts.env if op.facts is not None else None)
    except Exception as exc:  # the preflight only informs: never stop an apply here
        op.finding("CE004", Severity.WARNING,
                   f"certificates not checked: {type(exc).__name__}: {exc}", file=where)
        return
    op.result.findings += checked.findings
    op.result.certificates = checked.report


def read_live(op: HostState, state: FileState) -> None:
    sftp = op.live.sftp
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


def settle_journal(op: HostState, state: FileState) -> None:
    """A change the journal left unsettled (the client was cut off, or the host was to
    decide): what is live now says how it ended, and that is recorded under its run."""
    entry = op.options.journal.last_applied(op.name, state.target)
    if entry is None or entry.result not in UNSETTLED or entry.before == entry.after:
        return
    live = sha256(state.old)
    if live == entry.after:
        # Unconfirmed, and yet live with no watchdog left: it was confirmed.
        result = ("confirmed" if entry.result == "unconfirmed" else
                  "rolled-back" if entry.action == "rollback" else "applied")
        detail = "found live at the next contact"
        before, after = entry.before, entry.after
    elif live == entry.before:
        result, detail = "reverted", "found reverted at the next contact"
        before, after = entry.after, entry.before
    else:
        return  # neither: drift, which the next check reports
    op.options.journal.record(run=entry.run, action=entry.action, host=op.name,
                              path=state.target, before=before, after=after,
                              backup=entry.backup if result == "confirmed" else None,
                              result=result, detail=detail)


def check_apply_drift(op: HostState, state: FileState) -> None:
    expected = op.options.journal.expected_hashes(op.name, state.target)
    live = sha256(state.old)
    if expected is None or live in expected:
        return
    entry = op.options.journal.last_applied(op.name, state.target)
    base = op.options.journal.blob(entry.after if entry else None)
    three_way = (unified_diff(state.target, base, state.old, "last applied", "live on host")
                 + unified_diff(state.target, base, state.change.new, "last applied", "new"))
    message = (f"{state.target} changed on the host since leap-tui last applied it"
               f"{' at ' + entry.time if entry else ''}")
    if op.options.force:
        op.finding("AP003", Severity.WARNING, message + " (overwritten: --force)",
                   file=state.target)
        return
    op.result.files.append(FileOutcome(state.target, "drift", before=live,
                                       after=sha256(state.change.new), diff=three_way))
    raise DriftError(message, hint="review the three-way diff; --force overwrites")


def check_watchdogs(op: HostState) -> None:
    """A watchdog left by an earlier run: report it; settle it when it has decided."""
    directories = sorted({posixpath.dirname(s.target) for s in op.files}
                         | {posixpath.dirname(f.target) for f in op.host.files})
    for directory in directories:
        try:
            listing = op.live.sftp.listdir_attr(directory)
        except OSError:
            continue
        for attrs in sorted(listing, key=lambda a: a.filename):
            match = WATCHDOG_RE.match(attrs.filename)
            if match:
                _settle_watchdog(op, posixpath.join(directory, match.group("base")))
            elif UPLOAD_TMP_RE.match(attrs.filename):
                _sweep_tmp(op, posixpath.join(directory, attrs.filename), attrs.st_mtime)


def _sweep_tmp(op: HostState, path: str, mtime: int | None) -> None:
    """Remove an upload an earlier run left when its connection was cut mid-way. A recent
    one may belong to a run going on right now — unless this run holds its target's lock."""
    if op.options.dry_run:
        return
    directory, name = posixpath.split(path)
    target = posixpath.join(directory, name[1:].split(".leap-tui.", 1)[0])
    ours = op.lock is not None and lock_path(target) in op.lock.paths
    if not ours and (mtime is None or time.time() - mtime < STALE_TMP_SECONDS):
        return
    with contextlib.suppress(OSError):
        op.live.sftp.remove(path)
    op.emit("read", f"removed {path} (left by an interrupted run)")


def _settle_watchdog(op: HostState, base: str) -> None:
    try:
        with op.live.sftp.open(base + ".watchdog", "rb") as handle:
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return
    found = parse_watchdog(base, text)
    if found is None:
        return
    state = op.live.run(found.state_command()).output.strip()
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
        if not op.options.force:
            raise WatchdogPending(message, hint="rollback restores the backup; --force "
                                  "keeps the change and continues")
        op.finding("AP012", Severity.WARNING, message + " (kept: --force)")
    elif state == "reverted":
        op.finding("AP006", Severity.WARNING,
                   f"the host reverted run {found.run} by itself: it was not confirmed "
                   f"by {when}")
        if not op.options.dry_run:
            # Under the run's own action: history then shows that change as reverted.
            for watched in found.files:
                op.options.journal.record(
                    run=found.run, action=found.action, host=op.name, path=watched.target,
                    before=watched.after, after=watched.before, backup=None,
                    result="reverted", detail=f"not confirmed by {when}; the host reverted "
                    "by itself")
    if not op.options.dry_run:
        op.live.run(found.cleanup_command())

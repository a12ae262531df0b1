"""Step 4, swap: back up, arm the watchdog, rename over the live files, reload.

The uploads' sync, the backups and the watchdog go in one remote command; with one file,
no reload and no watchdog, the rename and the directory's sync go in it too. The rename is
atomic per file; a failed reload, or a swap cut half-way, puts the backups back — at once
through this session when it lives, else by the watchdog at its deadline.
"""

from __future__ import annotations

import posixpath
import time

import paramiko

from tui.core.findings import Severity
from tui.core.remote import step_probe
from tui.core.remote.errors import ConnectError, ReloadError, RemoteError
from tui.core.remote.host_state import FileState, HostState, NotConfirmed, clock
from tui.core.remote.journal import sha256
from tui.core.remote.ssh import CommandResult, quote
from tui.core.remote.watchdog import Watchdog, WatchedFile, backup_name

CONFIRM_MARK = "leap-tui-safety-confirm:"
_FIRST_STEP = 64  # above what ln, cp, mv and setsid exit with


def swap(op: HostState) -> None:
    changed = [s for s in op.files if s.changed]
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
            state.backup = backup_name(state.target, op.stamp)
            op.emit("backup", state.backup)
            # A hard link keeps the very inode (owner, mode, xattrs); cp -p where links fail.
            steps.append((f"ln -- {quote(state.target)} {quote(state.backup)} 2>/dev/null"
                          f" || cp -p -- {quote(state.target)} {quote(state.backup)}",
                          f"backup of {state.target}"))
    window = op.window
    if window is None and (len(changed) > 1 or op.reload_commands(changed)):
        # Several renames, or a rename and a reload, are not atomic together: a watchdog
        # puts the host back on its own if the session dies half-way.
        window = op.options.safety_window
        op.safety_net = True
    watchdog = _new_watchdog(op, changed, window) if window is not None else None
    if watchdog is None and len(changed) == 1:
        _swap_alone(op, changed[0], steps)
        return
    # Not the simple case: the command the lock left open ends here, having run nothing
    # more, and every other command runs on its own as before.
    op.live.abandon()
    if watchdog is not None:
        steps.append((watchdog.install_command(max(1, round(window or 0))),
                      "arming the watchdog"))
    run_steps(op, steps, watchdog)
    op.watchdog = watchdog
    for state in changed:
        # Unsettled until confirmed or finished: a crash in between is not drift.
        op.journal(state, "pending", before=state.old, after=state.change.new,
                   backup=state.backup)
    try:
        for state in changed:
            assert state.tmp is not None
            op.emit("swap", state.target)
            op.live.sftp.posix_rename(state.tmp, state.target)
            state.swapped = True
            state.tmp = None
        dirs = " ".join(quote(d) for d in sorted({posixpath.dirname(s.target) for s in changed}))
        sync = f"{{ sync -- {dirs} || sync; }} >/dev/null 2>&1"
        if op.reload_commands(changed):
            _reload(op, changed, prelude=sync)
        else:
            op.command(sync, "the swap")
    except ReloadError as exc:
        undo(op, changed, str(exc))
        raise
    except (OSError, EOFError, RemoteError, paramiko.SSHException) as exc:
        if op.live.alive:
            undo(op, changed, str(exc))
            raise ConnectError(f"swap failed: {exc}") from None
        _link_lost(op, changed, "the reload" if any(s.swapped for s in changed)
                   and op.reload_commands(changed) else "the swap")
        return
    if op.safety_net:
        if step_probe.wanted(op):
            _probe_before_keeping(op, changed)
        _confirm_safety_net(op)


def _swap_alone(op: HostState, state: FileState, steps: list[tuple[str, str]]) -> None:
    """One file, no reload, no watchdog: the sync of the upload, the backup, the rename
    and the sync of its directory in the one command (each a step in that order, a
    failing one stops the rest). The rename is mv within one directory: rename(2), atomic."""
    assert state.tmp is not None
    target, tmp = quote(state.target), quote(state.tmp)
    renaming = len(steps)
    steps = [*steps,
             # A session cut mid-way leaves this script running: it renames nothing once
             # its SSH session is gone (the lock counts as stale then, see host_lock.py).
             # mv moves *into* a directory given as its destination: never that.
             ('[ ! -d /proc/self ] || [ -d "/proc/$PPID" ] || { echo "session gone"; exit 1; }'
              f"\nif [ -d {target} ]; then echo {target} is a directory; exit 1; fi\n"
              f"mv -f -- {tmp} {target}", f"the rename of {state.tmp} over {state.target}"),
             (f"{{ sync -- {quote(posixpath.dirname(state.target))} || sync; }} >/dev/null "
              "2>&1; true", "the sync of the directory")]
    # Unsettled until finished: a crash in between is not drift.
    op.journal(state, "pending", before=state.old, after=state.change.new, backup=state.backup)
    op.emit("swap", state.target)
    try:
        # The rest of the command that took the lock (it waits for it), else a command.
        result = op.command(step_script(steps), "the swap", follow_on=True)
    except ConnectError:
        state.swapped = True  # perhaps: the next contact reads which
        _link_lost(op, [state], "the swap")
        raise
    if result.ok:
        state.swapped, state.tmp = True, None
        return
    number = result.status - _FIRST_STEP
    failed = steps[number][1] if 0 <= number < len(steps) else "the swap"
    if number > renaming or not _still_there(op, state.tmp):
        # Renamed; only what came after it was cut short: sync the directory again.
        state.swapped, state.tmp = True, None
        op.command(steps[-1][0], "the swap")
        return
    undo(op, [state], f"{failed} failed")
    raise RemoteError(f"{failed} failed (exit {result.status}): {result.tail()}",
                      hint="the live file is untouched")


def _still_there(op: HostState, path: str) -> bool:
    try:
        op.live.sftp.stat(path)
    except FileNotFoundError:
        return False
    return True


def _probe_before_keeping(op: HostState, changed: list[FileState]) -> None:
    """The safety net is confirmed only once the new listeners answer from outside."""
    watchdog = op.watchdog
    assert watchdog is not None
    try:
        step_probe.run_probes(op, watchdog.deadline - 1.0)
    except NotConfirmed as exc:
        undo(op, changed, str(exc))
        op.result.status = "reverted"
        raise


def _link_lost(op: HostState, changed: list[FileState], during: str) -> None:
    """The session died after the first rename. The watchdog (when armed) reverts at its
    deadline; with a confirm window the change may still be confirmed over a new
    connection (a reload that moves sshd may well cut the old one)."""
    swapped = [s for s in changed if s.swapped]
    watchdog = op.watchdog
    if watchdog is None:  # one file, no reload: nothing else was to happen after it
        raise ConnectError(f"connection lost during {during}: {changed[0].target} on "
                           f"{op.name} is the old or the new file, whole; the next run "
                           "tells which")
    when = clock(watchdog.deadline)
    confirmable = not op.safety_net
    why = (f"connection lost during {during}: {op.name} will revert by itself at {when}"
           + (" unless confirmed" if confirmable else ""))
    for state in swapped:
        op.journal(state, "unconfirmed", before=state.old, after=state.change.new,
                   backup=state.backup, detail=why)
    op.emit("lost", why)
    if not confirmable:
        op.watchdog = None
        raise ConnectError(why)
    op.finding("AP007", Severity.WARNING, why,
               hint="leap-tui goes on to confirm over a new connection")


def _confirm_safety_net(op: HostState) -> None:
    """Every file swapped and reloaded over this session: stop the safety-net watchdog."""
    watchdog = op.watchdog
    assert watchdog is not None
    op.emit("confirm", "swap and reload done")
    result = op.safety_confirmation or op.live.run(watchdog.confirm_command())
    op.safety_confirmation = None
    if result.status == 3:
        why = (f"the swap and reload took longer than the {round(op.options.safety_window)} s"
               " safety window: the host reverted")
        journal_reverted(op, [s for s in op.files if s.swapped], why)
        op.watchdog = None
        op.result.status = "reverted"
        raise NotConfirmed(why)
    if not result.ok:
        raise RemoteError(f"confirmation failed: {result.tail()}")
    op.watchdog = None


def step_script(steps: list[tuple[str, str]]) -> str:
    """The steps as one shell script; the first that fails exits with 64 + its index."""
    # Subshells: a step that calls exit must still be told apart by its number.
    return "\n".join(f"( {command}\n) || exit {_FIRST_STEP + number}"
                     for number, (command, _) in enumerate(steps))


def run_steps(op: HostState, steps: list[tuple[str, str]],
              watchdog: Watchdog | None = None) -> None:
    """Run shell steps in one command; a failing step is named by its exit status."""
    if not steps:
        return
    first = _FIRST_STEP
    script = step_script(steps)
    armed = "; a safety watchdog, if it started, only removes the backups at " + clock(
        watchdog.deadline) if watchdog is not None else ""
    result = op.command(script, f"the backup (the live files are untouched{armed})")
    if result.ok:
        return
    number = result.status - first
    what = steps[number][1] if 0 <= number < len(steps) else "backup"
    raise RemoteError(f"{what} failed (exit {result.status}): {result.tail()}")


def _new_watchdog(op: HostState, changed: list[FileState], seconds: float) -> Watchdog:
    window = max(1, round(seconds))
    first = changed[0].target
    watchdog = Watchdog(
        base=backup_name(first, op.stamp), run=op.options.run_id, host=op.name,
        action=op.action, deadline=time.time() + window,
        files=tuple(WatchedFile(s.target, s.backup, sha256(s.old), sha256(s.change.new))
                    for s in changed),
        reloads=tuple(op.reload_commands(changed)),
    )
    op.emit("arm", f"safety net: reverts in {window} s if the session is lost"
            if op.safety_net else f"reverts in {window} s unless confirmed")
    return watchdog


def _reload(op: HostState, changed: list[FileState], prelude: str = "") -> None:
    commands = op.reload_commands(changed)
    for number, command in enumerate(commands):
        op.emit("reload", command)
        # The safety net is confirmed with the last reload, unless a probe must come first.
        confirm = (op.safety_net and op.watchdog is not None and number == len(commands) - 1
                   and not step_probe.wanted(op))
        shell = command
        if (prelude and number == 0) or confirm:
            shell = f"{prelude if number == 0 else ''}\n( {command}\n)"
        if confirm:
            assert op.watchdog is not None
            # The safety net is confirmed in the same command, right after the last
            # reload succeeded: no extra round trip.
            shell = (f"{shell}\nrc=$?\nif [ $rc -eq 0 ]; then "
                     f"( {op.watchdog.confirm_command()} ); echo; "
                     f'echo "{CONFIRM_MARK}$?"; fi; exit $rc')
        result = _take_confirmation(op, op.command(shell, "the reload"))
        if not result.ok:
            raise ReloadError(f"reload failed (exit {result.status}): {result.tail()}",
                              hint="the previous files were put back and reloaded")


def _take_confirmation(op: HostState, result: CommandResult) -> CommandResult:
    """Split off the safety net's confirmation status appended to a reload's output."""
    head, mark, status = result.output.rpartition(CONFIRM_MARK)
    if mark and status.strip().isdigit():
        op.safety_confirmation = CommandResult(int(status.strip()), "")
        return CommandResult(result.status, head.rstrip("\n"))
    return result


def undo(op: HostState, changed: list[FileState], why: str) -> None:
    """Put the previous files back after a failed swap or reload, then reload again."""
    op.emit("revert", why)
    watchdog = op.watchdog
    if watchdog is not None:
        output = op.live.run(watchdog.revert_now_command()).output.strip()
        op.watchdog = None
        if not output.endswith("reverted"):
            # The watchdog claimed the decision first and is reverting by itself: never
            # rename by hand beside it; wait for it to finish.
            _await_watchdog_revert(op, watchdog)
        for state in changed:
            state.swapped = False
        journal_reverted(op, changed, why)
        return
    for state in changed:
        if not state.swapped:
            continue
        if state.backup is not None:
            op.live.sftp.posix_rename(state.backup, state.target)
        else:
            op.live.sftp.remove(state.target)
        state.swapped = False
    for command in op.reload_commands(changed):
        op.live.run(command)
    journal_reverted(op, changed, why)


def _await_watchdog_revert(op: HostState, watchdog: Watchdog) -> None:
    limit = time.monotonic() + op.live.command_timeout
    state = ""
    while time.monotonic() < limit:
        state = op.live.run(watchdog.state_command()).output.strip()
        if state != "deciding":
            break
        time.sleep(0.2)
    if state == "reverted":
        op.live.run(watchdog.cleanup_command())
    elif state != "deciding":
        raise RemoteError(f"the watchdog of {op.name} decided first but did not revert "
                          f"(state {state or 'unknown'})")


def journal_reverted(op: HostState, changed: list[FileState], why: str) -> None:
    for state in changed:
        op.journal(state, "reverted", before=state.change.new, after=state.old,
                   backup=None, detail=why)

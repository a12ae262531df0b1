"""Step 1b, lock: take the host's lock on every target before reading them; give it back last.

A lock held by another run refuses this host naming the holder, or, with a wait
(``RunOptions.lock_wait``, the CLI's --wait), polls with a growing pause until it is free.
A dry run takes nothing and only says who holds a lock.
"""

from __future__ import annotations

import contextlib
import posixpath
import time

from tui.core.findings import Severity
from tui.core.remote.errors import ConnectError
from tui.core.remote.host_lock import LOCK_SUFFIX, Holder, LockHeld, LockRequest, parse_answer
from tui.core.remote.host_state import HostState

CONTINUE_MARK = "leap-tui-continue:"


def _target_of(lock: str) -> str:
    directory, name = posixpath.split(lock)
    return posixpath.join(directory, name.removeprefix(".").removesuffix(LOCK_SUFFIX))


def acquire(op: HostState, extra: str = "") -> str:
    """Take every lock of the host's targets; run ``extra`` (shell) in the same command once
    they are held and return the command's output for it."""
    request = LockRequest.for_targets([f.target for f in op.host.files], run=op.options.run_id,
                                      action=op.action, client=op.options.client)
    marker = f"{CONTINUE_MARK}{request.token}"
    # Once the lock is held the command stays open: after the marker its shell reads the
    # rest from stdin, which step_swap sends (one file, no reload, no watchdog: the whole
    # apply is then this one command) or ends with EOF before any other command runs.
    # A held lock ends it at once: it never waits for stdin then.
    script = "\n".join([
        request.take_command(),
        f'if [ "$leap_taken" != held ]; then\n{extra}\nfi' if extra else "",
        f'if [ "$leap_taken" != held ]; then printf "\\n%s\\n" {marker}; exec sh -s; fi'])
    deadline = time.monotonic() + max(0.0, op.options.lock_wait)
    pause = 1.0
    while True:
        command = op.live.start(script)
        output = command.read_until(marker)
        result = command.result
        if result is not None and result.status < 0:
            raise ConnectError(f"{op.name}: connection lost while taking the lock")
        answer = parse_answer(output)
        for path in answer.broken:
            op.finding("AP017", Severity.WARNING,
                       f"a stale lock on {_target_of(path)} was broken: the run that held it "
                       "is gone (its SSH session ended, or the host rebooted)")
        if answer.taken:
            op.lock = request
            return output
        holder = answer.holder
        assert holder is not None
        message = f"{_target_of(holder.path)} is locked by {holder.describe()}"
        left = deadline - time.monotonic()
        if left <= 0 or op.options.give_up.is_set():
            raise LockHeld(message, hint="another apply or rollback is working on this file; "
                           "try again when it is done, or give --wait")
        op.emit("wait", f"{message}; waiting ({round(left)} s left)")
        time.sleep(min(pause, left))
        pause = min(pause * 2, 10.0)


def release(op: HostState) -> None:
    """Give back the locks this run holds (never one a later run took after ours was broken)."""
    request = op.lock
    if request is None or op.conn is None or not op.conn.alive:
        return
    sftp = op.live.sftp
    for path in request.paths:
        with contextlib.suppress(OSError, EOFError):
            with sftp.open(posixpath.join(path, "owner"), "rb") as handle:
                owner = handle.read().decode("utf-8", "replace")
            if f"token={request.token}\n" in owner:
                sftp.remove(posixpath.join(path, "owner"))
                sftp.rmdir(path)
    op.lock = None


def peek(op: HostState) -> None:
    """A dry run: say who holds a lock now (a real run would wait or be refused)."""
    request = LockRequest.for_targets([f.target for f in op.host.files], run="", action="")
    for path in request.paths:
        try:
            with op.live.sftp.open(posixpath.join(path, "owner"), "rb") as handle:
                text = handle.read(4096).decode("utf-8", "replace")
        except OSError:
            continue
        fields = dict(line.partition("=")[::2] for line in text.splitlines() if "=" in line)
        op.finding("AP017", Severity.INFO,
                   f"{_target_of(path)} is locked by {Holder(path, fields).describe()} "
                   "(a real run waits with --wait, or is refused)")

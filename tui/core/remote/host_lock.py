"""A lock on the host per target file, held from the first read to the confirmation.

Two runs against one file — two terminals, or two machines — would otherwise both read
the same "before", both swap, and the journal would record a wrong "before" for one of
them. The lock is a directory beside the target (``.NAME.leap-tui.lock``): ``mkdir`` is
atomic on every file system, so whoever creates it holds it. Its ``owner`` file names the
run, the machine and user, the start time and the holder's SSH session on the host.

A lock is stale — and is broken — when its holder cannot be running any more: the host
rebooted since (boot id), or the SSH session that took it is gone (the session's sshd
process, with its start time so that a reused pid does not count). Where /proc is not
there, only its age tells (MAX_AGE). A lock without an owner file is being taken right
now, or its taker died between two commands: stale after a minute.
"""

from __future__ import annotations

import getpass
import os
import posixpath
import re
import shlex
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from tui.core.remote.errors import RemoteError

LOCK_SUFFIX = ".leap-tui.lock"
# Without /proc on the host: a lock this old cannot belong to a run still going.
MAX_AGE = 3600
_MARK = "leap-tui-lock:"
_SAFE = re.compile(r"[^A-Za-z0-9._@+-]")


class LockHeld(RemoteError):
    code = "AP017"


def lock_path(target: str) -> str:
    directory, name = posixpath.split(target)
    return posixpath.join(directory, f".{name}{LOCK_SUFFIX}")


def client_name() -> str:
    """``user@machine`` of this leap-tui, as the holder is named to another run."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for this uid (a container)
        user = str(os.getuid())
    return _SAFE.sub("_", f"{user}@{socket.gethostname()}")


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a lock, from its owner file."""

    path: str
    fields: dict[str, str]

    @property
    def run(self) -> str:
        return self.fields.get("run", "?")

    def describe(self) -> str:
        since = self.fields.get("since", "")
        when = (datetime.fromtimestamp(int(since), UTC).strftime("%H:%M:%SZ")
                if since.isdigit() else "an unknown time")
        client = self.fields.get("client")
        pid = f", pid {self.fields['pid']}" if self.fields.get("pid") else ""
        who = f" ({self.fields.get('action', 'run')} by {client}{pid})" if client else ""
        return f"run {self.run}{who} since {when}"


@dataclass(frozen=True, slots=True)
class LockRequest:
    """The locks one host operation takes, and the owner text it writes into them."""

    paths: tuple[str, ...]
    run: str
    action: str
    client: str
    token: str

    @classmethod
    def for_targets(cls, targets: list[str], *, run: str, action: str,
                    client: str = "") -> LockRequest:
        paths = tuple(sorted({lock_path(t) for t in targets}))  # one order: no deadlock
        return cls(paths, run, action, client or client_name(), uuid.uuid4().hex)

    def owner_text(self) -> str:
        return (f"run={_SAFE.sub('_', self.run)}\naction={_SAFE.sub('_', self.action)}\n"
                f"client={_SAFE.sub('_', self.client)}\npid={os.getpid()}\n"
                f"token={self.token}\n")

    def take_command(self) -> str:
        """Try every lock; on the first one held, give back those taken and name the
        holder. Prints ``leap-tui-lock: taken`` or ``leap-tui-lock: held PATH`` + owner."""
        q = shlex.quote
        return "\n".join([
            f"leap_owner={q(self.owner_text())}",
            "leap_boot=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)",
            'leap_start=$(sed "s/.*) //" "/proc/$PPID/stat" 2>/dev/null | cut -d" " -f20)',
            "leap_stale() {",
            '  [ -f "$1/owner" ] || { [ -n "$(find "$1" -maxdepth 0 -mmin +1 2>/dev/null)" ];'
            " return; }",
            '  b=$(sed -n "s/^boot=//p" "$1/owner"); s=$(sed -n "s/^session=//p" "$1/owner")',
            '  t=$(sed -n "s/^session_start=//p" "$1/owner")',
            '  if [ -n "$leap_boot" ] && [ -n "$b" ] && [ -n "$s" ]; then',
            '    [ "$b" = "$leap_boot" ] || return 0',
            '    [ -d "/proc/$s" ] || return 0',
            '    [ "$(sed "s/.*) //" "/proc/$s/stat" 2>/dev/null | cut -d" " -f20)" = "$t" ]'
            " || return 0",
            "    return 1",
            "  fi",
            '  a=$(sed -n "s/^since=//p" "$1/owner")',
            f'  [ $(( $(date +%s) - ${{a:-0}} )) -gt {MAX_AGE} ]',
            "}",
            # A directory that cannot hold the lock cannot take the file either: go on
            # unlocked, and let the preflight say why (PF005).
            "leap_take() {",
            '  if ! mkdir -- "$1" 2>/dev/null; then',
            f'    [ -e "$1" ] && return 1; echo "{_MARK} unwritable $1"; return 0',
            "  fi",
            '  { printf "%s" "$leap_owner"; printf "since=%s\\nsession=%s\\nsession_start=%s\\n'
            'boot=%s\\n" "$(date +%s)" "$PPID" "$leap_start" "$leap_boot"; } > "$1/owner"',
            "}",
            # Breaking is serialized by one more mkdir, and staleness is checked again
            # inside: a lock just taken by a third run is never broken by mistake.
            "leap_break() {",
            '  mkdir -- "$1.break" 2>/dev/null || { [ -n "$(find "$1.break" -maxdepth 0 -mmin +1'
            ' 2>/dev/null)" ] && rm -rf -- "$1.break"; return 1; }',
            '  if leap_stale "$1" && mv -- "$1" "$1.stale.$$" 2>/dev/null; then',
            f'    rm -rf -- "$1.stale.$$"; echo "{_MARK} broke $1"',
            "  fi",
            '  rmdir -- "$1.break" 2>/dev/null',
            "}",
            "leap_taken=''",
            f"for leap_lock in {' '.join(q(p) for p in self.paths)}; do",
            '  if ! leap_take "$leap_lock" &&',
            '     ! { leap_break "$leap_lock"; leap_take "$leap_lock"; }; then',
            '    for leap_back in $leap_taken; do rm -rf -- "$leap_back"; done',
            f'    echo "{_MARK} held $leap_lock"; cat -- "$leap_lock/owner" 2>/dev/null',
            "    leap_taken=held; break",
            "  fi",
            '  leap_taken="$leap_taken $leap_lock"',
            "done",
            f'[ "$leap_taken" = held ] || echo "{_MARK} taken"',
        ])


@dataclass(frozen=True, slots=True)
class LockAnswer:
    taken: bool
    holder: Holder | None
    broken: tuple[str, ...]


def parse_answer(output: str) -> LockAnswer:
    """What ``take_command`` printed (other output around it is ignored)."""
    broken: list[str] = []
    held: str | None = None
    fields: dict[str, str] = {}
    taken = False
    for line in output.splitlines():
        if line.startswith(_MARK):
            word, _, rest = line[len(_MARK):].strip().partition(" ")
            if word == "broke":
                broken.append(rest)
            elif word == "held":
                held = rest
            elif word == "taken":
                taken = True
        elif held is not None and "=" in line:
            key, _, value = line.partition("=")
            fields[key.strip()] = value.strip()
    holder = Holder(held, fields) if held is not None else None
    if not taken and holder is None:
        raise RemoteError("the lock on the host could not be taken: "
                          + (" ".join(output.split())[-200:] or "no answer"))
    return LockAnswer(taken, holder, tuple(broken))

"""The local journal: what leap-tui did on which host, and the bytes it put there.

One JSON object per line in ``journal.jsonl`` under the state directory (platformdirs'
user_state_dir, or $LEAP_TUI_STATE_DIR), appended (and fsynced) under a lock that two
leap-tui processes share; the applied bytes are kept by SHA-256 in ``blobs/`` so that a
drift can be shown three ways. Reading never fails: a bad line is reported with its number
and skipped (journal_entry.py), and a journal that is not a regular file is reported as
such; writing raises JournalError, a one-line message naming the file.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import io
import os
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from tui.core.atomic import atomic_write
from tui.core.errors import ConfigError
from tui.core.remote.journal_entry import JournalEntry, JournalProblem, parse_line
from tui.core.remote.watchdog import backup_stamp

__all__ = ["JournalEntry", "JournalProblem"]

STATE_ENV = "LEAP_TUI_STATE_DIR"
JOURNAL_NAME = "journal.jsonl"
# The longest line read as an entry. leap-tui's own are under 1 KiB (hashes, a path, a
# detail cut to 160 characters); a longer one is damage, counted, never held whole.
MAX_LINE = 64 * 1024

# Results after which the live file is exactly ``after``. "pending"/"unconfirmed" leave it
# to a watchdog, so the live file may be either ``before`` or ``after``.
SETTLED = frozenset({"applied", "confirmed", "rolled-back", "reverted", "unchanged"})
UNSETTLED = frozenset({"pending", "unconfirmed"})

_LOCK = threading.Lock()


def state_dir() -> Path:
    override = os.environ.get(STATE_ENV)
    if override:
        return Path(override)
    from platformdirs import user_state_dir

    return Path(user_state_dir("leap-tui"))


def sha256(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class JournalError(ConfigError):
    """The journal (or its state directory) cannot be used: names the file, one line."""


@dataclass(slots=True)
class JournalRead:
    entries: list[JournalEntry] = field(default_factory=list)
    problems: list[JournalProblem] = field(default_factory=list)


def _lines(handle: BinaryIO) -> list[bytes | int]:
    lines: list[bytes | int] = []
    while line := handle.readline(MAX_LINE + 1):
        if len(line) <= MAX_LINE or line.endswith(b"\n"):
            lines.append(line)
            continue
        size = len(line)
        while chunk := handle.readline(1 << 20):  # the rest of it, read past
            size += len(chunk)
            if chunk.endswith(b"\n"):
                break
        lines.append(size)
    return lines


def _parse(number: int, raw: bytes | int) -> JournalEntry | JournalProblem | None:
    """Line ``number`` of the journal (with its newline; its length when over MAX_LINE)."""
    if isinstance(raw, int):
        return JournalProblem(number, f"a line of {raw} bytes, over the {MAX_LINE // 1024} "
                              "KiB of one entry (leap-tui writes lines under 1 KiB): not read")
    unfinished = not raw.endswith(b"\n")
    raw = raw.removesuffix(b"\n").removesuffix(b"\r")
    if not raw.strip():
        return None
    try:
        return parse_line(raw)
    except ValueError as exc:
        return JournalProblem(number, f"{exc}{' (an unfinished last line)' if unfinished else ''}")


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def restored_backups(entries: list[JournalEntry]) -> set[str]:
    """Backups of applies that a later rollback put back (and so used up: the backup file
    was renamed over the live one).

    The journal records hashes, not which generation a rollback restored: a backup counts
    as restored when a later rollback on that host and path put back its content. One pass
    from the newest entry back, remembering what the rollbacks seen so far put back.
    """
    put_back: set[tuple[str, str, str | None]] = set()
    restored: set[str] = set()
    for entry in reversed(entries):
        if entry.action == "rollback" and entry.result in ("rolled-back", "confirmed"):
            put_back.add((entry.host, entry.path, entry.after))
        elif (entry.action == "apply" and entry.backup is not None
              and (entry.host, entry.path, entry.before) in put_back):
            restored.add(entry.backup)
    return restored


def short_hash(digest: str | None) -> str:
    return digest[:7] if digest else "absent"


def backup_label(entry: JournalEntry, restored: set[str]) -> str:
    """A history row's backup: its stamp, and whether a rollback used it up. A kept
    rollback's own copy is removed on the host (older journals still name it): none."""
    if entry.backup is None or (entry.action == "rollback"
                                and entry.result in ("confirmed", "rolled-back")):
        return "-"
    label = backup_stamp(entry.backup) or entry.backup
    return label + (" (restored: gone)" if entry.backup in restored else "")


def outcomes(entries: list[JournalEntry]) -> list[JournalEntry]:
    """One entry per change of a file (run, host, path, action): its last, in journal order.

    A change is journaled as "pending" before its swap and again when it settles; what an
    operator asks of the history is how each change ended. A change that stayed "pending"
    (the client was cut off) keeps that entry.
    """
    last: dict[tuple[str, str, str, str], int] = {}
    for index, entry in enumerate(entries):
        last[(entry.run, entry.host, entry.path, entry.action)] = index
    return [entries[index] for index in sorted(last.values())]


_Parsed = JournalEntry | JournalProblem | None  # what one line reads as (None: blank)


class Journal:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else state_dir()
        # Every line read last time and what it parsed to: each host of a run reads the
        # journal several times (drift, settling), and it only grows between two reads.
        # A line equal to the one read at the same place then is not parsed again.
        self._parsed: list[tuple[bytes | int, _Parsed]] = []

    @property
    def path(self) -> Path:
        return self.directory / JOURNAL_NAME

    def read(self, host: str | None = None) -> JournalRead:
        """Every good entry (of ``host``), and why each bad line was skipped."""
        found = JournalRead()
        try:
            lines = self._read_lines()
        except JournalError as exc:
            found.problems.append(JournalProblem(None, exc.message))
            return found
        known = self._parsed
        parsed: list[tuple[bytes | int, _Parsed]] = []
        for number, raw in enumerate(lines, start=1):
            same = number <= len(known) and known[number - 1][0] == raw
            item = known[number - 1][1] if same else _parse(number, raw)
            parsed.append((raw, item))
            if isinstance(item, JournalProblem):
                found.problems.append(item)
            elif item is not None and (host is None or item.host == host):
                found.entries.append(item)
        self._parsed = parsed
        return found

    def entries(self, host: str | None = None) -> list[JournalEntry]:
        return self.read(host).entries

    def _read_lines(self) -> list[bytes | int]:
        """The journal's lines (with their newline); a line over MAX_LINE as its length,
        never held whole. Never opens a FIFO or a device (that would hang or harm)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise JournalError(str(self.path), f"cannot read the journal: {_reason(exc)}"
                               ) from None
        if not stat.S_ISREG(st.st_mode):
            raise JournalError(str(self.path), f"is {_kind(st.st_mode)}, not a journal file")
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
        except OSError as exc:
            raise JournalError(str(self.path), f"cannot read the journal: {_reason(exc)}"
                               ) from None
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise JournalError(str(self.path), "is not a journal file")
            with self._shared():
                return _lines(handle)

    def check_writable(self) -> None:
        """Raise JournalError now, before a run changes any host, if entries cannot be
        added later (a run whose changes go unrecorded cannot be rolled back)."""
        with self._locked():
            self._open_for_append().close()

    def append(self, entry: JournalEntry) -> None:
        line = entry.to_json().encode() + b"\n"
        with self._locked(), self._open_for_append() as handle:
            try:
                end = os.fstat(handle.fileno()).st_size
                # A line left unfinished by a crash must not swallow this one.
                if end and os.pread(handle.fileno(), 1, end - 1) != b"\n":
                    line = b"\n" + line
                written = 0
                while written < len(line):
                    written += handle.write(line[written:]) or 0
                os.fsync(handle.fileno())
            except OSError as exc:
                raise JournalError(str(self.path), f"cannot write the journal: {_reason(exc)}"
                                   ) from None

    def _open_for_append(self) -> io.FileIO:
        created = not self.path.exists()
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK
                         | os.O_NOCTTY, 0o600)
        except OSError as exc:
            why = ("is a directory, not a journal file" if exc.errno == errno.EISDIR
                   else f"cannot write the journal: {_reason(exc)}")
            raise JournalError(str(self.path), why) from None
        handle = io.FileIO(fd, "r+")
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            handle.close()
            raise JournalError(str(self.path), f"is {_kind(mode)}, not a journal file")
        if created:
            with contextlib.suppress(OSError):
                dir_fd = os.open(self.directory, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)
        return handle

    def record(self, *, run: str, action: str, host: str, path: str, before: str | None,
               after: str | None, backup: str | None, result: str,
               detail: str = "") -> JournalEntry:
        entry = JournalEntry(utc_now(), run, action, host, path, before, after, backup, result,
                             detail)
        self.append(entry)
        return entry

    def expected_hashes(self, host: str, path: str) -> set[str | None] | None:
        """What the live file may hash to if nobody else touched it; ``None``: never applied."""
        for entry in reversed(self.entries(host)):
            if entry.path != path or entry.result not in SETTLED | UNSETTLED:
                continue
            if entry.result in UNSETTLED:
                return {entry.before, entry.after}
            return {entry.after}
        return None

    def last_applied(self, host: str, path: str) -> JournalEntry | None:
        for entry in reversed(self.entries(host)):
            if entry.path == path and entry.result in SETTLED | UNSETTLED:
                return entry
        return None

    def store_blob(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self.directory / "blobs" / digest
        try:
            if not path.is_file():
                self._private_dir(path.parent)
                atomic_write(path, data, mode=0o600)
        except OSError as exc:
            raise JournalError(str(path.parent), f"cannot keep a copy of the bytes: "
                               f"{_reason(exc)}") from None
        return digest

    def blob(self, digest: str | None) -> bytes | None:
        """The bytes of ``digest``; None when missing, not a file, or not those bytes."""
        if digest is None:
            return None
        path = self.directory / "blobs" / digest
        try:
            if not path.is_file():
                return None
            data = path.read_bytes()
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == digest else None

    def _private_dir(self, directory: Path) -> None:
        """Create ``directory`` (and the state directory above it) readable by us alone:
        the journal and the blobs are whole configurations."""
        for level in (self.directory, directory):
            # mkdir's mode is cut by the umask, and parents=True ignores it for parents.
            with contextlib.suppress(FileExistsError):
                self.directory.parent.mkdir(parents=True, exist_ok=True)
                level.mkdir(mode=0o700)
                os.chmod(level, 0o700)
            if not level.is_dir():
                raise JournalError(str(level), "is not a directory: the journal cannot live "
                                   f"there (set ${STATE_ENV} to another place)")

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        # Threads of one run share _LOCK; two leap-tui processes share the flock.
        with _LOCK:
            try:
                self._private_dir(self.directory)
                handle = open(self.directory / ".journal.lock", "a+b")  # noqa: SIM115
            except OSError as exc:
                raise JournalError(str(self.directory / ".journal.lock"),
                                   f"cannot lock the journal: {_reason(exc)}") from None
            with handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    @contextlib.contextmanager
    def _shared(self) -> Iterator[None]:
        """Read between two appends, never half of one (when the lock file exists)."""
        try:
            handle = open(self.directory / ".journal.lock", "rb")  # noqa: SIM115
        except OSError:
            yield
            return
        with handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

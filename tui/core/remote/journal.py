"""The local journal: what leap-tui did on which host, and the bytes it put there.

One JSON object per line in ``journal.jsonl`` under the state directory (platformdirs'
user_state_dir, or $LEAP_TUI_STATE_DIR), rewritten atomically on every entry; the applied
bytes are kept by SHA-256 in ``blobs/`` so that a drift can be shown three ways.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from tui.core.atomic import atomic_write
from tui.core.remote.watchdog import backup_stamp

STATE_ENV = "LEAP_TUI_STATE_DIR"
JOURNAL_NAME = "journal.jsonl"

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


@dataclass(frozen=True, slots=True)
class JournalEntry:
    time: str
    run: str
    action: str  # apply | rollback | watchdog
    host: str
    path: str
    before: str | None
    after: str | None
    backup: str | None
    result: str
    detail: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


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
    """A history row's backup: its stamp, and whether a rollback used it up."""
    if entry.backup is None:
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


class Journal:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else state_dir()

    @property
    def path(self) -> Path:
        return self.directory / JOURNAL_NAME

    def entries(self, host: str | None = None) -> list[JournalEntry]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        found: list[JournalEntry] = []
        for row in text.splitlines():
            try:
                raw = json.loads(row)
                entry = JournalEntry(**raw)
            except (ValueError, TypeError):
                continue  # a foreign or damaged line must not hide the rest of the history
            if host is None or entry.host == host:
                found.append(entry)
        return found

    def append(self, entry: JournalEntry) -> None:
        with self._locked():
            old = self.path.read_bytes() if self.path.exists() else b""
            atomic_write(self.path, old + entry.to_json().encode() + b"\n", mode=0o600)

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
        if not path.exists():
            self._private_dir(path.parent)
            atomic_write(path, data, mode=0o600)
        return digest

    def blob(self, digest: str | None) -> bytes | None:
        if digest is None:
            return None
        try:
            return (self.directory / "blobs" / digest).read_bytes()
        except OSError:
            return None

    def _private_dir(self, directory: Path) -> None:
        """Create ``directory`` (and the state directory above it) readable by us alone:
        the journal and the blobs are whole configurations."""
        for level in (self.directory, directory):
            # mkdir's mode is cut by the umask, and parents=True ignores it for parents.
            with contextlib.suppress(FileExistsError):
                self.directory.parent.mkdir(parents=True, exist_ok=True)
                level.mkdir(mode=0o700)
                os.chmod(level, 0o700)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        # Threads of one run share _LOCK; two leap-tui processes share the flock.
        with _LOCK:
            self._private_dir(self.directory)
            with open(self.directory / ".journal.lock", "a+b") as handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

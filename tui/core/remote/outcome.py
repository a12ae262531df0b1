"""What a run shares across hosts (RunOptions) and what it gives back per host (HostResult)."""

from __future__ import annotations

import difflib
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.findings import Finding
from tui.core.inventory import Inventory
from tui.core.remote.changes import ProviderLike
from tui.core.remote.host_lock import client_name
from tui.core.remote.journal import Journal
from tui.core.remote.ssh import SshOptions

# on_event(host, stage, detail): progress for a UI; called from the worker thread.
OnEvent = Callable[[str, str, str], None]
# confirm(host, deadline as time.time()) -> True to keep the change. Called only after a new
# connection with the new settings succeeded; False (or no answer in time) reverts.
Confirm = Callable[[str, float], bool]

DEFAULT_LOCKOUT_WINDOW = 120.0
# The safety net of a swap with several files or a reload and no confirm window: long
# enough for the reload commands, short enough that a host cut off mid-swap comes back soon.
DEFAULT_SAFETY_WINDOW = 90.0
KEEP_BACKUPS = 5
# How long a health probe keeps trying while the server comes up after its reload.
PROBE_PATIENCE = 10.0
# Journal details hold at most this much of a command's output (it may echo secrets).
DETAIL_LIMIT = 160

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
    allow_errors: bool = False  # preflight errors (PFxxx) do not stop a host
    confirm_within: float | None = None  # given: every host gets the window
    lockout_window: float = DEFAULT_LOCKOUT_WINDOW
    keep_backups: int = KEEP_BACKUPS
    provider: ProviderLike | None = None
    provider_root: Path | None = None
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    safety_window: float = DEFAULT_SAFETY_WINDOW
    # Seconds to wait for another run's lock on a target (--wait); 0: refuse at once.
    lock_wait: float = 0.0
    # Set by the operator (Ctrl-C, a key) to stop waiting: for a lock, or for a new
    # connection in a confirm window (the host then reverts).
    give_up: threading.Event = field(default_factory=threading.Event)
    probe_patience: float = PROBE_PATIENCE
    # How a lock held by this run names its holder to another run: user@machine.
    client: str = field(default_factory=client_name)


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


def unified_diff(label: str, old: bytes | None, new: bytes | None,
                 old_name: str = "live", new_name: str = "new") -> str:
    a = (old or b"").decode("utf-8", "replace").splitlines(keepends=True)
    b = (new or b"").decode("utf-8", "replace").splitlines(keepends=True)
    lines = difflib.unified_diff(a, b, f"{label} ({old_name})", f"{label} ({new_name})")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def journal_detail(text: str, limit: int = DETAIL_LIMIT) -> str:
    """``text`` cut to its start and a short tail: command output may echo secrets, and the
    journal keeps forever what the result table shows once."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = limit * 2 // 3
    return text[:head] + " ... " + text[-(limit - head - 5):]

"""What a remote run and the UI say to each other across the worker thread.

The worker thread posts these messages to its screen (thread-safe, never blocking the UI)
and, when it needs an answer, waits on an ``Answer`` that a dialog or a key fills in.
RemoteRunFinished goes to the app. Kept apart from the screens: the app imports this at
start-up, the screens (and paramiko behind them) only when a run starts.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from textual.message import Message

if TYPE_CHECKING:
    from tui.core.inventory import Inventory
    from tui.core.remote.protocol import HostResult

# The confirm-or-revert window of lock-out-prone changes in the TUI (issue 4).
DEFAULT_CONFIRM_WINDOW = 120.0

T = TypeVar("T")


class Answer(Generic[T]):
    """One answer from the UI to a waiting worker thread; the first one given counts."""

    def __init__(self, default: T) -> None:
        self.default = default
        self.value = default
        self._given = threading.Event()
        self._lock = threading.Lock()

    @property
    def given(self) -> bool:
        return self._given.is_set()

    def give(self, value: T) -> None:
        with self._lock:
            if self._given.is_set():
                return
            self.value = value
            self._given.set()

    def wait(self, stop: threading.Event, deadline: float | None = None) -> T:
        """The answer; the default once ``stop`` is set or ``deadline`` (time.time()) passes."""
        while not self._given.is_set():
            left = 0.1 if deadline is None else min(0.1, deadline - time.time())
            if stop.is_set() or left <= 0:
                self.give(self.default)
                break
            self._given.wait(left)
        return self.value


class HostEvent(Message):
    def __init__(self, host: str, stage: str, detail: str) -> None:
        super().__init__()
        self.host = host
        self.stage = stage
        self.detail = detail


class HostKeyAsked(Message):
    def __init__(self, name: str, key_type: str, fingerprint: str, answer: Answer[bool]) -> None:
        super().__init__()
        self.name = name
        self.key_type = key_type
        self.fingerprint = fingerprint
        self.answer = answer


class SshNote(Message):
    """Something the SSH layer did without asking, said once (a host key recorded)."""

    def __init__(self, line: str) -> None:
        super().__init__()
        self.line = line


class PassphraseAsked(Message):
    def __init__(self, key_path: str, answer: Answer[str | None]) -> None:
        super().__init__()
        self.key_path = key_path
        self.answer = answer


class ConfirmAsked(Message):
    def __init__(self, host: str, deadline: float, answer: Answer[bool]) -> None:
        super().__init__()
        self.host = host
        self.deadline = deadline
        self.answer = answer


class RunEnded(Message):
    def __init__(self, kind: str, results: list[HostResult], error: str) -> None:
        super().__init__()
        self.kind = kind
        self.results = results
        self.error = error


class RemoteRunFinished(Message):
    """To the app: a run on the hosts ended (what Rollback offers may have changed)."""

    def __init__(self, kind: str, results: list[HostResult]) -> None:
        super().__init__()
        self.kind = kind
        self.results = results


@dataclass(frozen=True, slots=True)
class RemoteSetup:
    """What a remote run needs from the app: the files as saved on disk, the window."""

    inventory: Inventory
    clace: Path | None = None
    provider: Path | None = None
    confirm_window: float = DEFAULT_CONFIRM_WINDOW

"""The line above a run's progress: what the hosts wait for, with the seconds left.

Two kinds of wait. A host whose new connection works waits for the operator (c keeps the
change, x reverts now) until its deadline. A host that cannot prove the change yet waits
for a new connection: the core retries with a growing pause and reports each attempt
(on_event stage "reconnect", detail "N s left: reverts by itself at HH:MM:SS ..."), or the
old session was lost ("lost"), or another run holds a lock ("wait", "... (N s left)").
The seconds the core reported are counted down here between its reports; x gives up
waiting (the host reverts at once, or by itself at its deadline).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from textual.widgets import Static

# Stages during which a host waits on something other than the operator.
WAIT_STAGES = frozenset({"reconnect", "lost", "wait"})
_LEFT_FIRST = re.compile(r"^(\d+) s left: (.*)$", re.DOTALL)
_LEFT_INSIDE = re.compile(r"\((\d+) s left\)")


@dataclass(slots=True)
class Waiting:
    """One host's wait as the core last reported it."""

    stage: str
    detail: str
    seconds: float | None  # seconds left when reported, if the report says
    since: float  # time.monotonic() of the report

    def left(self, now: float) -> int | None:
        if self.seconds is None:
            return None
        return max(0, round(self.seconds - (now - self.since)))

    def line(self, host: str, now: float) -> str:
        left = self.left(now)
        if self.stage == "lost":
            return f"⚠ {host}: {self.detail}. Trying a new connection to confirm…"
        if self.stage == "wait":
            detail = _LEFT_INSIDE.sub(f"({left} s left)", self.detail) if left is not None \
                else self.detail
            return f"⏳ {host}: {detail}. x stops waiting (nothing is changed on it)."
        match = _LEFT_FIRST.match(self.detail)
        if match is None or left is None:
            return (f"⏳ {host}: proving the change over a new connection to {self.detail}… "
                    "x gives up (the host reverts).")
        return (f"⏳ {host}: no new connection yet, {left} s left: {match.group(2)}. "
                "x gives up now: the host reverts.")


def waiting_from(stage: str, detail: str, now: float) -> Waiting:
    found = _LEFT_FIRST.match(detail) or _LEFT_INSIDE.search(detail)
    return Waiting(stage, detail, float(found.group(1)) if found else None, now)


class RunCountdown(Static):
    """Hidden while nothing waits; one line per waiting host otherwise."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]
        self.confirming: dict[str, float] = {}  # host -> deadline (time.time())
        self.waiting: dict[str, Waiting] = {}
        self.display = False

    @property
    def text(self) -> str:
        return str(self.content)

    @property
    def waits_for_connection(self) -> bool:
        """Whether some host waits for a new connection or a lock (x gives up on it)."""
        return any(w.stage in ("reconnect", "wait") for w in self.waiting.values())

    def host_event(self, host: str, stage: str, detail: str) -> None:
        """A stage reported by the core: a wait starts, goes on, or is over."""
        if stage in WAIT_STAGES:
            self.waiting[host] = waiting_from(stage, detail, time.monotonic())
        else:
            self.waiting.pop(host, None)
        self.show()

    def clear(self) -> None:
        self.confirming.clear()
        self.waiting.clear()
        self.show()

    def show(self) -> None:
        now = time.monotonic()
        lines = [wait.line(host, now) for host, wait in sorted(self.waiting.items())
                 if host not in self.confirming]
        if self.confirming:
            wall = time.time()
            hosts = ", ".join(sorted(self.confirming))
            left = max(0, round(min(self.confirming.values()) - wall))
            lines.append(f"⏳ {hosts}: the new connection works. Press c within {left} s to "
                         "keep the change, x to revert now. Without an answer the hosts "
                         "revert on their own.")
        self.update("\n".join(lines))
        self.display = bool(lines)

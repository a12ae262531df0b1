"""One row per host while a remote run goes: stage, detail, time spent; a countdown when asked."""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

from widgets.tones import TONES

# Final stages stop the clock; each shows a word and an icon, never colour alone.
_LOOK = {
    "done": ("✔", TONES.good),
    "confirmed": ("✔", TONES.good),
    "failed": ("✖", TONES.bad),
    "skipped": ("–", TONES.warn),
    "revert": ("↺", TONES.warn),
    "confirm": ("⏳", "bold yellow"),
    "waiting": ("·", "dim"),
}
FINAL_STAGES = frozenset({"done", "failed", "skipped"})
COLUMNS = ("host", "stage", "detail", "time")


class HostProgressTable(DataTable[Text | str]):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", **kwargs)  # type: ignore[arg-type]
        self._started: dict[str, float] = {}
        self._ended: dict[str, float] = {}
        self.stages: dict[str, str] = {}
        self.details: dict[str, str] = {}

    def _ensure_columns(self) -> None:
        # start() may come before on_mount when the table was just mounted.
        if not self.columns:
            for column in COLUMNS:
                self.add_column(column, key=column)

    def on_mount(self) -> None:
        self._ensure_columns()

    def start(self, hosts: Sequence[str]) -> None:
        """A fresh run over ``hosts``: every row waiting, clocks reset."""
        self._ensure_columns()
        self.clear()
        self._started.clear()
        self._ended.clear()
        self.stages.clear()
        self.details.clear()
        for host in hosts:
            self.stages[host] = "waiting"
            self.details[host] = ""
            self.add_row(host, self._stage_text("waiting"), "", "", key=host)

    def update_host(self, host: str, stage: str, detail: str) -> None:
        if host not in self.stages:
            return
        now = time.monotonic()
        self._started.setdefault(host, now)
        if stage in FINAL_STAGES:
            self._ended[host] = now
        self.stages[host] = stage
        self.details[host] = detail
        self.update_cell(host, "stage", self._stage_text(stage), update_width=True)
        self.update_cell(host, "detail", Text(detail, overflow="ellipsis", no_wrap=True),
                         update_width=True)
        self._show_time(host)

    def set_detail(self, host: str, detail: str) -> None:
        """Replace the detail only (a countdown ticking), keeping the stage."""
        if host in self.stages:
            self.details[host] = detail
            self.update_cell(host, "detail", Text(detail, style="bold"), update_width=True)

    def tick(self) -> None:
        for host in self._started:
            if host not in self._ended:
                self._show_time(host)

    def _show_time(self, host: str) -> None:
        start = self._started.get(host)
        if start is None:
            return
        seconds = self._ended.get(host, time.monotonic()) - start
        self.update_cell(host, "time", f"{seconds:5.1f}s", update_width=True)

    @staticmethod
    def _stage_text(stage: str) -> Text:
        icon, style = _LOOK.get(stage, ("›", ""))
        return Text(f"{icon} {stage}", style=style)

"""The per-host result of a remote run: status (word and icon), AP codes, message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import DataTable

from widgets.tones import TONES

if TYPE_CHECKING:
    from tui.core.remote.protocol import HostResult


def result_codes(result: HostResult) -> list[str]:
    return sorted({f.code for f in result.findings})


def result_note(result: HostResult) -> str:
    notes = [f"{f.message}" + (f" ({f.hint})" if f.hint else "") for f in result.findings]
    if result.lockout and result.ok:
        notes.append("lock-out risk: " + "; ".join(result.lockout))
    return " / ".join(notes) or result.message or "-"


def result_detail(result: HostResult | None) -> str:
    """One host's result in full, a line per finding: the table's message cell is cut."""
    if result is None:
        return ""
    files = ", ".join(f"{f.target} ({f.status})" for f in result.files)
    lines = [f"{result.host}: {result.status}" + (f" · {files}" if files else "")]
    lines += [f"  {f.code} {f.message}" + (f" → {f.hint}" if f.hint else "")
              for f in result.findings]
    if result.lockout and result.ok:
        lines.append("  lock-out risk: " + "; ".join(result.lockout))
    if not result.findings and result.message:
        lines.append(f"  {result.message}")
    return "\n".join(lines)


class HostResultsTable(DataTable[Text | str]):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", **kwargs)  # type: ignore[arg-type]
        self.results: list[HostResult] = []

    def _ensure_columns(self) -> None:
        # show() may come before on_mount when the table was just mounted.
        if not self.columns:
            self.add_columns("host", "status", "codes", "files", "message", "time")

    def on_mount(self) -> None:
        self._ensure_columns()

    def show(self, results: Sequence[HostResult]) -> None:
        self._ensure_columns()
        self.results = list(results)
        self.clear()
        for result in self.results:
            look = Text("✔ " + result.status, style=TONES.good) if result.ok else Text(
                "✖ " + result.status, style=TONES.bad)
            files = ", ".join(f"{f.target.rsplit('/', 1)[-1]} ({f.status})"
                              for f in result.files) or "-"
            self.add_row(result.host, look, " ".join(result_codes(result)) or "-", files,
                         Text(result_note(result), overflow="fold"), f"{result.seconds:.1f}s",
                         key=result.host)

    @property
    def highlighted(self) -> HostResult | None:
        if 0 <= self.cursor_row < len(self.results):
            return self.results[self.cursor_row]
        return None

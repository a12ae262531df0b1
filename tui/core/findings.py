"""Findings: what a check reports, in the shape of a linter's diagnostics."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from tui.core.clip import clip_message


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Lower sorts first: errors before warnings before infos."""
        return _RANK[self]

    @property
    def icon(self) -> str:
        """A glyph that tells the severity without colour (NO_COLOR, 16-colour terminals)."""
        return _ICON[self]


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_ICON = {Severity.ERROR: "✖", Severity.WARNING: "▲", Severity.INFO: "ℹ"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found by a check.

    ``file`` is the path as the user knows it (relative to the provider for LEAP files),
    ``path`` the dotted key path inside that file ("https.port", "openvpn.ports.1"),
    ``line`` the 1-based line of that key when the file has it. ``node`` names the LEAP
    node whose effective configuration the finding is about, so that a UI can jump to it.
    """

    code: str
    severity: Severity
    message: str
    file: str | None = None
    path: str = ""
    line: int | None = None
    hint: str = ""
    node: str | None = None

    def __post_init__(self) -> None:
        # A value in a message is named, never carried whole (tui/core/clip.py).
        object.__setattr__(self, "message", clip_message(self.message))
        object.__setattr__(self, "hint", clip_message(self.hint))

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "file": self.file,
            "path": self.path,
            "line": self.line,
            "hint": self.hint,
        }

    @property
    def location(self) -> str:
        """``file:line`` (or what of it is known), the way compilers print it."""
        where = self.file or "-"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return where

    def format_text(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.location}: {self.code} {self.severity} {self.message}{hint}"


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(
        findings,
        key=lambda f: (f.severity.rank, f.file or "", f.line or 0, f.code, f.path, f.message),
    )


def count_by_severity(findings: Iterable[Finding]) -> dict[Severity, int]:
    counts = Counter(f.severity for f in findings)
    return {severity: counts.get(severity, 0) for severity in Severity}


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)

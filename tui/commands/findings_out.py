"""Findings as a linter prints them: ``path:line:column: CODE severity message (hint)``,
GitHub workflow annotations, SARIF 2.1.0 for code scanning, or leap-tui's JSON.

The one formatter of findings for every command (check, set, apply's refusal): paths are
relative to the current directory when the file lies under it (else absolute), so that an
editor or CI annotation opens the right file from where the command ran. A finding about
a whole file (a missing provider.json) has no line: it prints as ``path: CODE ...``.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from tui.core.findings import Finding, Severity, count_by_severity

_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


@dataclass(frozen=True, slots=True)
class Located:
    finding: Finding
    path: str | None  # as printed
    line: int | None
    column: int | None

    @property
    def where(self) -> str:
        text = self.path or "-"
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text

    def text(self) -> str:
        f = self.finding
        hint = f" ({f.hint})" if f.hint else ""
        return f"{self.where}: {f.code} {f.severity} {f.message}{hint}"

    def to_dict(self) -> dict[str, Any]:
        f = self.finding
        return {"code": f.code, "severity": str(f.severity), "message": f.message,
                "file": self.path, "line": self.line, "column": self.column, "path": f.path,
                "hint": f.hint, "node": f.node}


class Locator:
    """Where a finding's file is (a LEAP finding names it relative to the provider) and the
    column of its key on its line."""

    def __init__(self, provider_root: Path | None = None, cwd: Path | None = None,
                 texts: Mapping[Path, str] | None = None) -> None:
        """``texts``: files as edited but not saved (`set`), whose lines are not on disk."""
        self.provider_root = provider_root
        self.cwd = (cwd or Path.cwd()).resolve()
        self._lines: dict[Path, list[str]] = {
            Path(os.path.abspath(path)): text.splitlines() for path, text in (texts or {}).items()}
        self._shown: dict[str, str] = {}  # thousands of port rows name a few files

    def locate(self, finding: Finding) -> Located:
        if finding.file is None:
            return Located(finding, None, finding.line, None)
        path = self._file(finding.file)
        column = None
        if finding.line is not None:
            column = column_of(self._line(path, finding.line), finding.path)
        return Located(finding, self.display(path), finding.line, column)

    def path_of(self, name: str) -> str:
        """A file named as the core names it, as printed."""
        shown = self._shown.get(name)
        if shown is None:
            shown = self._shown[name] = self.display(self._file(name))
        return shown

    def display(self, path: Path) -> str:
        absolute = Path(os.path.abspath(path))
        try:
            return absolute.relative_to(self.cwd).as_posix()
        except ValueError:
            return str(absolute)

    def _file(self, name: str) -> Path:
        given = Path(name)
        if not given.is_absolute() and self.provider_root is not None:
            inside = self.provider_root / given
            if inside.exists() or not given.exists():
                return inside
        return given

    def _line(self, path: Path, number: int) -> str:
        path = Path(os.path.abspath(path))
        if path not in self._lines:
            try:
                # Only regular files: a finding never names a FIFO, but never block on one.
                text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
            except OSError:
                text = ""
            self._lines[path] = text.splitlines()
        lines = self._lines[path]
        return lines[number - 1] if 0 < number <= len(lines) else ""


def column_of(line: str, key_path: str) -> int | None:
    """1-based column of the key ``key_path`` names on ``line`` (its last named part:
    ``"port"`` of ``ssh.port``), else of the line's first character; None for no text."""
    if not line.strip():
        return None
    for part in reversed(key_path.split(".") if key_path else []):
        if part.isdigit():
            continue  # an array item: its value starts the line
        for pattern in (f'"{re.escape(part)}"', rf"(?<![\w-]){re.escape(part)}(?![\w-])"):
            match = re.search(pattern, line)
            if match:
                return match.start() + 1
        break
    return len(line) - len(line.lstrip()) + 1


def summary(findings: list[Finding]) -> str:
    counts = count_by_severity(findings)
    return ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in Severity)


def print_text(located: list[Located], stream: IO[str] | None = None) -> None:
    """Plain lines on a pipe; the same text in colour on a terminal. ``stream``: stdout
    (data, as `check` prints) or stderr (status, as apply's refusal prints)."""
    out = stream or sys.stdout
    if not out.isatty():
        out.write("".join(item.text() + "\n" for item in located))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, highlight=False, soft_wrap=True)
    for item in located:
        f = item.finding
        line = Text()
        line.append(f"{item.where}: ", style="bold")
        line.append(f"{f.code} {f.severity}", style=_STYLE[f.severity])
        line.append(f" {f.message}")
        if f.hint:
            line.append(f" ({f.hint})", style="dim")
        console.print(line)


def print_findings(findings: list[Finding], provider_root: Path | None = None,
                   stream: IO[str] | None = None, texts: Mapping[Path, str] | None = None) -> None:
    """Findings as `check` prints them, from any command (``provider_root``: where a LEAP
    finding's provider-relative file lies; ``texts``: unsaved files, see Locator)."""
    locator = Locator(provider_root, texts=texts)
    print_text([locator.locate(f) for f in findings], stream)


def display_path(name: str, cwd: Path | None = None) -> str:
    """A file named in a message, as findings name it: relative to the current directory
    when it lies under it, else as given."""
    if not name or not os.path.isabs(name):
        return name
    here = (cwd or Path.cwd()).resolve()
    try:
        return Path(os.path.normpath(name)).relative_to(here).as_posix()
    except ValueError:
        try:
            return Path(os.path.realpath(name)).relative_to(here).as_posix()
        except ValueError:
            return name


def print_github(located: list[Located]) -> None:
    """GitHub Actions workflow commands: one annotation per finding."""
    for item in located:
        f = item.finding
        properties = [f"title={_gh_property(f.code)}"]
        if item.path:
            properties.insert(0, f"file={_gh_property(item.path)}")
            if item.line is not None:
                properties.insert(1, f"line={item.line}")
                if item.column is not None:
                    properties.insert(2, f"col={item.column}")
        message = f.message + (f" ({f.hint})" if f.hint else "")
        sys.stdout.write(f"::{_GITHUB_LEVEL[f.severity]} {','.join(properties)}::"
                         f"{_gh_data(message)}\n")


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def sarif(located: list[Located], rules: dict[str, str], tool_version: str,
          cwd: Path) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run; file URIs relative to %SRCROOT% (the current dir)."""
    used = sorted({item.finding.code for item in located})
    results = []
    for item in located:
        f = item.finding
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": used.index(f.code),
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message + (f" ({f.hint})" if f.hint else "")},
        }
        if item.path:
            region: dict[str, int] = {}
            if item.line is not None:
                region["startLine"] = item.line
                if item.column is not None:
                    region["startColumn"] = item.column
            location: dict[str, Any] = {"artifactLocation": _artifact(item.path)}
            if region:
                location["region"] = region
            result["locations"] = [{"physicalLocation": location}]
        if f.path:
            result["properties"] = {"keyPath": f.path}
        results.append(result)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "leap-tui",
                "version": tool_version,
                "rules": [{"id": code, "shortDescription": {"text": rules.get(code, code)}}
                          for code in used],
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": cwd.resolve().as_uri() + "/"}},
            "results": results,
        }],
    }


def _artifact(path: str) -> dict[str, str]:
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path), "uriBaseId": "%SRCROOT%"}


def print_sarif(located: list[Located], rules: dict[str, str], tool_version: str,
                cwd: Path) -> None:
    json.dump(sarif(located, rules, tool_version, cwd), sys.stdout, indent=2,
              ensure_ascii=False)
    sys.stdout.write("\n")


@dataclass(frozen=True, slots=True)
class InputError:
    """Why a check could not run (exit 2), for the github and sarif formats."""

    message: str
    path: str | None = None  # as printed
    line: int | None = None
    column: int | None = None


def print_github_errors(errors: list[InputError]) -> None:
    """An error annotation per file that could not be read, so that CI shows why."""
    for error in errors:
        properties = ["title=leap-tui"]
        if error.path:
            properties.insert(0, f"file={_gh_property(error.path)}")
            if error.line is not None:
                properties.insert(1, f"line={error.line}")
                if error.column is not None:
                    properties.insert(2, f"col={error.column}")
        sys.stdout.write(f"::error {','.join(properties)}::{_gh_data(error.message)}\n")


def print_sarif_failure(errors: list[InputError], tool_version: str, cwd: Path) -> None:
    """A SARIF log whose run did not succeed: no results, and a toolExecutionNotification
    per error (SARIF 2.1.0, 3.20.21), located when the error names a file."""
    document = sarif([], {}, tool_version, cwd)
    notifications = []
    for error in errors:
        notification: dict[str, Any] = {"level": "error", "message": {"text": error.message}}
        if error.path:
            location: dict[str, Any] = {"artifactLocation": _artifact(error.path)}
            if error.line is not None:
                location["region"] = {"startLine": error.line, **(
                    {"startColumn": error.column} if error.column is not None else {})}
            notification["locations"] = [{"physicalLocation": location}]
        notifications.append(notification)
    document["runs"][0]["invocations"] = [{"executionSuccessful": False,
                                           "toolExecutionNotifications": notifications}]
    json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")

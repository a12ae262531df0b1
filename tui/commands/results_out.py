"""apply/rollback results: the per-host table, the dry run's diffs, and their JSON.

A dry run's diffs on stdout are a patch: each file's header names ``HOST/TARGET`` (the host
name, then the remote path), so that ``apply --dry-run | patch -p0 --dry-run`` checks them
against a local copy of the hosts' files laid out that way; nothing else goes to stdout
then, and no line is ever wrapped.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any

from tui.commands.findings_out import Locator
from tui.commands.output import plain_lines

if TYPE_CHECKING:
    from rich.console import Console

    from tui.core.remote.protocol import HostResult

RESULT_COLUMNS = ("host", "status", "files", "backup", "detail", "time")
_HEADER = re.compile(r"^(---|\+\+\+) (.*) \(([^()]*)\)$")


def patch_path(host: str, target: str) -> str:
    return f"{host}{target}" if target.startswith("/") else f"{host}/{target}"


def patch_text(result: HostResult) -> str:
    """The host's diffs with patch-friendly headers: ``--- HOST/TARGET<TAB>(live)``."""
    out = []
    for outcome in result.files:
        labels = {f"{result.host}:{outcome.target}", outcome.target}
        for line in outcome.diff.splitlines(keepends=True):
            match = _HEADER.match(line.rstrip("\n"))
            if match and match.group(2) in labels:
                line = f"{match.group(1)} {patch_path(result.host, outcome.target)}\t" \
                       f"({match.group(3)} on {result.host})\n"
            out.append(line)
    return "".join(out)


def detail_notes(result: HostResult) -> list[str]:
    notes = [f"{f.code} {f.message}" + (f" ({f.hint})" if f.hint else "")
             for f in result.findings]
    if result.lockout:
        notes.append("lock-out risk: " + "; ".join(result.lockout))
    if not notes and result.message:
        notes.append(result.message)
    return notes


def _wave(waves: dict[str, int], host: str) -> str:
    return str(waves[host]) if host in waves else "-"


def result_rows(results: list[HostResult],
                waves: dict[str, int] | None = None) -> list[list[str]]:
    """One record per host; with ``waves`` (a rollout of several) a last field, the wave."""
    rows = []
    for result in results:
        rows.append([
            result.host, result.status,
            " ".join(f"{f.target} ({f.status})" for f in result.files),
            " ".join(f.backup.rsplit("/", 1)[-1] for f in result.files if f.backup),
            "; ".join(detail_notes(result)), f"{result.seconds:.1f}s",
            *([_wave(waves, result.host)] if waves else [])])
    return rows


def print_table(console: Console, results: list[HostResult],
                waves: dict[str, int] | None = None) -> None:
    """A Rich table on a terminal; elsewhere (stderr in a log) a header and one record per
    host, never boxed or wrapped."""
    if not console.is_terminal:
        header = [*RESULT_COLUMNS, *(("wave",) if waves else ())]
        console.file.write(plain_lines([header, *result_rows(results, waves)]))
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="leap-tui: per-host result")
    for column in (*RESULT_COLUMNS, *(("wave",) if waves else ())):
        table.add_column(column, overflow="fold")
    for result in results:
        style = "green" if result.ok else "red"
        files = "\n".join(f"{f.target} ({f.status})" for f in result.files) or "-"
        backups = "\n".join(f.backup.rsplit("/", 1)[-1] for f in result.files if f.backup) or "-"
        # Paths and command output are data, never Rich markup ("[/x]" prints as typed).
        table.add_row(escape(result.host), f"[{style}]{result.status}[/]", escape(files),
                      escape(backups), escape("\n".join(detail_notes(result)) or "-"),
                      f"{result.seconds:.1f}s", *([_wave(waves, result.host)] if waves else []))
    console.print(table)


def print_results(results: list[HostResult], *, stdout: Console | None,
                  waves: dict[str, int] | None = None) -> None:
    """The per-host table: Rich on a terminal (``stdout``), one record per line on a pipe;
    ``waves`` adds the wave column (only for a rollout of several waves)."""
    if stdout is not None:
        print_table(stdout, results, waves)
    else:
        sys.stdout.write(plain_lines(result_rows(results, waves)))


def print_failures(console: Console, results: list[HostResult]) -> None:
    """Why hosts failed, and drift's three-way diffs: for the operator (stderr)."""
    for result in results:
        if result.status == "failed" and any(f.status == "drift" for f in result.files):
            rule(console, f"{result.host}: drift (three-way)")
            console.print(result.diff, highlight=False, markup=False, soft_wrap=True)


def rule(console: Console, title: str) -> None:
    """A titled rule on a terminal; a plain "== title ==" line elsewhere."""
    if console.is_terminal:
        console.rule(title)
    else:
        console.print(f"== {title} ==", markup=False, highlight=False)


def print_dry_run(results: list[HostResult], *, stdout: Console | None,
                  status: Console) -> None:
    """The diffs of the hosts that could be read (stdout: a patch when piped); the table
    and what could not be read go to ``status``."""
    for result in results:
        if not result.files:  # not read (cannot connect): nothing to compare
            continue
        # A host the apply would stop at (a preflight error) still shows what would change.
        text = patch_text(result)
        if stdout is None:
            sys.stdout.write(text)
            continue
        rule(stdout, result.host)
        stdout.print(text or "(no change)", highlight=False, markup=False, soft_wrap=True)
    for result in results:
        if not result.ok:
            what = "the apply would stop here" if result.files else "not read"
            status.print(f"{result.host}: {what}: {result.message}", style="red",
                         highlight=False, markup=False, soft_wrap=True)
        if result.certificates:
            status.print(result.certificates, highlight=False, markup=False, soft_wrap=True)
    print_failures(status, results)
    print_table(status, results)


def host_dict(result: HostResult, locator: Locator, wave: int | None = None) -> dict[str, Any]:
    return {
        "host": result.host,
        "status": result.status,
        "wave": wave,
        "ok": result.ok,
        "message": result.message,
        "seconds": round(result.seconds, 3),
        "files": [{"target": f.target, "status": f.status, "before": f.before,
                   "after": f.after, "backup": f.backup, "diff": f.diff}
                  for f in result.files],
        "patch": patch_text(result),
        "findings": [locator.locate(f).to_dict() for f in result.findings],
        "lockout": list(result.lockout),
        "certificates": result.certificates or None,
    }

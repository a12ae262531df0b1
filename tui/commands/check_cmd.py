"""`leap-tui check`: print the findings of the Clace TOML and the LEAP provider."""

from __future__ import annotations

import argparse
import json
import sys

from tui.commands.common import CommandError, add_target_options, fail, open_workspace
from tui.core.findings import Finding, Severity, count_by_severity


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check the Clace TOML and the LEAP provider",
        description="Print every finding: file:line: CODE severity message (hint). "
        "Exit 0 with no errors, 1 with errors (or warnings under --strict), "
        "2 for unreadable input (with --format json, a JSON object with an \"error\" key).",
    )
    add_target_options(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--strict", action="store_true", help="warnings fail the check too")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        workspace = open_workspace(
            args, nothing="nothing to check: give --clace FILE and/or --provider DIR"
        )
    except CommandError as error:
        if args.format == "json":
            print_json_error(error)
        return fail(str(error))
    findings = workspace.check()
    if args.format == "json":
        json.dump([f.to_dict() for f in findings], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print_findings(findings)
    return exit_status(findings, strict=args.strict)


def print_json_error(error: CommandError) -> None:
    """An object instead of the list of findings: a script reading stdout learns why."""
    cause = error.config_error
    json.dump(
        {
            "error": str(error),
            "file": cause.file if cause else None,
            "line": cause.line if cause else None,
            "column": cause.column if cause else None,
        },
        sys.stdout,
        indent=2,
    )
    sys.stdout.write("\n")


def exit_status(findings: list[Finding], *, strict: bool = False) -> int:
    counts = count_by_severity(findings)
    if counts[Severity.ERROR] or (strict and counts[Severity.WARNING]):
        return 1
    return 0


_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def print_findings(findings: list[Finding]) -> None:
    """Plain lines on a pipe; rich colours (with the same text) on a terminal."""
    if not sys.stdout.isatty():
        for finding in findings:
            print(finding.format_text())
        print(summary(findings))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    for finding in findings:
        line = Text()
        line.append(f"{finding.location}: ", style="bold")
        line.append(f"{finding.code} {finding.severity}", style=_STYLE[finding.severity])
        line.append(f" {finding.message}")
        if finding.hint:
            line.append(f" ({finding.hint})", style="dim")
        console.print(line)
    console.print(summary(findings))


def summary(findings: list[Finding]) -> str:
    counts = count_by_severity(findings)
    return ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in Severity)

"""`leap-tui check`: print the findings of the Clace TOML and the LEAP provider."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui.commands.common import CommandError, add_target_options, open_workspace
from tui.commands.findings_out import (
    Locator,
    print_github,
    print_sarif,
    print_text,
    summary,
)
from tui.commands.output import add_format_option, fail, print_json, version
from tui.core.findings import Finding, Severity, count_by_severity


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check the Clace TOML and the LEAP provider",
        description="Print every finding as path:line:column: CODE severity message (hint), "
        "paths relative to the current directory; the count goes to stderr. Without "
        "--clace/--provider: the provider found by walking up to its Leapfile, and the "
        "Clace config of $CL_CONFIG_FILE or $CL_HOME/clace.toml. Exit 0 with no errors, 1 "
        "with errors (or warnings under --strict), 2 for unreadable input (with --format "
        "json, a JSON object with an \"error\" key).",
    )
    add_target_options(parser)
    add_format_option(parser, "github", "sarif")
    parser.add_argument("--strict", action="store_true", help="warnings fail the check too")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        workspace = open_workspace(args, nothing="nothing to check: give --clace FILE and/or "
                                   "--provider DIR")
    except CommandError as error:
        if args.format in ("github", "sarif"):
            report_input_error(args.format, error)
        return fail(args, "check", str(error), error=error.config_error)
    findings = workspace.check()
    root = workspace.provider.root if workspace.provider is not None else None
    locator = Locator(root)
    located = [locator.locate(f) for f in findings]
    if args.format == "json":
        counts = count_by_severity(findings)
        print_json("check", {"findings": [item.to_dict() for item in located],
                             "summary": {str(s): counts[s] for s in Severity}})
    elif args.format == "github":
        print_github(located)
    elif args.format == "sarif":
        from tui.core.rules import all_rules

        print_sarif(located, all_rules(), version(), locator.cwd)
    else:
        print_text(located)
        print(summary(findings), file=sys.stderr)
    return exit_status(findings, strict=args.strict)


def report_input_error(form: str, error: CommandError) -> None:
    """Exit 2 under --format github or sarif: the reason where CI looks (an annotation, the
    SARIF run's notifications), not on stderr alone."""
    from tui.commands.findings_out import (
        InputError,
        display_path,
        print_github_errors,
        print_sarif_failure,
    )

    found = error.config_error.all_errors() if error.config_error is not None else []
    errors = [InputError(e.message, display_path(e.file) or None, e.line, e.column)
              for e in found] or [InputError(str(error))]
    if form == "github":
        print_github_errors(errors)
    else:
        print_sarif_failure(errors, version(), Path.cwd())


def exit_status(findings: list[Finding], *, strict: bool = False) -> int:
    counts = count_by_severity(findings)
    if counts[Severity.ERROR] or (strict and counts[Severity.WARNING]):
        return 1
    return 0

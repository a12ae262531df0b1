"""Where a command's output goes, as a good citizen of pipes and CI.

Data on stdout: on a terminal as Rich renders it, on a pipe as plain lines that are never
wrapped, under ``--format json`` as one JSON document (docs/json.md). Progress, questions
and status go to stderr. A command that cannot use its input exits 2 and, under
``--format json``, still prints a JSON object: ``{"error": ...}``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import TYPE_CHECKING, Any

from tui.core.errors import ConfigError

if TYPE_CHECKING:
    from rich.console import Console

# Bumped when a JSON document changes incompatibly (a key removed or its meaning changed);
# new keys may appear without a bump. docs/json.md documents version 1.
JSON_SCHEMA_VERSION = 1


def version() -> str:
    from importlib import metadata  # slow to import: only when a version is printed

    try:
        return metadata.version("leap-tui")
    except metadata.PackageNotFoundError:  # run from a checkout that is not installed
        return "0+unknown"


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def data_console() -> Console:
    """Rich on stdout, for a terminal only (a pipe gets plain lines from the callers)."""
    from rich.console import Console

    return Console(highlight=False)


def status_console() -> Console:
    """Progress and status, on stderr. When stderr is not a terminal (a log, `2>&1 |
    cat`), lines are never wrapped (soft_wrap); tables print as records (results_out)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=not sys.stderr.isatty())


def add_format_option(parser: argparse.ArgumentParser, *extra: str) -> None:
    choices = ("text", "json", *extra)
    parser.add_argument("--format", choices=choices, default="text",
                        help=f"output: {', '.join(choices)} (default text; json: see "
                        "docs/json.md)")


def wants_json(args: argparse.Namespace) -> bool:
    return getattr(args, "format", "text") == "json"


def print_json(command: str, body: dict[str, Any]) -> None:
    document = {"schema_version": JSON_SCHEMA_VERSION, "command": command, **body}
    json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def fail(args: argparse.Namespace | None, command: str, message: str, *,
         error: ConfigError | None = None, status: int = 2) -> int:
    """One line per problem on stderr (never a traceback); under --format json also the
    error object on stdout, so that a script reading stdout learns why. The one way every
    command reports what stops it."""
    from tui.core.clip import clip_message

    message = "\n".join(clip_message(line) for line in message.splitlines())
    for line in message.splitlines() or [""]:
        print(f"leap-tui: {line}", file=sys.stderr)
    if args is not None and wants_json(args):
        print_json(command, {
            "error": message,
            "file": _shown_file(error.file) or None if error else None,
            "line": error.line if error else None,
            "column": error.column if error else None,
        })
    return status


def fail_input(args: argparse.Namespace | None, command: str, error: ConfigError) -> int:
    """Exit 2 for input that cannot be used: one line per file that does not parse."""
    return fail(args, command, error_lines(error), error=error)


def error_lines(error: ConfigError) -> str:
    """Each file's error on a line of its own, the file named as findings name it
    (relative to the current directory when it lies under it)."""
    return "\n".join(str(ConfigError(_shown_file(e.file), e.message, e.line, e.column))
                     for e in error.all_errors())


def _shown_file(name: str) -> str:
    from tui.commands.findings_out import display_path

    return display_path(name)


def plain_lines(rows: list[list[str]]) -> str:
    """Records for a pipe: one per line, fields separated by a tab, never wrapped.

    A tab or newline inside a field would split the record: runs of whitespace become one
    space (and an empty field "-"). Most records need neither, and are joined as they are:
    the port map of a large provider is tens of thousands of records."""
    out: list[str] = []
    for row in rows:
        if needs_spacing(row):
            out.append("\t".join(" ".join(field.split()) if field else "-" for field in row))
        elif "" in row:
            out.append("\t".join([field or "-" for field in row]))
        else:
            out.append("\t".join(row))
    out.append("")
    return "\n".join(out) if rows else ""


def needs_spacing(fields: list[str]) -> bool:
    """Whether a field holds whitespace other than single spaces between words: what
    ``" ".join(field.split())`` would change."""
    probe = "\0".join(fields)
    return bool(_OTHER_SPACE.search(probe) or "  " in probe or " \0" in probe
                or "\0 " in probe or probe[:1] == " " or probe[-1:] == " "
                or probe.count("\0") != len(fields) - 1)


_OTHER_SPACE = re.compile(r"[^\S ]")  # a tab, a line break, a no-break space...

"""Options and output shared by the subcommands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from tui.core.errors import ConfigError
from tui.core.workspace import Workspace


def add_target_options(
    parser: argparse.ArgumentParser,
    *,
    clace: bool = True,
    provider: bool = True,
    inventory: bool = False,
) -> None:
    """Add --clace/--provider/--inventory to a subcommand.

    SUPPRESS keeps a subcommand from resetting a value given before its name
    (`leap-tui --clace F check` and `leap-tui check --clace F` mean the same).
    """
    if clace:
        parser.add_argument("--clace", metavar="FILE", default=argparse.SUPPRESS,
                            help="the Clace server TOML")
    if provider:
        parser.add_argument("--provider", metavar="DIR", default=argparse.SUPPRESS,
                            help="the LEAP provider directory")
    if inventory:
        parser.add_argument("--inventory", metavar="FILE", default=argparse.SUPPRESS,
                            help="the hosts.toml inventory")


def fail(message: str, status: int = 2, stream: TextIO | None = None) -> int:
    """Print a one-line error (never a traceback) and return the exit status."""
    for line in message.splitlines() or [""]:  # several files: one line each
        print(f"leap-tui: {line}", file=stream or sys.stderr)
    return status


def fail_input(error: ConfigError) -> int:
    """Exit 2 for input that cannot be used: one line per file that does not parse."""
    return fail("\n".join(map(str, error.all_errors())))


class CommandError(Exception):
    """Input a subcommand cannot work with: one line, exit status 2.

    ``config_error`` is the file error behind it, when there is one (for JSON output).
    """

    def __init__(self, message: str, config_error: ConfigError | None = None) -> None:
        super().__init__(message)
        self.config_error = config_error


def open_workspace(args: argparse.Namespace, *, nothing: str) -> Workspace:
    """The workspace named by --clace/--provider; ``nothing`` is the error when neither is."""
    clace = getattr(args, "clace", None)
    provider = getattr(args, "provider", None)
    if clace is None and provider is None:
        raise CommandError(nothing)
    try:
        return Workspace.open(
            clace=Path(clace) if clace else None, provider=Path(provider) if provider else None
        )
    except ConfigError as error:
        raise CommandError("\n".join(map(str, error.all_errors())), error) from None

"""Options and output shared by the subcommands."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO


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
    print(f"leap-tui: {message}", file=stream or sys.stderr)
    return status

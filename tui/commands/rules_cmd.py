"""`leap-tui rules`: every rule code and what it means."""

from __future__ import annotations

import argparse
import sys

from tui.core.rules import rules_markdown


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("rules", help="list every rule code (markdown)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(rules_markdown())
    return 0

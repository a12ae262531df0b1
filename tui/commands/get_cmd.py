"""`leap-tui get FILE KEY`: the effective value of a key and where it comes from."""

from __future__ import annotations

import argparse
import json

from tui.commands.output import fail, fail_input
from tui.core.clace_config import toml_literal
from tui.core.edit_target import EditTarget, open_target
from tui.core.errors import ConfigError
from tui.core.leap_merge import describe_value, is_expression


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "get",
        help="print the effective value of KEY in FILE",
        description="FILE is a Clace TOML or a provider file such as nodes/web1.json; "
        "KEY is dotted (https.port, ssh.port). Prints VALUE<TAB>(where it comes from): a "
        "TOML value for a TOML file, JSON for a provider file, an expression as computed "
        "by leap compile. Exit 1 when KEY is not set and has no default.",
    )
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("key", metavar="KEY")
    parser.add_argument("--provider", metavar="DIR", default=argparse.SUPPRESS,
                        help="the provider FILE belongs to (default: found above FILE)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        target = open_target(args.file, getattr(args, "provider", None))
    except ConfigError as error:
        return fail_input(args, "get", error)
    lookup = target.get(args.key)
    if lookup.where is None:
        return fail(args, "get", f"{args.key}: not set in {target.display}", status=1)
    print(f"{format_value(target, lookup.value)}\t{_parenthesised(lookup.where)}")
    return 0


def format_value(target: EditTarget, value: object) -> str:
    """The value the way its file writes it; never a traceback for a date or an inf."""
    if target.clace is not None:
        return toml_literal(value)
    if is_expression(value):
        return describe_value(value)
    try:
        return json.dumps(value, allow_nan=False, default=str)
    except ValueError:  # a float JSON cannot hold; the file could not have held it either
        return str(value)


def _parenthesised(where: str) -> str:
    # A built-in origin already reads "(built-in default: NAME)".
    return where if where.startswith("(") else f"({where})"

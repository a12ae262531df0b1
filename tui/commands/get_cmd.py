"""`leap-tui get FILE KEY`: the effective value of a key and where it comes from."""

from __future__ import annotations

import argparse
import json

from tui.commands.common import fail
from tui.core.edit_target import open_target
from tui.core.errors import ConfigError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "get",
        help="print the effective value of KEY in FILE",
        description="FILE is a Clace TOML or a provider file such as nodes/web1.json; "
        "KEY is dotted (https.port, ssh.port).",
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
        return fail(str(error))
    value, where = target.get(args.key)
    print(f"{json.dumps(value)}\t({where})")
    return 0

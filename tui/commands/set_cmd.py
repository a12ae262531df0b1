"""`leap-tui set FILE KEY VALUE`: one checked, atomic edit."""

from __future__ import annotations

import argparse

from tui.commands.check_cmd import print_findings
from tui.commands.common import fail, fail_input
from tui.core.atomic import is_read_only
from tui.core.edit_target import open_target
from tui.core.errors import ConfigError
from tui.core.findings import has_errors


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "set",
        help="set KEY in FILE to VALUE (checked, atomic)",
        description="Parses VALUE to the field's type, writes atomically keeping comments and "
        "mode, prints the findings the change produced, and refuses a change that introduces "
        "an error, or a write to a read-only file, unless --force.",
    )
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("key", metavar="KEY")
    parser.add_argument("value", metavar="VALUE")
    parser.add_argument("--provider", metavar="DIR", default=argparse.SUPPRESS,
                        help="the provider FILE belongs to (default: found above FILE)")
    parser.add_argument("--force", action="store_true",
                        help="write even if it adds an error or the file is read-only")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        target = open_target(args.file, getattr(args, "provider", None))
        value = target.parse(args.key, args.value)
        before = target.check()
        target.set(args.key, value)
        after = target.check()
    except ConfigError as error:
        return fail_input(error)
    except (ValueError, TypeError) as error:
        # TypeError: a value the file format cannot hold; the model is left unchanged.
        return fail(str(error))
    produced = target.new_findings(before, after)
    if produced:
        print_findings(produced)
    if has_errors(produced) and not args.force:
        return fail(f"not written: the change to {target.display} adds an error (--force writes "
                    "it anyway)", status=1)
    # The directory lets us replace the file, but the operator write-protected it.
    if is_read_only(target.path) and not args.force:
        return fail(f"not written: {target.display} is a read-only file (--force writes it "
                    "anyway)", status=1)
    try:
        target.save()
    except OSError as error:
        return fail(f"{target.display}: cannot write: {error.strerror or error}")
    print(f"{target.display}: {args.key} = {args.value}")
    return 0

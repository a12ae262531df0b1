"""`leap-tui set FILE KEY VALUE`: one checked, atomic edit."""

from __future__ import annotations

import argparse

from tui.commands.findings_out import display_path, print_findings
from tui.commands.output import fail, fail_input
from tui.core.atomic import is_read_only
from tui.core.edit_target import open_target
from tui.core.errors import ConfigError
from tui.core.findings import has_errors


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "set",
        help="set KEY in FILE to VALUE (checked, atomic)",
        description="Parses VALUE to the field's type, writes atomically keeping comments and "
        "mode, prints the findings the change produced (as `check` prints them), and refuses "
        "(exit 1) a change that introduces an error, a Clace key the server does not read "
        "(it would ignore it silently), or a write to a read-only file, unless --force. A "
        "LEAP key one edit away from a known property (ssh.prot) draws a warning (LP019).",
    )
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("key", metavar="KEY")
    parser.add_argument("value", metavar="VALUE")
    parser.add_argument("--provider", metavar="DIR", default=argparse.SUPPRESS,
                        help="the provider FILE belongs to (default: found above FILE)")
    parser.add_argument("--force", action="store_true",
                        help="write even if it adds an error or an unknown Clace key, or the "
                        "file is read-only")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        target = open_target(args.file, getattr(args, "provider", None))
        value = target.parse(args.key, args.value)
        unknown = target.unknown_key(args.key)
        before = target.check()
        target.set(args.key, value)
        after = target.check()
    except ConfigError as error:
        return fail_input(args, "set", error)
    except (ValueError, TypeError) as error:
        # TypeError: a value the file format cannot hold; the model is left unchanged.
        return fail(args, "set", str(error))
    shown = display_path(str(target.path)) if target.provider is not None else target.display
    produced = target.new_findings(before, after)
    if produced:
        print_findings(produced, target.provider.root if target.provider else None,
                       texts=target.texts())
    refusal = None
    if unknown is not None:
        # Clace ignores a key it does not read: the change would have no effect at all.
        refusal = f"not written: {unknown}"
    elif has_errors(produced):
        refusal = f"not written: the change to {shown} adds an error"
    elif is_read_only(target.path):  # the directory lets us replace it; its owner said no
        refusal = f"not written: {shown} is a read-only file"
    if refusal is not None and not args.force:
        return fail(args, "set", f"{refusal} (--force writes it anyway)", status=1)
    try:
        target.save()
    except OSError as error:
        return fail(args, "set", f"{shown}: cannot write: {error.strerror or error}")
    print(f"{shown}: {args.key} = {args.value}")
    return 0

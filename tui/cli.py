"""The `leap-tui` command: subcommands over the core; with none, the TUI."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from tui.commands.parser import build_parser, command_of, opens_the_tui

# Commands that only read and print, on one thread: the process may end without tearing
# down what they built (see main).
_READ_ONLY = frozenset({"check", "ports", "get", "rules", "help"})


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv``; without it, this process's own (``sys.argv``).

    As the process's own command line, a subcommand runs as a short-lived process should:
    the cyclic garbage collector runs rarely (its passes over the tens of thousands of
    objects a large provider makes cost more than the garbage they find), and a read-only
    command ends the process once its output is flushed, skipping the teardown of every
    object it built (tens of milliseconds for a large provider).
    """
    words = list(sys.argv[1:] if argv is None else argv)
    if words[:1] == ["__complete"]:  # what the completion scripts run; not a command
        from tui.commands.completion_cmd import main as complete

        return complete(words[1:])
    command = command_of(words)
    if argv is None and command is not None:
        import gc

        gc.set_threshold(200_000, 30, 30)
    parser = build_parser(command, commands=not opens_the_tui(words))
    args = parser.parse_args(words)
    if args.command is None:
        from tui.commands import open_tui

        return open_tui.run(args)
    handler = args.handler
    status: int = handler(args)
    if argv is None and args.command in _READ_ONLY:
        _exit_now(status)
    return status


def _exit_now(status: int) -> None:
    """End the process with ``status`` once stdout and stderr are flushed; if they cannot be
    (a closed pipe), return and let the interpreter's exit report it as it always does."""
    import os

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

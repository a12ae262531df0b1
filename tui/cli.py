"""The `leap-tui` command: subcommands over the core; with none, the TUI."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from tui.commands.parser import build_parser, command_of, opens_the_tui

# Commands that only read and print, on one thread: the process may end without tearing
# down what they built (see main).
_READ_ONLY = frozenset({"check", "ports", "get", "rules", "help"})

# What a shell reports for a command killed by SIGPIPE (128 + 13), as `yes | head -1` does.
READER_GONE = 141
INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv``; without it, this process's own (``sys.argv``).

    When the reader of stdout goes away early (`leap-tui rules | head -1`), stop quietly
    with status 141, as a command killed by SIGPIPE does: the output was cut, so neither 0
    (all of it delivered) nor the command's own status is true.

    As the process's own command line, a subcommand runs as a short-lived process should:
    the cyclic garbage collector runs rarely (its passes over the tens of thousands of
    objects a large provider makes cost more than the garbage they find), and a read-only
    command ends the process once its output is flushed, skipping the teardown of every
    object it built (tens of milliseconds for a large provider).
    """
    own_process = argv is None
    try:
        status = _dispatch(list(sys.argv[1:] if argv is None else argv), own_process)
        sys.stdout.flush()  # inside the try: a write that fails here is the same broken pipe
    except BrokenPipeError:
        _discard_stdout()
        return READER_GONE
    except KeyboardInterrupt:
        # Ctrl-C: one line, no traceback; status as a shell reports SIGINT (128 + 2).
        print("leap-tui: interrupted", file=sys.stderr)
        return INTERRUPTED
    return status


def _dispatch(words: list[str], own_process: bool) -> int:
    if words[:1] == ["__complete"]:  # what the completion scripts run; not a command
        from tui.commands.completion_cmd import main as complete

        return complete(words[1:])
    command = command_of(words)
    if own_process and command is not None:
        import gc

        gc.set_threshold(200_000, 30, 30)
    parser = build_parser(command, commands=not opens_the_tui(words))
    args = parser.parse_args(words)
    if args.command is None:
        from tui.commands import open_tui

        return open_tui.run(args)
    handler = args.handler
    status: int = handler(args)
    if own_process and args.command in _READ_ONLY:
        _exit_now(status)
    return status


def _exit_now(status: int) -> None:
    """End the process with ``status`` once stdout and stderr are flushed. A closed pipe
    raises BrokenPipeError to main; a stream that cannot be flushed otherwise makes this
    return, and the interpreter's exit reports it as it always does."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError):
        return
    os._exit(status)


def _discard_stdout() -> None:
    """Point stdout at the null device, so that the interpreter's flush at exit does not
    fail a second time on the buffered rest ("Exception ignored ... BrokenPipeError")."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (AttributeError, OSError, ValueError):  # a stdout without a descriptor
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until the process ends


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""The `leap-tui` command: subcommands over the core; with none, the TUI."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from tui.commands.parser import build_parser

# What a shell reports for a command killed by SIGPIPE (128 + 13), as `yes | head -1` does.
READER_GONE = 141


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. When the reader of stdout goes away early (`leap-tui rules | head
    -1`), stop quietly with status 141, as a command killed by SIGPIPE does: the output was
    cut, so neither 0 (all of it delivered) nor the command's own status is true."""
    try:
        status = _dispatch(list(sys.argv[1:] if argv is None else argv))
        sys.stdout.flush()  # inside the try: a write that fails here is the same broken pipe
    except BrokenPipeError:
        _discard_stdout()
        return READER_GONE
    return status


def _dispatch(words: list[str]) -> int:
    if words[:1] == ["__complete"]:  # what the completion scripts run; not a command
        from tui.commands.completion_cmd import main as complete

        return complete(words[1:])
    parser = build_parser()
    args = parser.parse_args(words)
    if args.command is None:
        from tui.commands import open_tui

        return open_tui.run(args)
    handler = args.handler
    status: int = handler(args)
    return status


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

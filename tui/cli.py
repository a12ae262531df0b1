"""The `leap-tui` command: subcommands over the core; with none, the TUI."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from tui.commands.parser import build_parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

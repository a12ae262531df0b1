"""The command line's grammar: the `leap-tui` parser with its subcommands registered.

Its own module so that `help` and `completion`, which read the grammar, do not import the
entry point that dispatches to them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Each subcommand lives in tui/commands/<name>_cmd.py with register(subparsers) and run(args).
# Imported by name so that `leap-tui check` never loads Textual, paramiko or cryptography.
SUBCOMMANDS: tuple[str, ...] = (
    "check",
    "get",
    "set",
    "ports",
    "apply",
    "rollback",
    "export",
    "history",
    "certs",
    "rules",
    "help",
    "completion",
)

# The options before the command that take a value (argparse also accepts a prefix of them).
_VALUE_OPTIONS = ("--clace", "--provider", "--inventory")
class _VersionAction(argparse.Action):
    """--version, with the version looked up only when asked for (importlib.metadata is
    slow to import, and every other run of the command does without it)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=default,
                         help=help or "show program's version number and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from tui.commands.output import version

        sys.stdout.write(f"leap-tui {version()}\n")
        parser.exit()


def build_parser(only: str | None = None, *, commands: bool = True) -> argparse.ArgumentParser:
    """The whole command line; with ``only``, just that subcommand registered (its module
    is the only one imported), which parses that command's words the same way; without
    ``commands``, none (for words that only name files to open: see ``opens_the_tui``)."""
    parser = argparse.ArgumentParser(
        prog="leap-tui",
        description="Keyboard-driven configurator for Clace servers and LEAP providers.",
        epilog="`leap-tui help TOPIC` explains a command, a rule code or a guide (json, ssh).",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--clace", metavar="FILE", help="the Clace server TOML to open")
    parser.add_argument("--provider", metavar="DIR", help="the LEAP provider directory to open")
    parser.add_argument("--inventory", metavar="FILE", help="the hosts: hosts.toml, or an "
                        "Ansible INI/YAML inventory")
    if not commands:
        parser.set_defaults(command=None)
        return parser
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS if only is None else (only,):
        module = importlib.import_module(f"tui.commands.{name}_cmd")
        module.register(subparsers)
    return parser


def command_of(words: Sequence[str]) -> str | None:
    """The subcommand ``words`` run, read the way argparse will read it; None when there is
    none, when help is asked before it, or when the words are unusual enough that only the
    whole parser should judge them."""
    takes_value = False
    for word in words:
        if takes_value:
            takes_value = False
            continue
        if word == "--" or word in ("-h", "--help") or (
                len(word) > 2 and "--help".startswith(word)):
            return None
        if word.startswith("-"):
            if word.startswith("--") and "=" not in word and len(word) > 2 and any(
                    option.startswith(word) for option in _VALUE_OPTIONS):
                takes_value = True
            continue
        return word if word in SUBCOMMANDS else None
    return None


def opens_the_tui(words: Sequence[str]) -> bool:
    """``words`` are only the files to open (--clace, --provider, --inventory, each spelt in
    full, with its value): the TUI starts, and parsing them needs no subcommand registered,
    so none of their modules is imported before its first frame."""
    takes_value = False
    for word in words:
        if takes_value:
            takes_value = False
        elif word in _VALUE_OPTIONS:
            takes_value = True
        elif not word.startswith(tuple(f"{option}=" for option in _VALUE_OPTIONS)):
            return False
    return not takes_value

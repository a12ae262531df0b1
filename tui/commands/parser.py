"""The command line's grammar: the `leap-tui` parser with every subcommand registered.

Its own module so that `help` and `completion`, which read the grammar, do not import the
entry point that dispatches to them.
"""

from __future__ import annotations

import argparse
import importlib

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


def build_parser() -> argparse.ArgumentParser:
    from tui.commands.output import version

    parser = argparse.ArgumentParser(
        prog="leap-tui",
        description="Keyboard-driven configurator for Clace servers and LEAP providers.",
        epilog="`leap-tui help TOPIC` explains a command, a rule code or a guide (json, ssh).",
    )
    parser.add_argument("--version", action="version", version=f"leap-tui {version()}")
    parser.add_argument("--clace", metavar="FILE", help="the Clace server TOML to open")
    parser.add_argument("--provider", metavar="DIR", help="the LEAP provider directory to open")
    parser.add_argument("--inventory", metavar="FILE", help="the hosts: hosts.toml, or an "
                        "Ansible INI/YAML inventory")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"tui.commands.{name}_cmd")
        module.register(subparsers)
    return parser

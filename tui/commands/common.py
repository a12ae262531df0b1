"""Options and output shared by the subcommands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui.core.errors import ConfigError
from tui.core.workspace import Workspace, discover_clace, discover_provider


def add_target_options(
    parser: argparse.ArgumentParser,
    *,
    clace: bool = True,
    provider: bool = True,
    inventory: bool = False,
) -> None:
    """Add --clace/--provider/--inventory to a subcommand.

    SUPPRESS keeps a subcommand from resetting a value given before its name
    (`leap-tui --clace F check` and `leap-tui check --clace F` mean the same).
    """
    if clace:
        parser.add_argument("--clace", metavar="FILE", default=argparse.SUPPRESS,
                            help="the Clace server TOML")
    if provider:
        parser.add_argument("--provider", metavar="DIR", default=argparse.SUPPRESS,
                            help="the LEAP provider directory")
    if inventory:
        parser.add_argument("--inventory", metavar="FILE", default=argparse.SUPPRESS,
                            help="the hosts: hosts.toml, or an Ansible INI/YAML "
                            "inventory")


class CommandError(Exception):
    """Input a subcommand cannot work with: one line, exit status 2.

    ``config_error`` is the file error behind it, when there is one (for JSON output).
    """

    def __init__(self, message: str, config_error: ConfigError | None = None) -> None:
        super().__init__(message)
        self.config_error = config_error


def find_targets(args: argparse.Namespace, *, clace: bool = True,
                 provider: bool = True) -> tuple[Path | None, Path | None]:
    """The Clace config and the provider to work on: --clace/--provider as given; with
    neither, the ones the TUI opens: $CL_CONFIG_FILE or $CL_HOME/clace.toml, and the
    provider found by walking up from here to its Leapfile (as git finds .git). What was
    found is said on stderr."""
    given_clace = getattr(args, "clace", None) if clace else None
    given_provider = getattr(args, "provider", None) if provider else None
    if given_clace or given_provider:
        return (Path(given_clace) if given_clace else None,
                Path(given_provider) if given_provider else None)
    found_clace, how_clace = discover_clace() if clace else (None, "")
    found_provider, how_provider = discover_provider() if provider else (None, "")
    if found_clace is not None:
        print(f"leap-tui: using {found_clace} ({how_clace})", file=sys.stderr)
    if found_provider is not None:
        print(f"leap-tui: using provider {found_provider} ({how_provider})", file=sys.stderr)
    return found_clace, found_provider


def open_workspace(args: argparse.Namespace, *, nothing: str) -> Workspace:
    """The workspace of find_targets(); ``nothing`` is the error when there is none."""
    clace, provider = find_targets(args)
    if clace is None and provider is None:
        raise CommandError(f"{nothing} (none found here: no Leapfile in this directory or "
                           "above, no $CL_CONFIG_FILE or $CL_HOME/clace.toml)")
    try:
        return Workspace.open(clace=clace, provider=provider)
    except ConfigError as error:
        from tui.commands.output import error_lines

        raise CommandError(error_lines(error), error) from None

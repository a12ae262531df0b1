"""`leap-tui help [TOPIC]` and `leap-tui help --man`: the same parser that gives --help.

A topic is a command (its --help), a rule code (what it means), or one of the guides
below. ``--man`` writes a man page (roff) generated from the parser.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from datetime import date

from tui.commands.output import version

GUIDES = {
    "json": "the JSON documents and piped records (docs/json.md)",
    "ssh": "the ssh_config and known_hosts settings leap-tui honours or refuses",
    "exit-codes": "what the exit status means",
    "environment": "the variables leap-tui reads",
}
EXIT_CODES = """\
0  done: no errors (check, certs), every host fine (apply, rollback)
1  findings at error level (warnings too under check --strict), a port conflict (ports),
   a host that failed or was skipped (apply, rollback)
2  input that cannot be used: a file that does not parse, a missing option, an unknown
   host; with --format json a JSON object with an "error" key is printed on stdout
"""
ENVIRONMENT = """\
CL_CONFIG_FILE      the Clace config to open when --clace is not given
CL_HOME             else $CL_HOME/clace.toml
LEAP_TUI_STATE_DIR  where the apply journal lives (default: the user's state directory)
LEAP_TUI_CONFIG_DIR where leap-tui's own settings live (default: the user's config dir)
SSH_AUTH_SOCK       the ssh-agent (unless ssh_config's IdentityAgent says otherwise)
HOME                ~/.ssh/config, ~/.ssh/known_hosts and the default keys
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "help", help="help on a command, a rule code, or a guide (json, ssh, ...)",
        description="Without TOPIC: the commands and the topics. --man prints a man page.")
    parser.add_argument("topic", nargs="?", metavar="TOPIC",
                        help="a command, a rule code or a guide")
    parser.add_argument("--man", action="store_true",
                        help="print the man page (roff): leap-tui help --man | man -l -")
    parser.set_defaults(handler=run)


def _parsers() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    from tui.commands.parser import build_parser

    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return parser, dict(action.choices)
    return parser, {}


def topics() -> list[str]:
    from tui.core.rules import all_rules

    _, commands = _parsers()
    return [*commands, *GUIDES, *sorted(all_rules())]


def run(args: argparse.Namespace) -> int:
    parser, commands = _parsers()
    if args.man:
        sys.stdout.write(man_page(parser, commands))
        return 0
    topic = args.topic
    if topic is None:
        sys.stdout.write(parser.format_help())
        sys.stdout.write("\nguides (leap-tui help GUIDE):\n")
        sys.stdout.write("".join(f"  {name:<12} {text}\n" for name, text in GUIDES.items()))
        sys.stdout.write("\nrule codes: leap-tui help CODE (leap-tui rules lists them)\n")
        return 0
    if topic in commands:
        sys.stdout.write(commands[topic].format_help())
        return 0
    text = guide(topic)
    if text is not None:
        sys.stdout.write(text)
        return 0
    from tui.core.rules import RULE_GROUPS

    for group, rules in RULE_GROUPS.items():
        if topic.upper() in rules:
            sys.stdout.write(f"{topic.upper()} ({group})\n  {rules[topic.upper()]}\n")
            return 0
    near = difflib.get_close_matches(topic, topics(), n=3)
    print(f"leap-tui: no help topic {topic!r}" + (f" (did you mean {', '.join(near)}?)"
                                                    if near else ""), file=sys.stderr)
    return 2


def guide(name: str) -> str | None:
    if name == "json":
        from tui.commands.json_doc import JSON_DOC

        return JSON_DOC
    if name == "ssh":
        from tui.core.remote.ssh_features import features_markdown

        return ("leap-tui reads ~/.ssh/config, then /etc/ssh/ssh_config, as ssh does; what it "
                "cannot honour fails by name (AP014).\n\n" + features_markdown())
    if name == "exit-codes":
        return EXIT_CODES
    if name == "environment":
        return ENVIRONMENT
    return None


def _roff(text: str) -> str:
    escaped = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(("\\&" + line) if line.startswith((".", "'")) else line
                     for line in escaped.splitlines())


def man_page(parser: argparse.ArgumentParser,
             commands: dict[str, argparse.ArgumentParser]) -> str:
    """leap-tui(1), generated from the parser: every command with its options."""
    lines = [f'.TH LEAP-TUI 1 "{date.today():%Y-%m-%d}" "leap-tui {version()}" "User Commands"',
             ".SH NAME", "leap\\-tui \\- " + _roff(parser.description or ""),
             ".SH SYNOPSIS", ".B leap\\-tui", "[\\fIOPTIONS\\fR] [\\fICOMMAND\\fR ...]",
             ".SH DESCRIPTION",
             "Without a command, the TUI opens on the Clace config and the LEAP provider "
             "found as \\fBcheck\\fR finds them.", ".SH OPTIONS"]
    lines += _options(parser)
    lines.append(".SH COMMANDS")
    for sub in commands.values():
        usage = " ".join(sub.format_usage().removeprefix("usage: ").split())
        lines += [".SS " + _roff(usage),
                  _roff(sub.description or "")]
        lines += _options(sub)
    lines += [".SH EXIT STATUS", ".nf", _roff(EXIT_CODES), ".fi",
              ".SH ENVIRONMENT", ".nf", _roff(ENVIRONMENT), ".fi",
              ".SH SEE ALSO", "ssh_config(5), sshd(8); leap\\-tui help json, "
              "leap\\-tui help ssh"]
    return "\n".join(lines) + "\n"


def _options(parser: argparse.ArgumentParser) -> list[str]:
    lines = []
    for action in parser._actions:
        if action.help == argparse.SUPPRESS or isinstance(action, argparse._SubParsersAction):
            continue
        metavar = str(action.metavar or action.dest.upper())
        names = ", ".join(action.option_strings) or metavar
        if action.option_strings and action.nargs != 0:
            names += f" {metavar}"
        lines += [".TP", f"\\fB{_roff(names)}\\fR", _roff(action.help or "")]
    return lines

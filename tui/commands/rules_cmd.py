"""`leap-tui rules`: every rule code and what it means."""

from __future__ import annotations

import argparse
import sys

from tui.commands.output import add_format_option, fail, print_json
from tui.core.rules import RULE_GROUPS, rules_markdown


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "rules", help="list every rule code (markdown), or the ones named",
        description="Every finding carries one of these codes. With CODE...: only those.")
    parser.add_argument("codes", nargs="*", metavar="CODE", help="only these rules")
    add_format_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    wanted = [code.upper() for code in args.codes]
    known = {code: (group, text) for group, rules in RULE_GROUPS.items()
             for code, text in rules.items()}
    unknown = [code for code in wanted if code not in known]
    if unknown:
        return fail(args, "rules", f"no rule {', '.join(unknown)} (`leap-tui rules` lists all)")
    chosen = wanted or sorted(known)
    if args.format == "json":
        print_json("rules", {"rules": [{"code": code, "group": known[code][0],
                                        "text": known[code][1]} for code in chosen]})
    elif wanted:
        sys.stdout.write("".join(f"{code}\t{known[code][1]}\n" for code in chosen))
    else:
        sys.stdout.write(rules_markdown())
    return 0

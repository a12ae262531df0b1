"""`leap-tui rollback`: put back the newest (or a chosen) generation backup on the hosts."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tui.commands import remote_common
from tui.commands.apply_cmd import report
from tui.commands.common import add_target_options, find_targets
from tui.commands.fleet_args import (
    add_limit_option,
    add_rolling_options,
    fleet_hosts,
    rolling,
)
from tui.commands.output import add_format_option, fail, fail_input, status_console
from tui.commands.remote_common import (
    Prompts,
    add_host_options,
    build_options,
    check_journal,
    chosen_hosts,
    run_with_progress,
)
from tui.core.errors import ConfigError

if TYPE_CHECKING:
    from tui.core.remote.fleet import Rollout
    from tui.core.remote.protocol import HostResult, RunOptions


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "rollback", help="restore the newest backup (or --to TIMESTAMP) on hosts over SSH",
        description="Restore a generation backup through the same protocol as apply: staged, "
        "validated, swapped atomically, reloaded and journaled. The restored generation is "
        "used up, so a second rollback goes one generation further back. stdout: the "
        "per-host result.")
    add_target_options(parser, clace=False, inventory=True)
    add_host_options(parser)
    add_limit_option(parser)
    add_rolling_options(parser)
    parser.add_argument("--to", metavar="TIMESTAMP", default=None,
                        help="the generation to restore (a prefix of its UTC timestamp, "
                        "e.g. 20261124T1015)")
    add_format_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    status = status_console()
    prompts = Prompts(status)
    try:
        _, provider = find_targets(args, clace=False)
        batch, max_fail = rolling(args)
        inventory, hosts = fleet_hosts(args, provider, status, chosen_hosts(args))
        if args.parallel < 1:
            raise ConfigError("", "--parallel must be at least 1")
        check_journal(writing=True)
    except ConfigError as exc:
        return fail_input(args, "rollback", exc)
    if not hosts:
        return fail(args, "rollback", "the inventory lists no hosts")
    undo = None
    if args.to is None:
        from tui.core.remote.journal import Journal
        from tui.core.remote.run_undo import last_run

        # Undo the last run that changed these hosts, as it changed each of them.
        undo = last_run(Journal().entries(), [h.name for h in hosts])
    if not args.yes:
        if not remote_common.interactive():
            return fail(args, "rollback", "refusing to roll back without --yes and without a "
                        "terminal to ask on")
        names = ", ".join(h.name for h in hosts)
        which = (f"generation {args.to}" if args.to else "the newest backup" if undo is None
                 else f"the files as they were before run {undo.run} ({undo.time})")
        if not prompts.yes(f"Restore {which} on {names}?"):
            status.print("Nothing changed.")
            return 0  # declining is not a failure of any host

    from tui.core.remote.fleet import rollback_rollout

    options = build_options(args, inventory, status, prompts, provider)
    rollouts: list[Rollout] = []

    def work(run_options: RunOptions) -> list[HostResult]:
        rollouts.append(rollback_rollout(hosts, run_options, to=args.to, undo=undo,
                                         parallel=args.parallel, batch=batch,
                                         max_fail=max_fail))
        return rollouts[0].results

    results = run_with_progress(status, [h.name for h in hosts], options, work, not args.yes,
                                prompts)
    report(args, "rollback", results, status, provider, rollouts[0])
    return 0 if all(r.ok for r in results) else 1

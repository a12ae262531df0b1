"""`leap-tui apply`: push the edited files to the inventory's hosts, safely, with progress.

stdout: the per-host result (a table on a terminal, one record per line on a pipe, or
JSON); under --dry-run the diffs instead, as a patch. Progress, questions and notes: stderr.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from tui.commands import remote_common
from tui.commands.common import add_target_options, find_targets
from tui.commands.fleet_args import (
    add_limit_option,
    add_rolling_options,
    fleet_hosts,
    rolling,
)
from tui.commands.output import (
    add_format_option,
    data_console,
    fail,
    fail_input,
    status_console,
    stdout_is_terminal,
)
from tui.commands.remote_common import (
    Prompts,
    add_host_options,
    build_options,
    check_journal,
    chosen_hosts,
    run_with_progress,
)
from tui.core.errors import ConfigError
from tui.core.findings import Finding, Severity

if TYPE_CHECKING:
    from rich.console import Console

    from tui.core.inventory import Inventory
    from tui.core.remote.fleet import Rollout
    from tui.core.remote.protocol import HostResult, RunOptions


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "apply", help="push the edited files to their hosts over SSH (confirm-or-revert)",
        description="Upload, validate, back up, swap atomically and reload on every host of "
        "the inventory; changes that can lock you out are reverted by the host itself unless "
        "confirmed over a new connection in time. Without --clace/--provider: those found as "
        "`check` finds them. stdout: the per-host result; with --dry-run the diffs, as a patch "
        "(`--- HOST/PATH`: `apply --dry-run | patch -p0 --dry-run` checks them against a local "
        "copy of the hosts' files). Exit 0 when every host is fine, 1 when one is not, 2 for "
        "unusable input.")
    add_target_options(parser, inventory=True)
    add_host_options(parser)
    add_limit_option(parser)
    add_rolling_options(parser)
    parser.add_argument("--dry-run", action="store_true",
                        help="print the unified diff per host and change nothing")
    parser.add_argument("--force", action="store_true",
                        help="overwrite files changed on the host since leap-tui applied them")
    parser.add_argument("--canary", type=int, default=0, metavar="N",
                        help="apply to the first N hosts first; stop if any fails")
    parser.add_argument("--allow-errors", action="store_true",
                        help="apply even though `leap-tui check` reports errors in the files, "
                        "or the remote preflight (PFxxx) on a host")
    add_format_option(parser)
    parser.set_defaults(handler=run)


def skipped_after_dry_run(failed: list[HostResult]) -> list[HostResult]:
    """Hosts whose dry run failed, listed as skipped (with the dry run's reason) in the end."""
    return [dataclasses.replace(r, status="skipped", message=r.message or "dry run failed")
            for r in failed]


def check_errors(clace: Path | None, provider: Path | None) -> list[Finding]:
    """The errors `leap-tui check` finds in the files to push; ConfigError when one does
    not parse (then nothing may be pushed, whatever the flags)."""
    from tui.core.workspace import Workspace

    workspace = Workspace.open(clace=clace, provider=provider)
    return [f for f in workspace.check() if f.severity is Severity.ERROR]


def show_check_errors(console: Console, errors: list[Finding], provider: Path | None, *,
                      refused: bool) -> None:
    """The errors as `check` prints them (one formatter), then why nothing is pushed."""
    from tui.commands.findings_out import print_findings

    console.file.flush()
    print_findings(errors, provider, stream=console.file)
    if refused:
        console.print(f"Refusing to apply: `leap-tui check` finds {len(errors)} error(s) in "
                      "these files. Fix them, or give --allow-errors.", style="red",
                      markup=False, highlight=False)
    else:
        console.print(f"warning: `leap-tui check` finds {len(errors)} error(s) in these files.",
                      style="yellow", markup=False, highlight=False)


def show_unshipped_port_moves(console: Console, inventory: Inventory, provider: Path) -> None:
    """Warn, before anything is asked or pushed, about ssh.port moves no host would get."""
    from tui.core.remote.changes import unshipped_port_warnings

    warnings, note = unshipped_port_warnings(provider, inventory.shipped_sources())
    for warning in warnings:
        console.print(f"warning: {warning}", style="yellow", markup=False, highlight=False,
                      soft_wrap=True)
    if note:
        console.print(f"note: {note}", style="dim", markup=False, highlight=False,
                      soft_wrap=True)


def run(args: argparse.Namespace) -> int:
    status = status_console()
    try:
        from tui.core.remote.plan import load_sources, plan

        clace, provider = find_targets(args)
        batch, max_fail = rolling(args)
        inventory, hosts = fleet_hosts(args, provider, status, chosen_hosts(args))
        sources = load_sources(inventory, hosts, clace=clace, provider=provider)
        plans = plan(inventory, sources, [h.name for h in hosts])
        errors = check_errors(clace, provider)
        if args.parallel < 1 or args.canary < 0:
            raise ConfigError("", "--parallel must be at least 1 and --canary at least 0")
        if args.confirm_within is not None and args.confirm_within < 1:
            raise ConfigError("", "--confirm-within must be at least 1 second")
        check_journal(writing=not args.dry_run)
    except ConfigError as exc:
        return fail_input(args, "apply", exc)
    if not plans:
        return fail(args, "apply", "the inventory lists no hosts")
    if not args.dry_run and not args.yes and not remote_common.interactive():
        return fail(args, "apply", "refusing to apply without --yes and without a terminal "
                    "to ask on")

    from tui.core.remote.fleet import apply_fleet, apply_rollout

    if errors:
        # The TUI greys out Apply for the same reason. A dry run still shows the diff.
        refused = not args.dry_run and not args.allow_errors
        show_check_errors(status, errors, provider, refused=refused)
        if refused:
            return 1
    if provider:
        show_unshipped_port_moves(status, inventory, provider)
    prompts = Prompts(status)
    options = build_options(args, inventory, status, prompts, provider)
    skipped: list[HostResult] = []
    if not args.dry_run and not args.yes:
        preview = build_options(args, inventory, status, prompts, provider)
        preview.dry_run = True
        shown = run_with_progress(status, [p.host.name for p in plans], preview,
                                  lambda o: apply_fleet(plans, o, parallel=args.parallel),
                                  False, prompts)
        from tui.commands.results_out import print_dry_run

        # The diffs the question is about, where the question is asked.
        print_dry_run(shown, stdout=status, status=status)
        reachable = {r.host for r in shown if r.ok}
        if not reachable:
            status.print("No host can be applied to; nothing was changed.", style="red")
            return 1
        question = f"Apply to {len(reachable)} host(s)?"
        if len(reachable) < len(shown):
            # A dead host never blocks the others: offer them, the failed ones stay listed.
            skipped = skipped_after_dry_run([r for r in shown if not r.ok])
            question = (f"{len(skipped)} host(s) failed the dry run and are skipped: "
                        f"{', '.join(r.host for r in skipped)}. Apply to the "
                        f"{len(reachable)} reachable host(s)?")
        if not prompts.yes(question):
            status.print("Nothing changed.")
            return 0  # declining is not a failure of any host
        plans = [p for p in plans if p.host.name in reachable]
    rollouts: list[Rollout] = []

    def work(run_options: RunOptions) -> list[HostResult]:
        rollouts.append(apply_rollout(plans, run_options, parallel=args.parallel,
                                      canary=args.canary, batch=batch, max_fail=max_fail))
        return rollouts[0].results

    results = run_with_progress(status, [p.host.name for p in plans], options, work,
                                not args.yes and not args.dry_run, prompts)
    results += skipped
    report(args, "apply", results, status, provider, rollouts[0])
    # A skipped host did not get the change: the exit status says so (1), as with --yes.
    return 0 if all(r.ok for r in results) else 1


def report(args: argparse.Namespace, command: str, results: list[HostResult],
           status: Console, provider: Path | None, rollout: Rollout | None = None) -> None:
    """The results on stdout (JSON, a table, records or, for a dry run, the patch); with
    waves, each host's wave, and a summary per wave on stderr."""
    from tui.commands.findings_out import Locator
    from tui.commands.output import print_json
    from tui.commands.results_out import (
        host_dict,
        print_dry_run,
        print_failures,
        print_results,
    )
    from tui.commands.waves_out import print_wave_summary, rollout_dict, shown_waves

    dry_run = bool(getattr(args, "dry_run", False))
    waves = shown_waves(rollout)
    if args.format == "json":
        locator = Locator(provider)
        wave_of = rollout.wave_of if rollout is not None else {}
        print_json(command, {"dry_run": dry_run,
                             "hosts": [host_dict(r, locator, wave_of.get(r.host))
                                       for r in results],
                             **rollout_dict(rollout)})
        print_failures(status, results)
        print_wave_summary(status, rollout, results)
        return
    stdout = data_console() if stdout_is_terminal() else None
    if dry_run:
        print_dry_run(results, stdout=stdout, status=status)
        return
    print_failures(status, results)
    print_results(results, stdout=stdout, waves=waves)
    print_wave_summary(status, rollout, results)

"""`leap-tui apply`: push the edited files to the inventory's hosts, safely, with progress.

Also holds what `rollback` shares with it (options, progress, the result table). The
SSH core (paramiko) is imported only when a command runs.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from tui.commands.common import add_target_options, fail
from tui.core.errors import ConfigError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID

    from tui.core.inventory import Inventory
    from tui.core.remote.protocol import HostResult, RunOptions


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "apply", help="push the edited files to their hosts over SSH (confirm-or-revert)",
        description="Upload, validate, back up, swap atomically and reload on every host of "
        "the inventory; changes that can lock you out are reverted by the host itself unless "
        "confirmed over a new connection in time.")
    add_target_options(parser, inventory=True)
    add_host_options(parser)
    parser.add_argument("--dry-run", action="store_true",
                        help="print the unified diff per host and change nothing")
    parser.add_argument("--force", action="store_true",
                        help="overwrite files changed on the host since leap-tui applied them")
    parser.add_argument("--canary", type=int, default=0, metavar="N",
                        help="apply to the first N hosts first; stop if any fails")
    parser.set_defaults(handler=run)


def add_host_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", action="append", default=[], metavar="NAME",
                        help="only this host (repeatable)")
    parser.add_argument("--yes", action="store_true",
                        help="act without asking; confirm once the new connection works")
    parser.add_argument("--confirm-within", type=float, default=None, metavar="SECONDS",
                        help="confirm window: the host reverts unless confirmed in time "
                        "(default: 120 s, only for changes to ssh.port or a Clace listener)")
    parser.add_argument("--parallel", type=int, default=16, metavar="N",
                        help="hosts worked on at once (default 16)")
    parser.add_argument("--accept-new-host-key", action="store_true",
                        help="trust and record a host key seen for the first time")


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def load_inventory_arg(args: argparse.Namespace) -> Inventory:
    from tui.core.inventory import load_inventory

    path = getattr(args, "inventory", None)
    if not path:
        raise ConfigError("-", "--inventory FILE is required")
    return load_inventory(Path(path))


def build_options(args: argparse.Namespace, inventory: Inventory, console: Console,
                  ask: threading.Lock) -> RunOptions:
    """RunOptions from the command line: known_hosts, ssh_config, prompts, provider."""
    from tui.core.remote.changes import load_provider
    from tui.core.remote.hostkeys import KnownHosts
    from tui.core.remote.journal import Journal
    from tui.core.remote.protocol import RunOptions
    from tui.core.remote.ssh import SshOptions, default_ssh_config

    user_known = Path.home() / ".ssh" / "known_hosts"
    read = [user_known] + ([inventory.known_hosts] if inventory.known_hosts else [])
    record = inventory.known_hosts or user_known
    tty = interactive()

    def accept_host_key(name: str, key_type: str, fingerprint: str) -> bool:
        if args.accept_new_host_key:
            console.print(f"[yellow]accepting new host key[/] {name} {key_type} {fingerprint}")
            return True
        if not tty or args.yes:
            return False
        with ask:
            answer = console.input(f"Unknown host key for {name}: {key_type} {fingerprint}\n"
                                   "Trust it and record it? [y/N] ")
        return answer.strip().lower() in ("y", "yes")

    def ask_passphrase(key: str) -> str | None:
        if not tty:
            return None
        with ask:
            return getpass.getpass(f"Passphrase for {key}: ")

    provider_dir = getattr(args, "provider", None)
    provider_root = Path(provider_dir) if provider_dir else None
    return RunOptions(
        ssh=SshOptions(known_hosts=KnownHosts(read, record), ssh_config=default_ssh_config(),
                       accept_host_key=accept_host_key, ask_passphrase=ask_passphrase),
        journal=Journal(),
        inventory=inventory,
        force=bool(getattr(args, "force", False)),
        dry_run=bool(getattr(args, "dry_run", False)),
        confirm_within=args.confirm_within,
        provider=load_provider(provider_root) if provider_root else None,
        provider_root=provider_root,
    )


def terminal_confirm(console: Console, ask: threading.Lock,
                     pause: Callable[[], AbstractContextManager[None]]
                     ) -> Callable[[str, float], bool]:
    """The confirm step on a terminal: the new connection worked, the operator says yes."""
    import time

    def confirm(host: str, deadline: float) -> bool:
        with ask, pause():
            left = max(0, round(deadline - time.time()))
            answer = console.input(f"[bold]{host}[/]: the new connection works. Keep the change?"
                                   f" (reverts by itself in {left} s) [y/N] ")
        return answer.strip().lower() in ("y", "yes") and time.time() < deadline

    return confirm


def run_with_progress(console: Console, names: list[str], options: RunOptions,
                      work: Callable[[RunOptions], list[HostResult]],
                      confirm_on_terminal: bool, ask: threading.Lock) -> list[HostResult]:
    """Run ``work`` with one progress line per host; the prompts pause the display."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(SpinnerColumn(), TextColumn("[bold]{task.fields[host]:<16}"),
                        TextColumn("{task.description}"), TimeElapsedColumn(),
                        console=console, transient=False, disable=not console.is_terminal)
    tasks: dict[str, TaskID] = {
        name: progress.add_task("waiting", host=name, total=None) for name in names}

    def on_event(host: str, stage: str, detail: str) -> None:
        text = f"{stage} {detail}".strip()
        if host in tasks:
            finished = stage in ("done", "failed", "skipped")
            progress.update(tasks[host], description=text[:90],
                            total=1 if finished else None, completed=1 if finished else 0)
        if not console.is_terminal and stage in ("arm", "confirm", "failed", "done", "skipped"):
            console.print(f"{host}: {text}", highlight=False)

    @contextmanager
    def pause() -> Iterator[None]:
        progress.stop()
        try:
            yield
        finally:
            progress.start()

    options.on_event = on_event
    if confirm_on_terminal:
        options.confirm = terminal_confirm(console, ask, pause)
    with progress:
        return work(options)


def print_results(console: Console, results: list[HostResult], *, show_diffs: bool) -> None:
    from rich.table import Table

    if show_diffs:
        for result in results:
            console.rule(f"{result.host}")
            if result.ok:
                console.print(result.diff or "(no change)", highlight=False, markup=False)
            else:
                console.print(f"(not read: {result.message})", highlight=False, markup=False)
    for result in results:
        if result.status == "failed" and any(f.status == "drift" for f in result.files):
            console.rule(f"{result.host}: drift (three-way)")
            console.print(result.diff, highlight=False, markup=False)
    table = Table(title="leap-tui: per-host result")
    for column in ("host", "status", "files", "backup", "detail", "time"):
        table.add_column(column, overflow="fold")
    for result in results:
        style = "green" if result.ok else "red"
        files = "\n".join(f"{f.target} ({f.status})" for f in result.files) or "-"
        backups = "\n".join(f.backup.rsplit("/", 1)[-1] for f in result.files if f.backup) or "-"
        notes = [f"{f.code} {f.message}" + (f" ({f.hint})" if f.hint else "")
                 for f in result.findings]
        if result.lockout:
            notes.append("lock-out risk: " + "; ".join(result.lockout))
        if not notes and result.message:
            notes.append(result.message)
        table.add_row(result.host, f"[{style}]{result.status}[/]", files, backups,
                      "\n".join(notes) or "-", f"{result.seconds:.1f}s")
    console.print(table)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    console = Console()
    ask = threading.Lock()
    try:
        from tui.core.remote.plan import load_sources, plan

        inventory = load_inventory_arg(args)
        hosts = inventory.select(args.host)
        clace = getattr(args, "clace", None)
        provider = getattr(args, "provider", None)
        sources = load_sources(inventory, hosts, clace=Path(clace) if clace else None,
                               provider=Path(provider) if provider else None)
        plans = plan(inventory, sources, [h.name for h in hosts])
        if args.parallel < 1 or args.canary < 0:
            raise ConfigError("-", "--parallel must be at least 1 and --canary at least 0")
        if args.confirm_within is not None and args.confirm_within < 1:
            raise ConfigError("-", "--confirm-within must be at least 1 second")
    except ConfigError as exc:
        return fail(str(exc))
    if not plans:
        return fail("the inventory lists no hosts")
    if not args.dry_run and not args.yes and not interactive():
        return fail("refusing to apply without --yes and without a terminal to ask on")

    from tui.core.remote.fleet import apply_fleet

    options = build_options(args, inventory, console, ask)
    names = [p.host.name for p in plans]
    if not args.dry_run and not args.yes:
        preview = build_options(args, inventory, console, ask)
        preview.dry_run = True
        shown = run_with_progress(console, names, preview,
                                  lambda o: apply_fleet(plans, o, parallel=args.parallel),
                                  False, ask)
        print_results(console, shown, show_diffs=True)
        if not all(r.ok for r in shown):
            console.print("[red]Some hosts cannot be applied to; nothing was changed.[/]")
            return 1
        if console.input(f"Apply to {len(plans)} host(s)? [y/N] ").strip().lower() not in (
                "y", "yes"):
            console.print("Nothing changed.")
            return 1
    results = run_with_progress(
        console, names, options,
        lambda o: apply_fleet(plans, o, parallel=args.parallel, canary=args.canary),
        not args.yes and not args.dry_run, ask)
    print_results(console, results, show_diffs=args.dry_run)
    return 0 if all(r.ok for r in results) else 1

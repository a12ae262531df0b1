"""`leap-tui apply`: push the edited files to the inventory's hosts, safely, with progress.

Also holds what `rollback` shares with it (options, progress, the result table). The
SSH core (paramiko) is imported only when a command runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from tui.commands.common import add_target_options, fail, fail_input
from tui.core.errors import ConfigError
from tui.core.findings import Finding, Severity

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from tui.core.inventory import Inventory
    from tui.core.remote.protocol import HostResult, RunOptions


# --wait: a holder's run takes at most its confirm window and its commands' timeouts.
LOCK_WAIT = 600.0


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
    parser.add_argument("--allow-errors", action="store_true",
                        help="apply even though `leap-tui check` reports errors in the files, "
                        "or the remote preflight (PFxxx) on a host")
    parser.set_defaults(handler=run)


def add_host_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("hosts", nargs="*", metavar="HOST",
                        help="only these hosts (as --host; default: every host)")
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
    parser.add_argument("--wait", action="store_true",
                        help="when another run holds a file's lock on a host, wait for it "
                        f"(up to {round(LOCK_WAIT / 60)} minutes) instead of skipping the host")


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def load_inventory_arg(args: argparse.Namespace) -> Inventory:
    from tui.core.inventory import load_inventory

    path = getattr(args, "inventory", None)
    if not path:
        raise ConfigError("-", "--inventory FILE is required")
    return load_inventory(Path(path))


class Prompts:
    """Questions on the terminal: one at a time, with the live progress paused meanwhile.

    Without the pause the progress line overwrites the question and the run looks hung.
    """

    def __init__(self, console: Console) -> None:
        self.console = console
        self.lock = threading.Lock()
        self.progress: Progress | None = None  # the live display, while one runs

    @contextmanager
    def asking(self) -> Iterator[None]:
        with self.lock:
            progress = self.progress
            if progress is not None:
                progress.stop()
            try:
                yield
            finally:
                if progress is not None:
                    progress.start()

    def yes(self, question: str) -> bool:
        """A y/N question in plain text (no Rich markup: ``[y/N]`` must show as typed)."""
        with self.asking():
            answer = self.console.input(f"{question} [y/N] ", markup=False)
        return answer.strip().lower() in ("y", "yes")

    def secret(self, question: str) -> str:
        with self.asking():
            return getpass.getpass(question)


def check_journal(*, writing: bool) -> None:
    """Refuse (JournalError, exit 2) a journal that cannot record the run, before any host
    is touched; warn on stderr about each damaged line (skipped)."""
    from tui.core.remote.journal import Journal

    journal = Journal()
    if writing:
        journal.check_writable()
    for problem in journal.read().problems:
        print(f"leap-tui: warning: {problem.format(journal.path)}", file=sys.stderr)


def build_options(args: argparse.Namespace, inventory: Inventory, console: Console,
                  prompts: Prompts) -> RunOptions:
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
            console.print(f"accepting new host key {name} {key_type} {fingerprint}",
                          style="yellow", markup=False, highlight=False)
            return True
        if not tty or args.yes:
            return False
        return prompts.yes(f"Unknown host key for {name}: {key_type} {fingerprint}\n"
                           "Trust it and record it?")

    def ask_passphrase(key: str) -> str | None:
        if not tty:
            return None
        return prompts.secret(f"Passphrase for {key}: ")

    provider_dir = getattr(args, "provider", None)
    provider_root = Path(provider_dir) if provider_dir else None
    return RunOptions(
        ssh=SshOptions(known_hosts=KnownHosts(read, record), ssh_config=default_ssh_config(),
                       accept_host_key=accept_host_key, ask_passphrase=ask_passphrase),
        journal=Journal(),
        inventory=inventory,
        force=bool(getattr(args, "force", False)),
        dry_run=bool(getattr(args, "dry_run", False)),
        allow_errors=bool(getattr(args, "allow_errors", False)),
        confirm_within=args.confirm_within,
        lock_wait=LOCK_WAIT if getattr(args, "wait", False) else 0.0,
        provider=load_provider(provider_root) if provider_root else None,
        provider_root=provider_root,
    )


def terminal_confirm(prompts: Prompts) -> Callable[[str, float], bool]:
    """The confirm step on a terminal: the new connection worked, the operator says yes."""
    import time

    def confirm(host: str, deadline: float) -> bool:
        left = max(0, round(deadline - time.time()))
        keep = prompts.yes(f"{host}: the new connection works. Keep the change? "
                           f"(reverts by itself in {left} s)")
        return keep and time.time() < deadline

    return confirm


def run_with_progress(console: Console, names: list[str], options: RunOptions,
                      work: Callable[[RunOptions], list[HostResult]],
                      confirm_on_terminal: bool, prompts: Prompts) -> list[HostResult]:
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
        if stage == "give-up":
            console.print("Giving up: no more waiting; hosts not confirmed revert (Ctrl-C "
                          "again stops leap-tui).", style="yellow", markup=False)
            return
        if not console.is_terminal and stage in ("arm", "confirm", "failed", "done", "skipped",
                                                 "reconnect", "wait", "lost"):
            console.print(f"{host}: {text}", highlight=False, markup=False)

    options.on_event = on_event
    if confirm_on_terminal:
        options.confirm = terminal_confirm(prompts)
    with progress:
        prompts.progress = progress
        try:
            return work(options)
        finally:
            prompts.progress = None


def skipped_after_dry_run(failed: list[HostResult]) -> list[HostResult]:
    """Hosts whose dry run failed, listed as skipped (with the dry run's reason) in the end."""
    return [dataclasses.replace(r, status="skipped", message=r.message or "dry run failed")
            for r in failed]


def print_results(console: Console, results: list[HostResult], *, show_diffs: bool) -> None:
    from rich.markup import escape
    from rich.table import Table

    if show_diffs:
        for result in results:
            console.rule(f"{result.host}")
            if result.ok:
                console.print(result.diff or "(no change)", highlight=False, markup=False)
            else:
                console.print(f"(not read: {result.message})", highlight=False, markup=False)
            if result.certificates:
                console.print(result.certificates, highlight=False, markup=False)
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
        # Paths and command output are data, never Rich markup ("[/x]" prints as typed).
        table.add_row(result.host, f"[{style}]{result.status}[/]", escape(files),
                      escape(backups), escape("\n".join(notes) or "-"), f"{result.seconds:.1f}s")
    console.print(table)


def chosen_hosts(args: argparse.Namespace) -> list[str]:
    """The host names given as HOST... and --host NAME, in that order."""
    return [*args.hosts, *args.host]


def check_errors(clace: str | None, provider: str | None) -> list[Finding]:
    """The errors `leap-tui check` finds in the files to push; ConfigError when one does
    not parse (then nothing may be pushed, whatever the flags)."""
    from tui.core.workspace import Workspace

    workspace = Workspace.open(clace=Path(clace) if clace else None,
                               provider=Path(provider) if provider else None)
    return [f for f in workspace.check() if f.severity is Severity.ERROR]


def show_check_errors(console: Console, errors: list[Finding], *, refused: bool) -> None:
    for finding in errors:
        console.print(finding.format_text(), style="red", markup=False, highlight=False)
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
        console.print(f"warning: {warning}", style="yellow", markup=False, highlight=False)
    if note:
        console.print(f"note: {note}", style="dim", markup=False, highlight=False)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    console = Console()
    try:
        from tui.core.remote.plan import load_sources, plan

        inventory = load_inventory_arg(args)
        hosts = inventory.select(chosen_hosts(args))
        clace = getattr(args, "clace", None)
        provider = getattr(args, "provider", None)
        sources = load_sources(inventory, hosts, clace=Path(clace) if clace else None,
                               provider=Path(provider) if provider else None)
        plans = plan(inventory, sources, [h.name for h in hosts])
        errors = check_errors(clace, provider)
        if args.parallel < 1 or args.canary < 0:
            raise ConfigError("-", "--parallel must be at least 1 and --canary at least 0")
        if args.confirm_within is not None and args.confirm_within < 1:
            raise ConfigError("-", "--confirm-within must be at least 1 second")
        check_journal(writing=not args.dry_run)
    except ConfigError as exc:
        return fail_input(exc)
    if not plans:
        return fail("the inventory lists no hosts")
    if not args.dry_run and not args.yes and not interactive():
        return fail("refusing to apply without --yes and without a terminal to ask on")

    from tui.core.remote.fleet import apply_fleet

    if errors:
        # The TUI greys out Apply for the same reason. A dry run still shows the diff.
        refused = not args.dry_run and not args.allow_errors
        show_check_errors(console, errors, refused=refused)
        if refused:
            return 1
    if provider:
        show_unshipped_port_moves(console, inventory, Path(provider))
    prompts = Prompts(console)
    options = build_options(args, inventory, console, prompts)
    skipped: list[HostResult] = []
    if not args.dry_run and not args.yes:
        preview = build_options(args, inventory, console, prompts)
        preview.dry_run = True
        shown = run_with_progress(console, [p.host.name for p in plans], preview,
                                  lambda o: apply_fleet(plans, o, parallel=args.parallel),
                                  False, prompts)
        print_results(console, shown, show_diffs=True)
        reachable = {r.host for r in shown if r.ok}
        if not reachable:
            console.print("No host can be applied to; nothing was changed.", style="red")
            return 1
        question = f"Apply to {len(reachable)} host(s)?"
        if len(reachable) < len(shown):
            # A dead host never blocks the others: offer them, the failed ones stay listed.
            skipped = skipped_after_dry_run([r for r in shown if not r.ok])
            question = (f"{len(skipped)} host(s) failed the dry run and are skipped: "
                        f"{', '.join(r.host for r in skipped)}. Apply to the "
                        f"{len(reachable)} reachable host(s)?")
        if not prompts.yes(question):
            console.print("Nothing changed.")
            return 0  # declining is not a failure of any host
        plans = [p for p in plans if p.host.name in reachable]
    results = run_with_progress(
        console, [p.host.name for p in plans], options,
        lambda o: apply_fleet(plans, o, parallel=args.parallel, canary=args.canary),
        not args.yes and not args.dry_run, prompts)
    results += skipped
    print_results(console, results, show_diffs=args.dry_run)
    # A skipped host did not get the change: the exit status says so (1), as with --yes.
    return 0 if all(r.ok for r in results) else 1

"""What `apply` and `rollback` share: host options, the questions on the terminal, the SSH
options, the progress display. The SSH core (paramiko) is imported only when a command runs.

Questions, progress and notes go to stderr; stdout carries the results only.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

# --wait: a holder's run takes at most its confirm window and its commands' timeouts.
LOCK_WAIT = 600.0

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from tui.core.inventory import Inventory
    from tui.core.remote.protocol import HostResult, RunOptions


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
                        help="trust and record a host key seen for the first time (as "
                        "StrictHostKeyChecking accept-new; a changed key is never accepted)")
    parser.add_argument("--wait", action="store_true",
                        help="when another run holds a file's lock on a host, wait for it "
                        f"(up to {round(LOCK_WAIT / 60)} minutes) instead of skipping the host")


def interactive() -> bool:
    """Whether questions can be asked: they are read from stdin and shown on stderr."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def chosen_hosts(args: argparse.Namespace) -> list[str]:
    """The host names given as HOST... and --host NAME, in that order."""
    return [*args.hosts, *args.host]


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
                  prompts: Prompts, provider_root: Path | None) -> RunOptions:
    """RunOptions from the command line: known_hosts, ssh_config, prompts, provider."""
    from tui.core.remote.changes import load_provider
    from tui.core.remote.hostkeys import KnownHosts
    from tui.core.remote.journal import Journal
    from tui.core.remote.protocol import RunOptions
    from tui.core.remote.ssh import SshOptions, default_ssh_config

    tty = interactive()

    def accept_host_key(name: str, key_type: str, fingerprint: str) -> bool:
        if not tty or args.yes:
            return False
        return prompts.yes(f"Unknown host key for {name}: {key_type} {fingerprint}\n"
                           "Trust it and record it?")

    def ask_passphrase(key: str) -> str | None:
        if not tty:
            return None
        return prompts.secret(f"Passphrase for {key}: ")

    def notify(line: str) -> None:
        console.print(line, style="yellow", markup=False, highlight=False, soft_wrap=True)

    return RunOptions(
        ssh=SshOptions(known_hosts=KnownHosts.for_inventory(inventory.known_hosts),
                       ssh_config=default_ssh_config(), accept_host_key=accept_host_key,
                       ask_passphrase=ask_passphrase, notify=notify,
                       # As `ssh -o StrictHostKeyChecking=accept-new`: over ssh_config's.
                       strict_host_key_checking="accept-new" if args.accept_new_host_key
                       else None),
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
    """Run ``work`` with one progress line per host on ``console`` (stderr); the prompts
    pause the display. Off a terminal, each host's milestones are one line each."""
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
            console.print(f"{host}: {text}", highlight=False, markup=False, soft_wrap=True)

    options.on_event = on_event
    if confirm_on_terminal:
        options.confirm = terminal_confirm(prompts)
    with progress:
        prompts.progress = progress
        try:
            return work(options)
        finally:
            prompts.progress = None

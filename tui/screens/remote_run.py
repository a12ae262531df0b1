"""What the apply and rollback screens share: a worker thread that talks to the operator.

The SSH core runs in a thread worker and calls back from that thread: progress events,
an unknown host key, a passphrase, "keep this change?". Each callback posts a message to
the screen (thread-safe, never blocks the UI) and, when it needs an answer, waits on an
``Answer`` that a dialog or a key fills in. Leaving the screen or the app answers every
open question with its safe default (refuse, decline), so no thread waits forever and a
lock-out-prone change is reverted rather than kept unseen.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from tui.core.errors import ConfigError
from tui.screens.hostkey import HostKeyDialog
from tui.screens.passphrase import PassphraseDialog
from tui.screens.remote_messages import (
    Answer,
    ConfirmAsked,
    HostEvent,
    HostKeyAsked,
    PassphraseAsked,
    RemoteRunFinished,
    RemoteSetup,
    RunEnded,
    SshNote,
    T,
)
from widgets.host_progress import HostProgressTable
from widgets.host_results import HostResultsTable, result_detail
from widgets.marked_footer import MarkedFooter
from widgets.run_countdown import RunCountdown

if TYPE_CHECKING:
    from tui.core.remote.protocol import HostResult, RunOptions
    from tui.core.remote.ssh import SshOptions

class RemoteRunScreen(Screen[None]):
    """Progress table, countdown and the operator's answers; subclasses say what runs."""

    remote_kind = ""  # "apply" | "rollback": the app offers neither again on top of a run

    DEFAULT_CSS = """
    RemoteRunScreen #run-status {
        height: auto;
        padding: 0 1;
        background: $panel;
    }
    RemoteRunScreen #run-countdown {
        height: auto;
        padding: 0 1;
        color: $warning;
        text-style: bold;
    }
    RemoteRunScreen #run-notes {
        height: auto;
        max-height: 3;
        padding: 0 1;
    }
    RemoteRunScreen #progress {
        height: auto;
        max-height: 10;
    }
    RemoteRunScreen #run-output {
        height: 1fr;
    }
    RemoteRunScreen #results {
        height: 1fr;
    }
    RemoteRunScreen #lockout-note {
        padding: 0 1;
        color: $warning;
    }
    RemoteRunScreen #rollback-pick {
        height: 9;
    }
    RemoteRunScreen #rollback-pick SelectionList {
        width: 1fr;
        border: round $panel-lighten-2;
    }
    RemoteRunScreen #rollback-pick OptionList {
        width: 2fr;
        border: round $panel-lighten-2;
    }
    """

    BINDINGS = [
        Binding("escape", "close", "Close", id="remote-close"),
        Binding("c", "confirm_hosts", "Keep change", id="remote-confirm", priority=True,
                tooltip="The new connection works: keep the change on the waiting hosts"),
        Binding("x", "revert_hosts", "Revert now", id="remote-revert", priority=True,
                tooltip="Do not keep the change, or stop waiting for a new connection: the "
                "waiting hosts revert at once (or by themselves at their deadline)"),
    ]

    def __init__(self, setup: RemoteSetup) -> None:
        super().__init__()
        self.setup = setup
        self.running = False
        self.pending: dict[str, tuple[float, Answer[bool]]] = {}
        self.last_results: list[HostResult] = []
        self._stop = threading.Event()
        # Set by x while hosts wait for a new connection (RunOptions.give_up): they revert.
        self._give_up = threading.Event()
        self.notes: list[str] = []  # what the SSH layer told without asking (keys recorded)
        self._ssh: SshOptions | None = None
        self._ssh_lock = threading.Lock()

    # layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield from self.compose_controls()
        yield Static("", id="run-status", markup=False)
        yield Static("", id="run-notes", markup=False)
        yield RunCountdown(id="run-countdown")
        yield HostProgressTable(id="progress")
        yield Vertical(id="run-output")
        yield Static("", id="result-detail", markup=False)
        yield MarkedFooter(compact=True)

    def compose_controls(self) -> ComposeResult:
        """Widgets above the progress (the rollback screen's pickers)."""
        yield from ()

    def on_mount(self) -> None:
        self.query_one("#run-notes").display = False
        self.set_interval(0.25, self._tick)

    def on_unmount(self) -> None:
        self.hang_up()

    def hang_up(self) -> None:
        """Nobody is left to answer: every open and later question gets its safe default,
        and no wait for a new connection goes on (those hosts revert)."""
        self._stop.set()
        self._give_up.set()
        for _, answer in self.pending.values():
            answer.give(False)
        self.pending.clear()

    @on(DataTable.RowHighlighted)
    def result_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if isinstance(event.data_table, HostResultsTable):
            self.show_result_detail(event.data_table)

    def show_result_detail(self, table: HostResultsTable | None) -> None:
        """The highlighted host's result in full under the table (its cells are cut)."""
        text = result_detail(table.highlighted) if table is not None else ""
        self.query_one("#result-detail", Static).update(text)

    def mount_results(self, results: list[HostResult]) -> HostResultsTable:
        table = HostResultsTable(id="results")
        self.query_one("#run-output").mount(table)
        table.show(results)
        self.show_result_detail(table)
        return table

    def clear_output(self) -> None:
        self.query_one("#run-output").remove_children()
        self.show_result_detail(None)

    def say(self, text: str) -> None:
        self.query_one("#run-status", Static).update(text)

    @property
    def progress(self) -> HostProgressTable:
        return self.query_one("#progress", HostProgressTable)

    @property
    def status_text(self) -> str:
        return str(self.query_one("#run-status", Static).content)

    @property
    def countdown(self) -> RunCountdown:
        return self.query_one("#run-countdown", RunCountdown)

    @property
    def countdown_text(self) -> str:
        return self.countdown.text

    # the worker ---------------------------------------------------------------------------

    def start_run(self, kind: str, hosts: Iterable[str],
                  job: Callable[[], list[HostResult]]) -> None:
        self.running = True
        self._give_up.clear()  # a new run: the last one's "give up" is spent
        self.countdown.clear()
        self.progress.start(list(hosts))
        self.refresh_bindings()
        self._work(kind, job)

    @work(thread=True, exclusive=True, group="remote", exit_on_error=False)
    def _work(self, kind: str, job: Callable[[], list[HostResult]]) -> None:
        try:
            results, error = job(), ""
        except ConfigError as exc:
            results, error = [], str(exc)
        except Exception as exc:  # shown on the screen: a worker must never take the app down
            results, error = [], f"{type(exc).__name__}: {exc}"
        self.post_message(RunEnded(kind, results, error))

    def run_options(self, *, dry_run: bool = False, allow_errors: bool = False) -> RunOptions:
        """RunOptions whose callbacks reach this screen; called on the worker thread.

        Dry run and real run share one SshOptions, so a passphrase is asked once.
        """
        from tui.core.remote.changes import load_provider
        from tui.core.remote.hostkeys import KnownHosts
        from tui.core.remote.journal import Journal
        from tui.core.remote.protocol import RunOptions
        from tui.core.remote.ssh import SshOptions, default_ssh_config

        inventory = self.setup.inventory
        with self._ssh_lock:
            if self._ssh is None:
                self._ssh = SshOptions(
                    KnownHosts.for_inventory(inventory.known_hosts),
                    ssh_config=default_ssh_config(), accept_host_key=self._accept_host_key,
                    ask_passphrase=self._ask_passphrase, notify=self._ssh_note)
            ssh = self._ssh
        root = self.setup.provider
        return RunOptions(
            ssh=ssh, journal=Journal(), inventory=inventory, on_event=self._on_event,
            confirm=self._confirm, dry_run=dry_run, lockout_window=self.setup.confirm_window,
            allow_errors=allow_errors, give_up=self._give_up,
            provider=load_provider(root) if root is not None else None, provider_root=root)

    # callbacks from the worker threads ----------------------------------------------------

    def _ask(self, message: Message, answer: Answer[T], deadline: float | None = None) -> T:
        if not self.post_message(message):
            return answer.default  # the screen is gone: nobody can answer
        return answer.wait(self._stop, deadline)

    def _on_event(self, host: str, stage: str, detail: str) -> None:
        self.post_message(HostEvent(host, stage, detail))

    def _ssh_note(self, line: str) -> None:
        """A host key recorded without asking (StrictHostKeyChecking accept-new)."""
        self.post_message(SshNote(line))

    def _accept_host_key(self, name: str, key_type: str, fingerprint: str) -> bool:
        answer = Answer(False)
        return self._ask(HostKeyAsked(name, key_type, fingerprint, answer), answer)

    def _ask_passphrase(self, key_path: str) -> str | None:
        answer: Answer[str | None] = Answer(None)
        return self._ask(PassphraseAsked(key_path, answer), answer)

    def _confirm(self, host: str, deadline: float) -> bool:
        answer = Answer(False)
        return self._ask(ConfirmAsked(host, deadline, answer), answer, deadline)

    # the same, on the UI side -------------------------------------------------------------

    def on_host_event(self, event: HostEvent) -> None:
        self.progress.update_host(event.host, event.stage, event.detail)
        waited = self.countdown.waits_for_connection
        self.countdown.host_event(event.host, event.stage, event.detail)
        if event.stage in ("confirmed", "revert", "failed", "done") and event.host in self.pending:
            del self.pending[event.host]
            self._show_countdown()
            self.refresh_bindings()
        elif waited != self.countdown.waits_for_connection:
            self.refresh_bindings()  # x: give up waiting

    def on_ssh_note(self, message: SshNote) -> None:
        self.notes.append(message.line)
        notes = self.query_one("#run-notes", Static)
        notes.update("\n".join(f"🔑 {line}" for line in self.notes[-3:]))
        notes.display = True
        self.app.notify(message.line, title="Host key recorded", timeout=10)

    def on_host_key_asked(self, message: HostKeyAsked) -> None:
        self.app.push_screen(HostKeyDialog(message.name, message.key_type, message.fingerprint),
                             lambda accepted: message.answer.give(bool(accepted)))

    def on_passphrase_asked(self, message: PassphraseAsked) -> None:
        self.app.push_screen(PassphraseDialog(message.key_path), message.answer.give)

    def on_confirm_asked(self, message: ConfirmAsked) -> None:
        self.pending[message.host] = (message.deadline, message.answer)
        self._show_countdown()
        self.refresh_bindings()

    def on_run_ended(self, message: RunEnded) -> None:
        self.running = False
        for _, answer in self.pending.values():
            answer.give(False)
        self.pending.clear()
        self.countdown.clear()
        self.last_results = message.results
        self.refresh_bindings()
        self.run_ended(message.kind, message.results, message.error)
        self.app.post_message(RemoteRunFinished(message.kind, message.results))

    def run_ended(self, kind: str, results: list[HostResult], error: str) -> None:
        """What the subclass shows when a run is over."""

    # countdown and keys -------------------------------------------------------------------

    def _tick(self) -> None:
        self.progress.tick()
        self._show_countdown()

    def _show_countdown(self) -> None:
        now = time.time()
        for host, (deadline, _) in self.pending.items():
            left = max(0, round(deadline - now))
            self.progress.set_detail(host, f"press c to keep: reverts by itself in {left} s")
        self.countdown.confirming = {host: deadline
                                     for host, (deadline, _) in self.pending.items()}
        self.countdown.show()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm_hosts":
            return bool(self.pending)
        if action == "revert_hosts":
            return bool(self.pending) or (self.running and self.countdown.waits_for_connection
                                          and not self._give_up.is_set())
        return True

    def action_confirm_hosts(self) -> None:
        self._answer_pending(True)

    def action_revert_hosts(self) -> None:
        if self.running and self.countdown.waits_for_connection and not self._give_up.is_set():
            # As Ctrl-C in the CLI: no more waiting in this run; hosts not confirmed revert.
            self._give_up.set()
            self.say("Giving up: no more waiting for new connections in this run; the hosts "
                     "not confirmed revert now (or by themselves at their deadline).")
        self._answer_pending(False)
        self.refresh_bindings()

    def _answer_pending(self, keep: bool) -> None:
        for host, (_, answer) in list(self.pending.items()):
            answer.give(keep)
            self.progress.set_detail(host, "keeping the change" if keep else "reverting")
        self.pending.clear()
        self._show_countdown()
        self.refresh_bindings()

    def action_close(self) -> None:
        if self.running:
            self.notify("Still working on the hosts: the results come in a moment "
                        "(a host is never left half-done).", severity="warning")
            return
        self.dismiss(None)

"""Apply: a dry run shows each host's diff, one key applies, progress and results per host."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.widgets import Static

from tui.commands.apply_cmd import skipped_after_dry_run
from tui.core.findings import Severity
from tui.screens.remote_messages import RemoteSetup
from tui.screens.remote_run import RemoteRunScreen
from widgets.diff_view import DiffView

if TYPE_CHECKING:
    from tui.core.remote.plan import HostPlan
    from tui.core.remote.protocol import HostResult

PARALLEL = 16


def hosts_to_touch(preview: list[HostResult]) -> list[str]:
    """Hosts whose dry run found a file to change (the others already have the files)."""
    return [r.host for r in preview if r.ok and any(f.status == "changed" for f in r.files)]


def stopped_by_preflight(results: list[HostResult]) -> list[str]:
    """Hosts whose remote preflight found errors (PFxxx), which stopped them."""
    return [r.host for r in results if not r.ok and any(
        f.code.startswith("PF") and f.severity is Severity.ERROR for f in r.findings)]


def with_preflight_errors(results: list[HostResult]) -> list[str]:
    """Hosts with preflight errors that go on (allow errors is on)."""
    return [r.host for r in results if r.ok and any(
        f.code.startswith("PF") and f.severity is Severity.ERROR for f in r.findings)]


class ApplyScreen(RemoteRunScreen):
    """Phases: preview (dry run) -> ready (one key applies) -> applying -> done.

    ``dry_run_only``: the preview alone (the host list's dry run), then done. A host whose
    remote preflight finds errors is stopped, as in the CLI; "allow errors" (off by
    default) runs the dry run again with them allowed, and the apply after it.
    """

    remote_kind = "apply"

    BINDINGS = [
        Binding("enter,y", "go", "Apply", id="apply-go", priority=True,
                tooltip="Apply to the hosts listed, with the diffs shown"),
        Binding("e", "allow_errors", "Allow errors", id="apply-allow-errors",
                tooltip="Apply anyway to hosts whose preflight found errors (PFxxx); off by "
                "default, and they are skipped"),
    ]

    def __init__(self, setup: RemoteSetup, plans: list[HostPlan], *,
                 dry_run_only: bool = False) -> None:
        super().__init__(setup)
        self.plans = plans
        self.dry_run_only = dry_run_only
        if dry_run_only:
            self.remote_kind = "dry-run"  # nothing applied: no rollback offered from here
        self.allow_errors = False
        self.preflight_stopped: list[str] = []  # hosts the last dry run's preflight stopped
        self.phase = "preview"
        self.touch: list[str] = []
        self.skipped: list[HostResult] = []  # failed in the dry run: left out of the apply
        # ssh.port moves through provider files no host ships, and a note when unknown.
        self.port_warnings: list[str] = []
        self.port_note = ""

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = "Dry run" if self.dry_run_only else "Apply"
        self._start_dry_run()

    def _start_dry_run(self) -> None:
        self.phase = "preview"
        self.clear_output()
        names = [p.host.name for p in self.plans]
        allowed = " Preflight errors allowed." if self.allow_errors else ""
        self.say(f"Dry run on {len(names)} host(s): reading the live files to compare "
                 f"(nothing is changed yet)…{allowed}")
        self.start_run("dry-run", names, self._dry_run)

    def _dry_run(self) -> list[HostResult]:
        from tui.core.remote.changes import unshipped_port_warnings
        from tui.core.remote.fleet import apply_fleet

        if self.setup.provider is not None:
            # On the worker: this runs git in the provider.
            self.port_warnings, self.port_note = unshipped_port_warnings(
                self.setup.provider, self.setup.inventory.shipped_sources())
        return apply_fleet(self.plans, self.run_options(dry_run=True,
                                                        allow_errors=self.allow_errors),
                           parallel=PARALLEL)

    def _apply(self) -> list[HostResult]:
        from tui.core.remote.fleet import apply_fleet

        plans = [p for p in self.plans if p.host.name in self.touch]
        return apply_fleet(plans, self.run_options(allow_errors=self.allow_errors),
                           parallel=PARALLEL)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go":
            return self.phase == "ready" and not self.dry_run_only
        if action == "allow_errors":
            # Offered once a preflight stopped a host (or to turn it off again).
            return (not self.dry_run_only and self.phase in ("ready", "blocked")
                    and bool(self.preflight_stopped or self.allow_errors))
        return super().check_action(action, parameters)

    def action_allow_errors(self) -> None:
        """Toggle "apply anyway": the dry run runs again, so that the hosts it stopped show
        their diffs (or, turned off, are stopped again) before anything is applied."""
        if not self.check_action("allow_errors", ()):
            return
        self.allow_errors = not self.allow_errors
        self._start_dry_run()

    def action_go(self) -> None:
        if self.phase != "ready":
            return
        self.phase = "applying"
        self.clear_output()
        self.say(f"Applying to {', '.join(self.touch)}…")
        self.start_run("apply", self.touch, self._apply)

    def run_ended(self, kind: str, results: list[HostResult], error: str) -> None:
        if error:
            self.phase = "done"
            self.say(f"✖ {error}")
            return
        if kind == "dry-run":
            self._show_preview(results)
            return
        self.phase = "done"
        self.mount_results(results + self.skipped)
        failed = [r for r in results if not r.ok]
        reverted = [r.host for r in results if r.status == "reverted"]
        skipped = (f" Skipped (dry run failed): {', '.join(r.host for r in self.skipped)}."
                   if self.skipped else "")
        if not failed:
            self.say(f"✔ Applied to {len(results)} host(s).{skipped} Escape closes; "
                     "r rolls back.")
        else:
            text = f"✖ {len(failed)} of {len(results)} host(s) failed: see the table.{skipped}"
            if reverted:
                text += (f" Not confirmed: {', '.join(reverted)} reverted (or revert on their "
                         "own at the deadline).")
            self.say(text)

    def _show_port_warnings(self) -> None:
        lines = [f"⚠ {warning}" for warning in self.port_warnings]
        if self.port_note:
            lines.append(f"note: {self.port_note}")
        if lines:
            self.query_one("#run-output").mount(
                Static("\n".join(lines), id="unshipped-note", markup=False))

    def _show_preview(self, results: list[HostResult]) -> None:
        output = self.query_one("#run-output")
        failed = [r for r in results if not r.ok]
        self.touch = hosts_to_touch(results)
        self.skipped = skipped_after_dry_run(failed)
        self.preflight_stopped = stopped_by_preflight(results)
        self._show_port_warnings()
        self._show_preflight_note(results)
        if self.dry_run_only:
            self._show_dry_run(results)
            return
        # A dead host never blocks the others: they can still be applied to, one key. Hosts
        # with findings (certificates of the new cert_location, AP006...) are listed too.
        listed = [r for r in results if not r.ok or r.findings]
        if listed:
            self.mount_results(listed)
        if failed and not self.touch:
            self.phase = "blocked"
            self.say(f"✖ {len(failed)} host(s) cannot be applied to (see below) and no other "
                     "host needs a change: nothing was changed. Escape closes.")
            self.refresh_bindings()
            return
        if not self.touch:
            self.phase = "done"
            self.say("Every host already has these files: nothing to apply. Escape closes.")
            return
        diffs = [(r.host, r.diff) for r in results if r.host in self.touch]
        risky = [r for r in results if r.host in self.touch and r.lockout]
        if risky:
            window = round(self.setup.confirm_window)
            notes = "; ".join(f"{r.host}: {', '.join(r.lockout)}" for r in risky)
            output.mount(Static(f"⚠ Lock-out-prone: {notes}. After the change you get {window} s "
                                "to press c over a new connection; otherwise those hosts "
                                "revert on their own.", id="lockout-note", markup=False))
        output.mount(DiffView(diffs, id="apply-diff"))
        reports = [r.certificates for r in results if r.host in self.touch and r.certificates]
        if reports:
            output.mount(Static("\n\n".join(reports), id="host-certificates", markup=False))
        self.phase = "ready"
        if self.allow_errors:
            output.mount(Static("⚠ Allow errors is on: hosts with preflight errors are "
                                "applied anyway (e turns it off).", id="allow-errors-note",
                                markup=False))
        if failed:
            self.say(f"✖ {len(failed)} host(s) failed the dry run and are skipped (see the "
                     f"table). Apply to the {len(self.touch)} reachable host(s): "
                     f"{', '.join(self.touch)}? Enter or y applies, Escape cancels.")
        else:
            self.say(f"Apply to {len(self.touch)} host(s): {', '.join(self.touch)}? "
                     "Enter or y applies, Escape cancels.")
        self.refresh_bindings()

    def _show_preflight_note(self, results: list[HostResult]) -> None:
        if not self.preflight_stopped or self.dry_run_only:
            return
        names = ", ".join(self.preflight_stopped)
        self.query_one("#run-output").mount(Static(
            f"✖ Stopped by the remote preflight (PFxxx errors, see the table): {names}. "
            "Fix the host, or press e to apply anyway (allow errors).",
            id="preflight-note", markup=False))

    def _show_dry_run(self, results: list[HostResult]) -> None:
        """The host list's dry run: what each host's live files are; nothing to apply."""
        from tui.core.hosts.status import drift_found

        self.phase = "done"
        states = [found.state for r in results
                  if (found := drift_found("dry-run", r)) is not None]
        counts = ", ".join(f"{states.count(s)} {s}" for s in dict.fromkeys(states))
        self.mount_results(results)
        diffs = [(r.host, r.diff) for r in results if r.diff]
        if diffs:
            self.query_one("#run-output").mount(DiffView(diffs, id="apply-diff"))
        self.say(f"Dry run done on {len(results)} host(s): {counts or 'nothing read'}. "
                 "Nothing was changed. Escape returns; the host list shows each host's state.")
        self.refresh_bindings()

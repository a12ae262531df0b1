"""Apply: a dry run shows each host's diff, one key applies, progress and results per host."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.widgets import Static

from tui.commands.apply_cmd import skipped_after_dry_run
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


class ApplyScreen(RemoteRunScreen):
    """Phases: preview (dry run) -> ready (one key applies) -> applying -> done."""

    remote_kind = "apply"

    BINDINGS = [
        Binding("enter,y", "go", "Apply", id="apply-go", priority=True,
                tooltip="Apply to the hosts listed, with the diffs shown"),
    ]

    def __init__(self, setup: RemoteSetup, plans: list[HostPlan]) -> None:
        super().__init__(setup)
        self.plans = plans
        self.phase = "preview"
        self.touch: list[str] = []
        self.skipped: list[HostResult] = []  # failed in the dry run: left out of the apply
        # ssh.port moves through provider files no host ships, and a note when unknown.
        self.port_warnings: list[str] = []
        self.port_note = ""

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = "Apply"
        names = [p.host.name for p in self.plans]
        self.say(f"Dry run on {len(names)} host(s): reading the live files to compare "
                 "(nothing is changed yet)…")
        self.start_run("dry-run", names, self._dry_run)

    def _dry_run(self) -> list[HostResult]:
        from tui.core.remote.changes import unshipped_port_warnings
        from tui.core.remote.fleet import apply_fleet

        if self.setup.provider is not None:
            # On the worker: this runs git in the provider.
            self.port_warnings, self.port_note = unshipped_port_warnings(
                self.setup.provider, self.setup.inventory.shipped_sources())
        return apply_fleet(self.plans, self.run_options(dry_run=True), parallel=PARALLEL)

    def _apply(self) -> list[HostResult]:
        from tui.core.remote.fleet import apply_fleet

        plans = [p for p in self.plans if p.host.name in self.touch]
        return apply_fleet(plans, self.run_options(), parallel=PARALLEL)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go":
            return self.phase == "ready"
        return super().check_action(action, parameters)

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
        self._show_port_warnings()
        # A dead host never blocks the others: they can still be applied to, one key. Hosts
        # with findings (certificates of the new cert_location, AP006...) are listed too.
        listed = [r for r in results if not r.ok or r.findings]
        if listed:
            self.mount_results(listed)
        if failed and not self.touch:
            self.phase = "blocked"
            self.say(f"✖ {len(failed)} host(s) cannot be applied to (see below) and no other "
                     "host needs a change: nothing was changed. Escape closes.")
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
        if failed:
            self.say(f"✖ {len(failed)} host(s) failed the dry run and are skipped (see the "
                     f"table). Apply to the {len(self.touch)} reachable host(s): "
                     f"{', '.join(self.touch)}? Enter or y applies, Escape cancels.")
        else:
            self.say(f"Apply to {len(self.touch)} host(s): {', '.join(self.touch)}? "
                     "Enter or y applies, Escape cancels.")
        self.refresh_bindings()

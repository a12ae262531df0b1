"""The app's editing actions: live checks, save (and when it must ask), undo/redo, quit."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.timer import Timer

from tui.app_base import AppBase
from tui.core.findings import Finding, Severity, count_by_severity, has_errors
from tui.screens.main import MainScreen

if TYPE_CHECKING:
    from tui.session import Restored

# An edit after a pause is checked at once, so that its findings are painted in the frame
# that shows the key. Edits that follow within this delay (a burst from the terminal: keys
# arriving together) are checked once more, this long after the last of them. Keys a person
# types are further apart than this: a warm check of 1,000 nodes takes a few ms
# (docs/benchmarks.md); checked only after the delay, the key was painted in a frame of its
# own and the findings a frame later, which doubled the keystroke-to-findings figure.
RECHECK_DELAY = 0.005
TITLE = "leap-tui"
UNSAVED_TITLE = "leap-tui [+] unsaved"
# Findings named in the "save with new errors?" question; the rest are counted.
NAMED_FINDINGS = 5


def findings_summary(findings: list[Finding]) -> str:
    counts = count_by_severity(findings)
    return "  ".join(
        f"{severity.icon} {counts[severity]} {severity}{'s' if counts[severity] != 1 else ''}"
        for severity in Severity
    )


class EditingActions(AppBase):
    _recheck_timer: Timer | None = None
    _checked_at = 0.0  # time.monotonic() at the end of the last check
    _shown_unsaved = False

    # checks -------------------------------------------------------------------------------

    def schedule_checks(self) -> None:
        if self._recheck_timer is not None:
            self._recheck_timer.stop()
        elif time.monotonic() - self._checked_at >= RECHECK_DELAY:
            self.run_checks()
            return
        self._recheck_timer = self.set_timer(RECHECK_DELAY, self._burst_checks)

    def _burst_checks(self) -> None:
        self._recheck_timer = None
        self.run_checks()

    def run_checks(self) -> None:
        if self._recheck_timer is not None:  # a check of everything now: none due later
            self._recheck_timer.stop()
            self._recheck_timer = None
        had_errors = has_errors(self.session.findings)
        self.show_findings(self.session.check(), had_errors)

    def show_findings(self, findings: list[Finding], had_errors: bool) -> None:
        """The findings in the header, the findings pane and (when errors came or went)
        the Footer, whose Apply is off while there are errors."""
        summary = findings_summary(findings)
        self.sub_title = summary
        main = self.main_screen
        if main is not None:
            main.show_findings(findings, summary)
        if has_errors(findings) != had_errors:
            # Apply is greyed out while there are errors; the Footer is rebuilt only when
            # that changes, not on every keystroke (rebuilding it costs a frame).
            self.refresh_bindings()
        self._checked_at = time.monotonic()

    def on_main_screen_model_changed(self, message: MainScreen.ModelChanged) -> None:
        self.schedule_checks()
        self.show_unsaved()

    def show_unsaved(self) -> None:
        """The unsaved mark in the header and on each edited file in the tree."""
        unsaved = bool(self.session.modified_targets)
        self.title = UNSAVED_TITLE if unsaved else TITLE
        main = self.main_screen
        if main is not None and main.is_mounted:
            main.show_unsaved()
        if unsaved != self._shown_unsaved:
            self._shown_unsaved = unsaved
            self.refresh_bindings()  # Save is off with nothing to save

    # a Clace file named on the command line that does not exist ---------------------------

    def offer_new_clace(self) -> None:
        path = self.session.missing_clace
        if path is None:
            return
        from tui.screens.confirm import ConfirmDialog

        def decided(start: bool | None) -> None:
            if not start:
                self.notify(f"{path} left out: it does not exist.", severity="warning")
                return
            from tui.session import new_clace

            self.session.workspace.clace = new_clace(path)
            self.session.missing_clace = None
            main = self.main_screen
            if main is not None:
                main.build_tree()
                self.call_later(main.reveal, "clace:http", "http.host")
            self.run_checks()
            self.show_unsaved()

        self.push_screen(ConfirmDialog(
            f"{path} does not exist.\nStart a new Clace configuration from the documented "
            "defaults? Nothing is written until you save (ctrl+s).",
            yes="Start new", no="Leave it out"), decided)

    # saving -------------------------------------------------------------------------------

    def action_save(self) -> None:
        self.request_save()

    def request_save(self, then: Callable[[], object] | None = None) -> None:
        """Save, asking first when the edits add errors; ``then`` runs once saved."""
        self.flush_edits()
        if not self.session.modified_targets:
            self.notify("Nothing to save.")
            return
        blockers = self.session.save_blockers()
        if blockers:
            more = f" (and {len(blockers) - 1} more)" if len(blockers) > 1 else ""
            self.notify(f"Not saved: {blockers[0]}{more}.", severity="error", timeout=8)
            return
        new_errors = self.session.new_errors()
        if not new_errors:
            self._save(then)
            return
        from tui.screens.confirm import ConfirmDialog
        named = [f"✖ {f.code} {f.location} {f.message}" for f in new_errors[:NAMED_FINDINGS]]
        if len(new_errors) > NAMED_FINDINGS:
            named.append(f"… and {len(new_errors) - NAMED_FINDINGS} more")
        count = f"{len(new_errors)} error{'s' if len(new_errors) != 1 else ''}"

        def decided(save: bool | None) -> None:
            if save:
                self._save(then)
            else:
                self.notify("Not saved.")

        self.push_screen(ConfirmDialog(
            f"These edits add {count}:\n" + "\n".join(named)
            + "\nSave anyway? Apply stays off until they are fixed.",
            yes="Save anyway", no="Cancel"), decided)

    def _save(self, then: Callable[[], object] | None) -> None:
        try:
            names = self.session.save()
        except OSError as error:
            self.notify(f"Not saved: {error}", severity="error", timeout=10)
            return
        main = self.main_screen
        if main is not None:
            main.refresh_fields()
        self.run_checks()
        self.show_unsaved()
        errors = count_by_severity(self.session.findings)[Severity.ERROR]  # as saved
        if errors:
            # Saving work in progress is allowed; pushing it is not (Apply stays off).
            self.notify(f"Saved {', '.join(names)} with {errors} error"
                        f"{'s' if errors != 1 else ''}: Apply stays off until they are fixed.",
                        severity="warning")
        else:
            self.notify(f"Saved {', '.join(names)}")
        if then is not None:
            then()

    # undo and redo ------------------------------------------------------------------------

    async def action_undo(self) -> None:
        self.flush_edits()
        restored = self.session.undo()
        if restored is None:
            self.notify("Nothing to undo.")
            return
        await self._show_restored("Undone", restored)

    async def action_redo(self) -> None:
        self.flush_edits()
        restored = self.session.redo()
        if restored is None:
            self.notify("Nothing to redo.")
            return
        await self._show_restored("Redone", restored)

    async def _show_restored(self, verb: str, restored: Restored) -> None:
        """The field that changed back comes into view, and the operator is told what."""
        main = self.main_screen
        field = restored.change.field
        if main is not None:
            main.refresh_fields(keep_typing=False)
            await main.reveal(restored.section_id, field)
        self.run_checks()
        self.show_unsaved()
        where = self.session.display_target(restored.change.target)
        self.notify(f"{verb}: {field} in {where}: {restored.old or '(empty)'} → "
                    f"{restored.new or '(empty)'}", timeout=4)

    # quitting -----------------------------------------------------------------------------

    def action_request_quit(self) -> None:
        self.flush_edits()
        modified = self.session.modified_targets
        if not modified:
            self.exit()
            return

        def decided(choice: str | None) -> None:
            if choice == "save":
                self.request_save(then=self.exit)
            elif choice == "discard":
                self.exit()

        from tui.screens.confirm import QuitDialog

        self.push_screen(QuitDialog([self.session.display_target(t) for t in modified]),
                         decided)

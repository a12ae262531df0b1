"""The editing session the screens share: the open files, undo history, findings, saving.

Screens get this object, not the app: they edit through it and post messages for what the
app must do next (checks, the header). It holds no widget and imports no Textual, so the
same rules (what may be saved, which errors are new) are testable without a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tui.core import sections as sec
from tui.core.clace_config import ClaceConfig, toml_literal
from tui.core.clace_schema import CLACE_FIELDS
from tui.core.errors import ConfigError
from tui.core.findings import Finding, Severity
from tui.core.history import Change, EditHistory
from tui.core.leap_provider import Provider
from tui.core.workspace import Workspace


def load_failure_findings(code: str, error: ConfigError) -> list[Finding]:
    """Each file of a failed load as an error finding (``code``: CL000 or LP000)."""
    return [Finding(code, Severity.ERROR, f"does not parse: {e.message}", file=e.file,
                    line=e.line, hint="fix it in an editor and restart leap-tui; it was not "
                    "opened, so nothing here is checked and Apply stays off")
            for e in error.all_errors()]


def default_clace_text() -> str:
    """A new Clace file: every [http]/[https] setting at the page's documented default."""
    lines = ["# Clace server configuration, started by leap-tui from the documented defaults."]
    for table in ("http", "https"):
        lines += ["", f"[{table}]"]
        lines += [f"{spec.name} = {toml_literal(spec.default)}"
                  for spec in CLACE_FIELDS.values() if spec.section == table]
    return "\n".join(lines) + "\n"


def new_clace(path: Path) -> ClaceConfig:
    """A Clace config for a file that does not exist yet: modified, written only on save."""
    config = ClaceConfig.parse("", path)
    config.replace_text(default_clace_text())
    return config


def error_key(finding: Finding) -> tuple[str, str, str, str]:
    """What makes two error findings the same problem (the message carries the value)."""
    return (finding.code, finding.file or "", finding.path, finding.node or "")


@dataclass(frozen=True)
class Restored:
    """What an undo or redo changed: the field, its file, and its value before and after."""

    change: Change
    section_id: str | None
    old: str
    new: str


class EditSession:
    def __init__(self, clace: Path | None = None, provider: Path | None = None,
                 inventory: Path | None = None) -> None:
        self.workspace = Workspace(inventory_path=inventory)
        # Files that do not parse: shown as CL000/LP000 findings for the whole session.
        self.load_failures: list[Finding] = []
        self.missing_clace: Path | None = None  # named but absent: the app offers a new one
        self.missing_provider: Path | None = None  # named but absent: the app says so
        if clace is not None:
            if not clace.exists() and not clace.is_symlink():
                self.missing_clace = clace
            else:
                try:
                    self.workspace.clace = ClaceConfig.load(clace)
                except ConfigError as error:
                    self.load_failures += load_failure_findings("CL000", error)
        if provider is not None and not provider.exists() and not provider.is_symlink():
            self.missing_provider = provider
        elif provider is not None:
            try:
                self.workspace.provider = Provider.load(provider)
            except ConfigError as error:
                self.load_failures += load_failure_findings("LP000", error)
        self.history = EditHistory()
        self.findings: list[Finding] = []
        # The errors of the files as on disk, known from the first check before any edit
        # (not checked here as well: startup stays one check long).
        self._saved_errors: set[tuple[str, str, str, str]] | None = None

    # checks --------------------------------------------------------------------------------

    def check(self) -> list[Finding]:
        self.findings = [*self.load_failures, *self.workspace.check()]
        if not self.modified_targets:
            self._saved_errors = self._error_keys(self.findings)
        return self.findings

    @staticmethod
    def _error_keys(findings: list[Finding]) -> set[tuple[str, str, str, str]]:
        return {error_key(f) for f in findings if f.severity is Severity.ERROR}

    def new_errors(self) -> list[Finding]:
        """Errors the unsaved edits add to the files as they are on disk."""
        saved = self._saved_errors or set()
        return [f for f in self.workspace.check()
                if f.severity is Severity.ERROR and error_key(f) not in saved]

    # editing -------------------------------------------------------------------------------

    def edit(self, section: sec.Section, key: str, text: str) -> str | None:
        """Write ``text`` into the field; the reason when it cannot be written."""
        info = next((i for i in sec.fields(self.workspace, section) if i.key == key), None)
        if info is None:
            return f"{key} is not a field of {section.title}"
        try:
            value = sec.parse_text(info, text)
        except ValueError as error:
            return str(error)
        typing = self.history.open_change(section.target, key)
        if typing is not None:
            # A run of keys in one field is one edit of the text from before the run: the
            # layout never depends on the values typed on the way (a long one had pushed a
            # trailing comment out of its column for good).
            sec.set_target_text(self.workspace, section.target, typing.before)
        before = sec.target_text(self.workspace, section.target)
        sec.apply_edit(self.workspace, section, key, value)
        after = sec.target_text(self.workspace, section.target)
        self.history.record(section.target, key, before, after)
        return None

    def reset(self, section: sec.Section, key: str) -> bool:
        """Remove the section file's own value of ``key``; False when it had none."""
        before = sec.target_text(self.workspace, section.target)
        sec.remove_override(self.workspace, section, key)
        after = sec.target_text(self.workspace, section.target)
        if before == after:
            return False
        self.history.close_group()
        self.history.record(section.target, key, before, after)
        self.history.close_group()
        return True

    def undo(self) -> Restored | None:
        change = self.history.undo()
        return None if change is None else self._restore(change, change.before)

    def redo(self) -> Restored | None:
        change = self.history.redo()
        return None if change is None else self._restore(change, change.after)

    def _restore(self, change: Change, text: str) -> Restored:
        section_id = sec.section_for_field(self.workspace, change.target, change.field)
        old = self.field_text(section_id, change.field)
        sec.set_target_text(self.workspace, change.target, text)
        return Restored(change, section_id, old, self.field_text(section_id, change.field))

    def field_text(self, section_id: str | None, key: str) -> str:
        section = sec.section_by_id(self.workspace, section_id) if section_id else None
        if section is None:
            return ""
        info = next((i for i in sec.fields(self.workspace, section) if i.key == key), None)
        return sec.display_text(info) if info is not None else ""

    # files ---------------------------------------------------------------------------------

    @property
    def modified_targets(self) -> list[str]:
        return sec.modified_targets(self.workspace)

    def display_target(self, target: str) -> str:
        if target == sec.CLACE_TARGET and self.workspace.clace is not None:
            return self.workspace.clace.path.name
        return target

    def save_blockers(self) -> list[str]:
        """One line per field that must not be saved as it is (an emptied port)."""
        return [f"{key} in {self.display_target(target)} {why}: type a port, or F4 to "
                "inherit it" for target, key, why in sec.unsaveable_fields(self.workspace)]

    def save(self) -> list[str]:
        """Write every edited file (atomically); the names written. Raises OSError."""
        saved = [self.display_target(t) for t in self.modified_targets]
        sec.save_all(self.workspace)
        self.history.close_group()
        self.check()  # the errors as saved are the new baseline
        return saved

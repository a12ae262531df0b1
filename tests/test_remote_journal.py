"""The local journal and the watchdog script, without any SSH."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tui.core.remote.journal import Journal, sha256, state_dir
from tui.core.remote.watchdog import Watchdog, WatchedFile, backup_re, parse_watchdog


def test_state_dir_is_overridable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LEAP_TUI_STATE_DIR", str(tmp_path / "s"))
    assert state_dir() == tmp_path / "s"
    monkeypatch.delenv("LEAP_TUI_STATE_DIR")
    assert state_dir().name == "leap-tui"


def test_expected_hashes_follow_the_last_settled_entry(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    assert journal.expected_hashes("h", "/f") is None

    a, b, c = (sha256(x) for x in (b"a", b"b", b"c"))

    def record(before: str | None, after: str | None, result: str) -> None:
        journal.record(run="r", action="apply", host="h", path="/f", before=before, after=after,
                       backup=None, result=result)

    record(a, b, "pending")
    assert journal.expected_hashes("h", "/f") == {a, b}  # a crash here is not drift
    record(a, b, "applied")
    assert journal.expected_hashes("h", "/f") == {b}
    record(b, a, "reverted")
    assert journal.expected_hashes("h", "/f") == {a}
    record(a, c, "failed")
    assert journal.expected_hashes("h", "/f") == {a}
    assert journal.expected_hashes("other", "/f") is None


def test_damaged_lines_do_not_hide_the_rest(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    x = sha256(b"x")
    journal.record(run="r", action="apply", host="h", path="/f", before=None, after=x,
                   backup=None, result="applied")
    with journal.path.open("a") as handle:
        handle.write("{not json\n")
    journal.record(run="r", action="rollback", host="h", path="/f", before=x, after=None,
                   backup=None, result="rolled-back")
    assert [e.action for e in journal.entries()] == ["apply", "rollback"]
    assert journal.path.stat().st_mode & 0o777 == 0o600


def test_blobs_round_trip(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    digest = journal.store_blob(b"data")
    assert digest == sha256(b"data") and journal.blob(digest) == b"data"
    assert journal.blob(None) is None and journal.blob("0" * 64) is None


def watchdog(tmp_path: Path, reload: str) -> tuple[Watchdog, Path, Path]:
    target, backup = tmp_path / "f.toml", tmp_path / "f.toml.leap-tui.20260101T000000.000000Z"
    target.write_text("new\n")
    backup.write_text("old\n")
    dog = Watchdog(base=str(backup), run="r1", host="h", action="apply", deadline=1.0,
                   files=(WatchedFile(str(target), str(backup), "a", "b"),
                          WatchedFile(str(tmp_path / "created"), None, None, "c")),
                   reloads=(reload,))
    Path(dog.script).write_text(dog.script_text(1))
    return dog, target, backup


def test_watchdog_script_reverts_once_and_loses_to_a_confirmation(tmp_path: Path) -> None:
    dog, target, backup = watchdog(tmp_path, f"echo reloaded >> {tmp_path / 'log'}")
    (tmp_path / "created").write_text("c\n")
    subprocess.run(["/bin/sh", "-c", dog.revert_now_command()], check=True, capture_output=True)
    assert target.read_text() == "old\n" and not backup.exists()
    assert not (tmp_path / "created").exists()
    assert (tmp_path / "log").read_text() == "reloaded\n"
    assert not Path(dog.script).exists()

    dog, target, backup = watchdog(tmp_path, "true")
    assert subprocess.run(["/bin/sh", "-c", dog.confirm_command()]).returncode == 0
    subprocess.run(["/bin/sh", dog.script], check=True)  # the deadline passes: it backs off
    assert target.read_text() == "new\n" and backup.exists()
    state = subprocess.run(["/bin/sh", "-c", dog.state_command()], capture_output=True,
                           text=True).stdout.strip()
    assert state == "confirmed"


def test_manifest_round_trip_and_backup_names(tmp_path: Path) -> None:
    dog, _, _ = watchdog(tmp_path, "systemctl reload clace")
    parsed = parse_watchdog(dog.base, Path(dog.script).read_text())
    assert parsed == dog
    assert parse_watchdog(dog.base, "#!/bin/sh\n") is None
    pattern = backup_re("f.toml")
    assert pattern.match("f.toml.leap-tui.20260101T000000.000000Z")
    assert not pattern.match("f.toml.leap-tui.20260101T000000.000000Z.watchdog")
    assert not pattern.match("xf.toml.leap-tui.20260101T000000.000000Z")


def test_outcomes_keep_the_last_entry_of_each_change() -> None:
    from tui.core.remote.journal import JournalEntry, outcomes

    def entry(run: str, action: str, result: str, path: str = "/etc/x") -> JournalEntry:
        return JournalEntry("2026-11-30T10:00:00Z", run, action, "h1", path, None, None, None,
                            result)

    entries = [entry("a", "apply", "pending"), entry("a", "apply", "pending", "/etc/y"),
               entry("a", "apply", "confirmed"), entry("b", "rollback", "pending"),
               entry("b", "rollback", "rolled-back"), entry("c", "apply", "pending")]
    assert [(e.run, e.path, e.result) for e in outcomes(entries)] == [
        ("a", "/etc/y", "pending"), ("a", "/etc/x", "confirmed"),
        ("b", "/etc/x", "rolled-back"), ("c", "/etc/x", "pending")]


def test_restored_backups_are_those_a_later_rollback_put_back() -> None:
    from tui.core.remote.journal import JournalEntry, restored_backups

    def entry(action: str, before: str, after: str, backup: str | None,
              result: str) -> JournalEntry:
        return JournalEntry("2026-11-30T10:00:00Z", "r", action, "h1", "/etc/x", before, after,
                            backup, result)

    entries = [entry("apply", "A", "B", "/etc/x.leap-tui.1Z", "applied"),
               entry("apply", "B", "C", "/etc/x.leap-tui.2Z", "applied"),
               entry("rollback", "C", "B", None, "rolled-back")]
    assert restored_backups(entries) == {"/etc/x.leap-tui.2Z"}
    failed = [*entries[:2], entry("rollback", "C", "B", None, "failed")]
    assert restored_backups(failed) == set()

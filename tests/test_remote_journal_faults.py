"""A damaged local journal: every bad line reported by number and skipped, never a traceback."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.plugins.sshd_hosts import RemoteEnv, SshdHost
from tests.test_remote_apply import NEW, OLD, live_file, one_host
from tui.cli import main
from tui.core.remote.journal import Journal, JournalError

Hosts = Callable[[int], list[SshdHost]]
DIGEST = "ab" * 32


def good(host: str = "h1", result: str = "applied", **changes: object) -> bytes:
    entry: dict[str, object] = {
        "time": "2026-01-02T03:04:05Z", "run": "r1", "action": "apply", "host": host,
        "path": "/srv/clace.toml", "before": None, "after": DIGEST, "backup": None,
        "result": result, "detail": ""}
    entry.update(changes)
    return json.dumps(entry).encode()


# (what, the bad line, the reason reported): each is written between two good lines.
CORRUPTIONS: list[tuple[str, bytes, str]] = [
    ("invalid UTF-8", b'{"host": "\xff\xfe"}', "not valid UTF-8 (byte 0xff at column 11)"),
    ("truncated JSON", good()[:30], "not JSON"),
    ("not JSON at all", b"hello journal", "not JSON"),
    ("a JSON array", b"[1, 2]", "a JSON list, not an object"),
    ("a JSON number", b"42", "a JSON int, not an object"),
    ("a JSON string", b'"x"', "a JSON str, not an object"),
    ("JSON null", b"null", "a JSON NoneType, not an object"),
    ("a missing key", good(host=None), '"host" is missing'),
    ("host as a number", good(host=7), '"host" is int 7'),
    ("host as an object", good(host={"a": 1}), '"host" is dict'),
    ("before as a number", good(before=5), '"before" is int 5'),
    ("after not a digest", good(after="zz"), '"after" is str "zz"'),
    ("backup as a list", good(backup=["x"]), '"backup" is list'),
    ("detail as a list", good(detail=[1]), '"detail" is list'),
    ("result empty", good(result=""), '"result" is str ""'),
    ("time as a float", good().replace(b'"2026-01-02T03:04:05Z"', b"1e999"), '"time" is float'),
    ("nested too deeply", b"[" * 30_000 + b"]" * 30_000, "not JSON"),
    ("a line over 64 KiB", good(detail="x" * 200_000), "a line of 200"),
    ("NUL bytes", b"\x00\x00" + good(), "not JSON"),
    ("a lone surrogate", good().replace(b'"h1"', b'"\\ud800"'), "lone surrogate"),
    ("Rich markup and a huge run", good(run="[/x]" * 5000, host="[/bad]"), ""),
]


@pytest.mark.parametrize(("what", "line", "reason"), CORRUPTIONS,
                         ids=[c[0] for c in CORRUPTIONS])
def test_each_bad_line_is_reported_by_number_and_skipped(
        tmp_path: Path, what: str, line: bytes, reason: str) -> None:
    journal = Journal(tmp_path)
    journal.path.write_bytes(good(host="first") + b"\n" + line + b"\n" + good(host="last")
                             + b"\n")
    read = journal.read()
    if not reason:  # a valid line with awkward text: kept as it is
        assert [e.host for e in read.entries] == ["first", "[/bad]", "last"]
        assert read.problems == []
        return
    assert [e.host for e in read.entries] == ["first", "last"]
    (problem,) = read.problems
    assert problem.line == 2
    assert reason in problem.message
    assert problem.format(journal.path).startswith(f"{journal.path}:2: ")


def test_a_huge_line_is_never_held_whole(tmp_path: Path) -> None:
    """A 20 MB line (damage, or something else written there) is counted and skipped:
    the entries around it are read, the problem names its size."""
    journal = Journal(tmp_path)
    with journal.path.open("wb") as handle:
        handle.write(good(host="first") + b"\n")
        handle.write(b'{"detail": "' + b"y" * 20_000_000 + b'"}\n')
        handle.write(good(host="last") + b"\n")
    read = journal.read()
    assert [e.host for e in read.entries] == ["first", "last"]
    (problem,) = read.problems
    assert problem.line == 2 and problem.message.startswith("a line of 20000015 bytes")
    assert len(problem.message) < 200


def test_bom_crlf_and_blank_lines_are_read(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.path.write_bytes(b"\xef\xbb\xbf" + good() + b"\r\n\r\n" + good(host="h2") + b"\r\n")
    read = journal.read()
    assert [e.host for e in read.entries] == ["h1", "h2"] and read.problems == []


def test_an_unfinished_last_line_does_not_swallow_the_next_entry(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.path.write_bytes(good() + b"\n" + good(host="cut")[:40])  # a crash mid-write
    assert journal.read().problems[0].message.endswith("(an unfinished last line)")
    journal.record(run="r2", action="apply", host="h2", path="/x", before=None, after=None,
                   backup=None, result="applied")
    read = journal.read()
    assert [e.host for e in read.entries] == ["h1", "h2"]
    assert [p.line for p in read.problems] == [2]


def special_file(path: Path, kind: str) -> None:
    if kind == "directory":
        path.mkdir()
    elif kind == "FIFO":
        os.mkfifo(path)
    else:  # a character device made in the test's own directory, never a system one
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))


@pytest.mark.parametrize("kind", ["directory", "FIFO", "character device"])
def test_a_journal_that_is_not_a_file_is_named_and_never_opened(tmp_path: Path,
                                                                kind: str) -> None:
    journal = Journal(tmp_path)
    special_file(journal.path, kind)
    read = journal.read()  # a FIFO would hang here if it were opened
    assert read.entries == []
    assert [(p.line, p.message) for p in read.problems] == [
        (None, f"is a {kind}, not a journal file")]
    with pytest.raises(JournalError, match=f"journal.jsonl: is a {kind}"):
        journal.check_writable()
    with pytest.raises(JournalError):
        journal.record(run="r", action="apply", host="h", path="/x", before=None, after=None,
                       backup=None, result="applied")


def test_a_state_directory_that_is_a_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "state").write_text("not a directory")
    journal = Journal(tmp_path / "state")
    with pytest.raises(JournalError, match="is not a directory"):
        journal.check_writable()
    blobs = Journal(tmp_path / "other")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "blobs").write_text("a file where the blobs go")
    with pytest.raises(JournalError, match="blobs: is not a directory"):
        blobs.store_blob(b"data")


def test_a_blob_that_does_not_hold_its_bytes_is_not_used(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    digest = journal.store_blob(b"the applied bytes")
    (tmp_path / "blobs" / digest).write_bytes(b"something else")
    assert journal.blob(digest) is None
    (tmp_path / "blobs" / digest).unlink()
    (tmp_path / "blobs" / digest).mkdir()
    assert journal.blob(digest) is None


_WRITER = """
import sys
from pathlib import Path
from tui.core.remote.journal import Journal
journal = Journal(Path(sys.argv[1]))
for n in range(150):
    journal.record(run=sys.argv[2], action="apply", host="h", path="/x" * 200, before=None,
                   after=None, backup=None, result="applied", detail=str(n) * 300)
"""


def test_two_local_processes_append_without_tearing_a_line(tmp_path: Path) -> None:
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), run])
               for run in ("a", "b")]
    assert [w.wait(60) for w in writers] == [0, 0]
    read = Journal(tmp_path).read()
    assert read.problems == []
    assert sorted(e.run for e in read.entries) == ["a"] * 150 + ["b"] * 150


# -- the commands: one line, exit 2 or a warning, never Python's exception text -----------

PYTHON_TEXT = ("Traceback", "Error:", "Errno", "UnicodeDecodeError", "JSONDecodeError",
               "TypeError", "KeyError", "connection lost")


def test_history_reports_bad_lines_and_shows_the_rest(
        remote_env: RemoteEnv, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    remote_env.state.mkdir()
    journal = Journal(remote_env.state)
    journal.path.write_bytes(b"\n".join(
        [good(), *[line for _, line, reason in CORRUPTIONS if reason], good(host="h2")]) + b"\n")
    assert main(["history"]) == 0
    captured = capsys.readouterr()
    assert "h1" in captured.out and "h2" in captured.out
    warnings = captured.err.splitlines()
    assert len(warnings) == len([c for c in CORRUPTIONS if c[2]])
    assert warnings[0] == (f"leap-tui: warning: {journal.path}:2: not valid UTF-8 (byte 0xff "
                           "at column 11); line skipped")
    assert not any(text in captured.out + captured.err for text in ("Traceback", "Errno"))

    journal.path.write_bytes(good(host="[/bad]", detail="[/x] reload said [bold]") + b"\n")
    assert main(["history", "--all"]) == 0
    assert "[/bad]" in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["directory", "FIFO", "character device"])
def test_every_command_refuses_a_journal_that_is_not_a_file(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str],
        kind: str) -> None:
    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    inventory = one_host(remote_env, host, target)
    clace = remote_env.root / "clace.toml"
    clace.write_bytes(NEW)
    remote_env.state.mkdir()
    special_file(remote_env.state / "journal.jsonl", kind)
    for args in (["history"],
                 ["apply", "--inventory", str(inventory), "--clace", str(clace), "--yes"],
                 ["rollback", "--inventory", str(inventory), "--yes"]):
        assert main(args) == 2, args
        captured = capsys.readouterr()
        assert captured.err.splitlines() == [
            f"leap-tui: {remote_env.state / 'journal.jsonl'}: is a {kind}, not a journal file"]
        assert not any(text in captured.out + captured.err for text in PYTHON_TEXT)
    assert target.read_bytes() == OLD  # nothing was pushed without a journal to record it


def test_rollback_with_damaged_lines_names_them_and_still_works(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str]) -> None:
    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    inventory = one_host(remote_env, host, target)
    clace = remote_env.root / "clace.toml"
    clace.write_bytes(NEW)
    assert main(["apply", "--inventory", str(inventory), "--clace", str(clace), "--yes"]) == 0
    journal = Journal(remote_env.state)
    with journal.path.open("ab") as handle:
        handle.write(b"\n".join(line for _, line, reason in CORRUPTIONS if reason) + b"\n")
    capsys.readouterr()

    assert main(["rollback", "--inventory", str(inventory), "--yes"]) == 0

    captured = capsys.readouterr()
    assert target.read_bytes() == OLD
    assert "rolled-back" in captured.out
    assert captured.err.count("line skipped") == len([c for c in CORRUPTIONS if c[2]])
    assert not any(text in captured.out + captured.err for text in PYTHON_TEXT)


def test_a_journal_failing_mid_run_is_named_not_a_lost_connection(
        remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    from tui.core.remote.fleet import rollback_fleet

    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    options = remote_env.options(one_host(remote_env, host, target))
    from tui.core.remote.fleet import apply_fleet
    from tui.core.remote.plan import plan

    apply_fleet(plan(options.inventory, {"clace": NEW}), options)
    journal = Journal(remote_env.state)
    journal.path.unlink()
    journal.path.mkdir()  # replaced behind the run's back

    (result,) = rollback_fleet(options.inventory.hosts, options)

    assert result.status == "failed"
    assert [f.code for f in result.findings] == ["AP015"]
    assert result.message.startswith(f"the local journal failed: {journal.path}: is a "
                                     "directory, not a journal file")
    assert "connection lost" not in result.message and "Errno" not in result.message

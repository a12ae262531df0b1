"""Rollback undoes the last run as it changed each host; a host it did not change is left."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.plugins.sshd_hosts import RemoteEnv, SshdHost
from tests.test_remote_apply import NEW, OLD, backups
from tui.cli import main
from tui.core.remote.journal import Journal
from tui.core.remote.journal_entry import JournalEntry
from tui.core.remote.run_undo import last_run, nothing_to_undo

Hosts = Callable[[int], list[SshdHost]]
NEWER = NEW + b"# second run\n"


def test_rollback_after_a_partial_failure_leaves_the_untouched_host(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    hosts = sshd_hosts(2)
    remote_env.trust(*hosts)
    targets = [remote_env.remote / f"h{i}.toml" for i in range(2)]
    tables = []
    for number, (host, target) in enumerate(zip(hosts, targets, strict=True)):
        target.write_bytes(OLD)
        # h1 refuses the second run's file: that run changes h0 only.
        validate = "true" if number == 0 else "! grep -q 'second run' {path}"
        tables.append(remote_env.host_toml(host, f"h{number}", [
            {"source": "clace", "target": str(target), "validate": validate}]))
    inventory = remote_env.inventory(*tables)
    clace = remote_env.root / "clace.toml"
    apply = ["apply", "--inventory", str(inventory), "--clace", str(clace), "--yes"]
    clace.write_bytes(NEW)
    assert main(apply) == 0
    clace.write_bytes(NEWER)
    assert main(apply) == 1  # h1 failed validate
    assert [t.read_bytes() for t in targets] == [NEWER, NEW]
    second = Journal(remote_env.state).entries("h0")[-1].run
    capsys.readouterr()

    assert main(["rollback", "--inventory", str(inventory), "--yes"]) == 0

    out = " ".join(capsys.readouterr().out.split())
    assert [t.read_bytes() for t in targets] == [NEW, NEW]  # h1 is not taken back to OLD
    assert f"nothing to roll back from run {second}: it did not change h1" in out
    assert len(backups(targets[1])) == 1  # the first run's backup is still there for h1

    # Again: the second run is undone, so now the first one is, on both hosts.
    assert main(["rollback", "--inventory", str(inventory), "--yes"]) == 0
    assert [t.read_bytes() for t in targets] == [OLD, OLD]
    assert "nothing to roll back" not in capsys.readouterr().out
    # Nothing left to undo: the newest backup on each host, as before (none here).
    assert main(["rollback", "--inventory", str(inventory), "--yes"]) == 1
    assert "AP018 nothing to roll back on h0: no leap-tui backup of" in " ".join(
        capsys.readouterr().out.split())


def entry(run: str, host: str, result: str, backup: str | None, *, action: str = "apply",
          before: str | None = "a" * 64, after: str | None = "b" * 64) -> JournalEntry:
    return JournalEntry("2026-01-01T00:00:00Z", run, action, host, "/x", before, after, backup,
                        result)


def test_the_last_run_skips_reverted_and_rolled_back_changes() -> None:
    entries = [
        entry("r1", "h0", "applied", "/x.leap-tui.1Z"),
        entry("r1", "h1", "applied", "/x.leap-tui.2Z"),
        entry("r2", "h0", "pending", "/x.leap-tui.3Z"),
        entry("r2", "h0", "reverted", None, before="b" * 64, after="a" * 64),
        entry("r3", "h1", "pending", None, before=None),  # created the file
        entry("r3", "h1", "confirmed", None, before=None),
    ]
    changes = last_run(entries, ["h0", "h1"])
    assert changes is not None and changes.run == "r1"  # r2 was reverted; r3 only created
    assert changes.backups == {"h0": {"/x": "/x.leap-tui.1Z"}, "h1": {"/x": "/x.leap-tui.2Z"}}
    rolled = [*entries, entry("rb", "h0", "rolled-back", None, action="rollback",
                              before="b" * 64, after="a" * 64)]
    changes = last_run(rolled, ["h0", "h1"])
    assert changes is not None and changes.backups == {"h1": {"/x": "/x.leap-tui.2Z"}}
    assert last_run(rolled, ["h0"]) is None
    only_created = last_run(entries[4:], ["h1"])
    assert only_created is None
    r3 = last_run([entries[0], *entries[4:]], ["h0", "h1"])
    assert r3 is not None and r3.run == "r1"
    assert "created /x on h1" in nothing_to_undo(
        type(r3)("r3", "", {}, {"h1": ["/x"]}), "h1")

"""`leap-tui apply`, `rollback` and `history` end to end against real sshd instances."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.plugins.sshd_hosts import RemoteEnv, SshdHost, free_port
from tui.cli import main

Hosts = Callable[[int], list[SshdHost]]
OLD = b'[http]\nhost = "127.0.0.1"\nport = 25223\n'
NEW = b'[http]\nhost = "127.0.0.1"\nport = 25223\n\n[logging]\nlevel = "WARN"\n'


def two_hosts(env: RemoteEnv, hosts: list[SshdHost], *, trust: bool = True) -> tuple[Path, Path]:
    if trust:
        env.trust(*hosts)
    tables = []
    for number, host in enumerate(hosts):
        target = env.remote / f"h{number}.toml"
        target.write_bytes(OLD)
        tables.append(env.host_toml(host, f"h{number}", [
            {"source": "clace", "target": str(target), "validate": "test -s {path}"}]))
    clace = env.root / "clace.toml"
    clace.write_bytes(NEW)
    return env.inventory(*tables), clace


def test_apply_rollback_history_commands(remote_env: RemoteEnv, sshd_hosts: Hosts,
                                         capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # table rows on one line each, for the assertions
    inventory, clace = two_hosts(remote_env, sshd_hosts(2))

    assert main(["apply", "--inventory", str(inventory), "--clace", str(clace), "--yes"]) == 0
    out = capsys.readouterr().out
    # Piped: one record per host, tab-separated (host, status, files, backup, detail, time).
    records = [line.split("\t") for line in out.splitlines()]
    assert [(r[0], r[1]) for r in records] == [("h0", "applied"), ("h1", "applied")]
    assert all(len(r) == 6 for r in records)
    assert all((remote_env.remote / f"h{i}.toml").read_bytes() == NEW for i in range(2))

    assert main(["rollback", "--inventory", str(inventory), "--host", "h1", "--yes"]) == 0
    assert (remote_env.remote / "h1.toml").read_bytes() == OLD
    assert (remote_env.remote / "h0.toml").read_bytes() == NEW
    assert "rolled-back" in capsys.readouterr().out

    assert main(["history", "--host", "h1"]) == 0
    history = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    # time, host, action, file, result, before, after, backup, detail; newest first
    assert [(r[1], r[2]) for r in history] == [("h1", "rollback"), ("h1", "apply")]
    assert all(len(r) == 9 for r in history)
    assert "pending" not in [r[4] for r in history]  # how each change ended; --all: every
    assert history[1][7].endswith("(restored: gone)")  # that rollback used its backup up
    assert main(["history", "--host", "h1", "--all"]) == 0
    assert "pending" in capsys.readouterr().out

    # Hosts may also be named positionally: `rollback [HOST...]`.
    assert main(["rollback", "--inventory", str(inventory), "h0", "--yes"]) == 0
    assert (remote_env.remote / "h0.toml").read_bytes() == OLD
    assert "rolled-back" in capsys.readouterr().out


def test_apply_refuses_without_yes_and_without_a_terminal(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str]) -> None:
    inventory, clace = two_hosts(remote_env, sshd_hosts(2))
    assert main(["apply", "--inventory", str(inventory), "--clace", str(clace)]) == 2
    assert "refusing" in capsys.readouterr().err
    assert main(["rollback", "--inventory", str(inventory)]) == 2
    assert (remote_env.remote / "h0.toml").read_bytes() == OLD


def test_dry_run_prints_the_diff_and_changes_nothing(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str]) -> None:
    inventory, clace = two_hosts(remote_env, sshd_hosts(2))
    assert main(["apply", "--inventory", str(inventory), "--clace", str(clace),
                 "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert '+level = "WARN"' in out and "\t(live on h0)\n" in out
    assert (remote_env.remote / "h0.toml").read_bytes() == OLD
    assert not (remote_env.state / "journal.jsonl").exists()


def test_a_failed_host_gives_exit_1_and_says_why(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str]) -> None:
    (host,) = sshd_hosts(1)
    remote_env.trust(host)
    good = remote_env.remote / "good.toml"
    good.write_bytes(OLD)
    inventory = remote_env.inventory(
        remote_env.host_toml(host, "good", [{"source": "clace", "target": str(good)}]),
        remote_env.host_toml(None, "gone", [{"source": "clace", "target": str(good) + ".x"}],
                             port=free_port()))
    clace = remote_env.root / "clace.toml"
    clace.write_bytes(NEW)

    status = main(["apply", "--inventory", str(inventory), "--clace", str(clace), "--yes"])

    out = capsys.readouterr().out
    assert status == 1
    assert "AP007" in out and "gone" in out
    assert good.read_bytes() == NEW


def test_unknown_host_key_needs_the_flag(remote_env: RemoteEnv, sshd_hosts: Hosts,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    inventory, clace = two_hosts(remote_env, sshd_hosts(1), trust=False)
    args = ["apply", "--inventory", str(inventory), "--clace", str(clace), "--yes"]

    assert main(args) == 1
    out = capsys.readouterr().out
    assert "AP001" in out and "SHA256:" in out
    assert (remote_env.remote / "h0.toml").read_bytes() == OLD

    assert main([*args, "--accept-new-host-key"]) == 0
    assert (remote_env.remote / "h0.toml").read_bytes() == NEW
    assert "ssh-ed25519" in remote_env.known_hosts.read_text()


def test_bad_input_exits_2(remote_env: RemoteEnv, capsys: pytest.CaptureFixture[str]) -> None:
    broken = remote_env.root / "hosts.toml"
    broken.write_text("[[host]]\nname = \n")
    assert main(["apply", "--inventory", str(broken), "--yes"]) == 2
    err = capsys.readouterr().err
    assert f"{broken}:2" in err and "Traceback" not in err

    inventory = remote_env.inventory(remote_env.host_toml(None, "x", [
        {"source": "clace", "target": "/tmp/x.toml"}], port=2222))
    assert main(["apply", "--inventory", str(inventory), "--yes"]) == 2
    assert "--clace" in capsys.readouterr().err
    assert main(["apply", "--inventory", str(inventory), "--clace", "/nonexistent.toml",
                 "--yes"]) == 2
    assert main(["rollback", "--inventory", str(inventory), "--host", "nope", "--yes"]) == 2
    assert main(["rollback", "--inventory", str(inventory), "nope", "--yes"]) == 2
    assert "no host named nope" in capsys.readouterr().err


def test_history_when_empty(remote_env: RemoteEnv, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "No history" in captured.err


def on_a_terminal(monkeypatch: pytest.MonkeyPatch, *answers: str) -> None:
    """As if run on a terminal where the operator types ``answers``, one line each."""
    import io

    from tui.commands import remote_common

    monkeypatch.setattr(remote_common, "interactive", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{a}\n" for a in answers)))


def test_declining_shows_the_choices_and_exits_0(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    inventory, clace = two_hosts(remote_env, sshd_hosts(1), trust=False)
    on_a_terminal(monkeypatch, "y", "n")  # trust the key, then decline the apply

    assert main(["apply", "--inventory", str(inventory), "--clace", str(clace)]) == 0
    captured = capsys.readouterr()
    # Questions and what they are about go to stderr; nothing was done, so no result.
    assert captured.out == ""
    assert "Trust it and record it? [y/N]" in captured.err
    assert "Apply to 1 host(s)? [y/N]" in captured.err and "Nothing changed." in captured.err
    assert (remote_env.remote / "h0.toml").read_bytes() == OLD

    on_a_terminal(monkeypatch, "n")
    assert main(["rollback", "--inventory", str(inventory)]) == 0
    assert "Restore the newest backup on h0? [y/N]" in capsys.readouterr().err


def test_a_dead_host_is_skipped_after_asking(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    (host,) = sshd_hosts(1)
    remote_env.trust(host)
    good = remote_env.remote / "good.toml"
    good.write_bytes(OLD)
    inventory = remote_env.inventory(
        remote_env.host_toml(host, "good", [{"source": "clace", "target": str(good)}]),
        remote_env.host_toml(None, "gone", [{"source": "clace", "target": str(good) + ".x"}],
                             port=free_port()))
    clace = remote_env.root / "clace.toml"
    clace.write_bytes(NEW)
    on_a_terminal(monkeypatch, "y")

    status = main(["apply", "--inventory", str(inventory), "--clace", str(clace)])

    captured = capsys.readouterr()
    question = "are skipped: gone. Apply to the 1 reachable host(s)? [y/N]"
    assert question in " ".join(captured.err.split())
    assert good.read_bytes() == NEW
    statuses = [line.split("\t")[:2] for line in captured.out.splitlines()]
    assert statuses == [["good", "applied"], ["gone", "skipped"]]
    assert status == 1  # the dead host did not get the change


def test_a_question_pauses_the_live_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from rich.console import Console

    from tui.commands.apply_cmd import Prompts

    calls: list[str] = []

    class FakeProgress:
        def stop(self) -> None:
            calls.append("stop")

        def start(self) -> None:
            calls.append("start")

    def typed(prompt: str = "") -> str:
        calls.append("input")
        return "y"

    monkeypatch.setattr("builtins.input", typed)
    out = io.StringIO()
    prompts = Prompts(Console(file=out))
    prompts.progress = FakeProgress()  # type: ignore[assignment]
    assert prompts.yes("Keep [bold]it[/]?") is True
    assert calls == ["stop", "input", "start"]
    assert out.getvalue() == "Keep [bold]it[/]? [y/N] "


def test_files_that_do_not_parse_or_have_errors_are_not_pushed(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str]) -> None:
    inventory, clace = two_hosts(remote_env, sshd_hosts(1))
    target = remote_env.remote / "h0.toml"
    args = ["apply", "--inventory", str(inventory), "--clace", str(clace), "--yes"]

    clace.write_bytes(b'[http]\nhost = "127.0.0.1"\nport = 25223 = x\n')
    assert main(args) == 2
    assert main([*args, "--allow-errors"]) == 2  # a file that does not parse: never pushed
    err = capsys.readouterr().err
    assert f"{clace}:3:" in err and "Traceback" not in err
    assert target.read_bytes() == OLD

    # CL006: HTTP and HTTPS on one port. Refused; shown (and not refused) in a dry run.
    clace.write_bytes(b'[http]\nport = 25300\n[https]\nport = 25300\n')
    assert main(args) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "CL006" in err and "Refusing to apply" in err
    assert target.read_bytes() == OLD
    assert main([*args[:-1], "--dry-run"]) == 0
    assert "CL006" in capsys.readouterr().err
    assert target.read_bytes() == OLD
    assert main([*args, "--allow-errors"]) == 0
    assert target.read_bytes() == clace.read_bytes()


def test_dry_run_piped_into_patch_applies_cleanly(
        remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    """`apply --dry-run | patch -p0 --dry-run` against a local copy of the hosts' files,
    with a line far longer than any terminal (never wrapped on a pipe)."""
    import os
    import subprocess
    import sys

    from tests.plugins.shared_corpus import REPO_ROOT

    hosts = sshd_hosts(2)
    inventory, clace = two_hosts(remote_env, hosts)
    long_value = "x" * 240
    clace.write_bytes(NEW + f'\n[metadata]\nnote = "{long_value}"\n'.encode())
    mirror = remote_env.root / "mirror"
    for number in range(2):
        target = remote_env.remote / f"h{number}.toml"
        copy = mirror / f"h{number}{target}"
        copy.parent.mkdir(parents=True)
        copy.write_bytes(target.read_bytes())
    leap_tui = f"{sys.executable} -m tui.cli"
    pipeline = (f"set -o pipefail; {leap_tui} apply --inventory {inventory} --clace {clace} "
                "--dry-run | tee patch.diff | patch -p0 --dry-run")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "COLUMNS": "80"}
    done = subprocess.run(["bash", "-c", pipeline], cwd=mirror, env=env, text=True,
                          capture_output=True, check=False)

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("checking file h") == 2
    patch = (mirror / "patch.diff").read_text()
    assert f'+note = "{long_value}"\n' in patch
    assert patch.startswith("--- h0/") and "per-host result" not in patch
    # The status table went to stderr: as records, stderr being a pipe here too.
    assert "host\tstatus\tfiles\tbackup\tdetail\ttime\n" in done.stderr
    assert (remote_env.remote / "h0.toml").read_bytes() == OLD


def test_apply_json_results(remote_env: RemoteEnv, sshd_hosts: Hosts,
                            capsys: pytest.CaptureFixture[str]) -> None:
    import json

    inventory, clace = two_hosts(remote_env, sshd_hosts(1))
    args = ["apply", "--inventory", str(inventory), "--clace", str(clace), "--format", "json"]
    assert main([*args, "--dry-run"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["command"] == "apply" and dry["dry_run"] is True
    (host,) = dry["hosts"]
    assert host["status"] == "dry-run" and host["ok"] is True
    assert '+level = "WARN"' in host["files"][0]["diff"] and host["patch"].startswith("--- h0/")

    assert main([*args, "--yes"]) == 0
    (applied,) = json.loads(capsys.readouterr().out)["hosts"]
    assert applied["status"] == "applied" and applied["files"][0]["backup"]

    assert main(["rollback", "--inventory", str(inventory), "--yes", "--format", "json"]) == 0
    (rolled,) = json.loads(capsys.readouterr().out)["hosts"]
    assert rolled["status"] == "rolled-back" and rolled["findings"] == []

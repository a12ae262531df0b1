"""stdout and stderr as pipes: a reader that goes away early, status lines that are never
wrapped or boxed when stderr is not a terminal."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.plugins.shared_corpus import REPO_ROOT

SAMPLES = REPO_ROOT / "sample_configs"
MINIMAL = Path(__file__).parent / "data" / "leap_minimal"


def run_with_closed_stdout(*argv: str, cwd: Path) -> tuple[int, str]:
    """leap-tui with a stdout pipe whose reader is already gone (as after `| head -1` has
    read its line): every write to stdout fails with EPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-m", "tui.cli", *argv], cwd=cwd, stdout=write_end,
                              stderr=subprocess.PIPE, text=True, check=False,
                              env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    finally:
        os.close(write_end)
    return done.returncode, done.stderr


@pytest.mark.parametrize("argv", [
    ("rules", "--format", "json"),
    ("rules",),
    ("ports", "--provider", str(SAMPLES / "provider")),
    ("check", "--provider", str(SAMPLES / "provider"), "--format", "json"),
    ("check", "--provider", str(SAMPLES / "provider"), "--format", "sarif"),
    ("help",),
    ("completion", "bash"),
    ("get", str(SAMPLES / "clace.toml"), "http.port"),
])
def test_a_reader_gone_early_is_status_141_without_a_traceback(argv: tuple[str, ...],
                                                               tmp_path: Path) -> None:
    status, err = run_with_closed_stdout(*argv, cwd=tmp_path)
    assert status == 141
    assert "Traceback" not in err and "BrokenPipeError" not in err
    assert "Exception ignored" not in err  # the flush at exit found nothing left to write


def test_stderr_off_a_terminal_is_never_wrapped_or_boxed(tmp_path: Path) -> None:
    """`apply --dry-run 2>&1 | cat`: the status lines whole, the result table as records."""
    provider = tmp_path / "provider"
    shutil.copytree(MINIMAL, provider)
    (provider / "nodes" / "web1.json").write_text(
        '{"ip_address": "10.0.0.1", "services": ["webapp"], "ssh": {"port": 0}}\n')
    long = "web-" + "x" * 90
    (tmp_path / "hosts.toml").write_text(
        f'[[host]]\nname = "{long}"\naddress = "{long}.invalid"\n'
        '[[host.file]]\nsource = "nodes/web1.json"\ntarget = "/srv/nodes/web1.json"\n')
    done = subprocess.run([sys.executable, "-m", "tui.cli", "apply", "--provider", "provider",
                           "--inventory", "hosts.toml", "--dry-run"], cwd=tmp_path, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "COLUMNS": "80",
                               "LEAP_TUI_STATE_DIR": str(tmp_path / "state")})
    lines = done.stdout.splitlines()
    assert done.returncode == 1, done.stdout  # the host cannot be read
    assert not any(set(line) & set("┏┃━│─╭╰") for line in lines)  # no box, no rule
    assert "warning: `leap-tui check` finds 1 error(s) in these files." in lines
    assert lines[0].startswith("provider/nodes/web1.json:1:")  # the finding, whole
    assert lines[0].endswith("(write an integer between 1 and 65535)")
    assert "host\tstatus\tfiles\tbackup\tdetail\ttime" in lines
    (record,) = [line.split("\t") for line in lines if line.startswith(f"{long}\t")]
    # A name label over 63 characters cannot be resolved: said so (was "unexpected failure").
    assert record[1] == "failed" and record[4].startswith("AP007 ")
    assert record[4].endswith("not a valid host name (an empty label, or one longer than 63 "
                              "characters)")


HISTORY = [("web1.example.org", "rollback", "/home/leap/provider/nodes/web1.json",
            "rolled-back", "20261124T101600.654321Z", "reload said: systemctl reload "
            "clace: Job for clace.service failed because the control process exited"),
           ("web1.example.org", "apply", "/var/lib/clace/config/clace.toml", "confirmed",
            "20261124T101500.123456Z", "")]


@pytest.mark.parametrize("width", [60, 80, 100, 120, 160])
def test_history_on_a_terminal_keeps_paths_and_stamps_whole(
        width: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    from tui.commands import history_table
    from tui.core.remote.journal import Journal

    journal = Journal(tmp_path)
    for host, action, path, result, stamp, detail in reversed(HISTORY):
        journal.record(run="r", action=action, host=host, path=path, before="a" * 64,
                       after="b" * 64, backup=f"{path}.leap-tui.{stamp}", result=result,
                       detail=detail)
    screen = io.StringIO()
    console = Console(file=screen, width=width, force_terminal=True, color_system=None)
    history_table.print_table(console, journal.path, list(reversed(journal.entries())), set())
    text = screen.getvalue()
    for _, _, path, _, _, _ in HISTORY:
        assert path in text  # never cut mid-word: 60 to 160 columns hold these paths
    if width >= 140:
        assert HISTORY[1][4] in text  # and the apply's stamp, where the row holds it too
    words = set(text.split())
    assert all(word in words for word in HISTORY[0][5].split())  # folded between words
    assert max(len(line.rstrip()) for line in text.splitlines()) <= width


def test_ctrl_c_is_one_line_and_status_130(tmp_path: Path) -> None:
    """Ctrl-C during a long check: no traceback, the status a shell gives SIGINT."""
    import signal
    import time

    big = tmp_path / "tables.toml"
    big.write_text("".join(f"[t{i}]\n" for i in range(700_000)))
    child = subprocess.Popen([sys.executable, "-m", "tui", "check", "--clace", str(big)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)  # started and reading; a check this size takes seconds
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    assert err.strip().splitlines()[-1] == "leap-tui: interrupted"
    assert "Traceback" not in err

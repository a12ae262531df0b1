"""stdout and stderr as pipes: a reader that goes away early, status lines that are never
wrapped or boxed when stderr is not a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.plugins.shared_corpus import REPO_ROOT

SAMPLES = REPO_ROOT / "sample_configs"


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

"""The rest of a command sent on its stdin (ssh_open): a script cut short runs nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tui.core.remote.ssh_open import stdin_script


def test_a_script_cut_anywhere_runs_none_of_its_steps(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    script = stdin_script(f"( echo 1 > {first}\n) || exit 64\n( echo 2 > {second}\n) || exit 65")
    # Every prefix short of the closing brace: what a connection lost mid-send delivers.
    for end in range(len(script) - 1):
        done = subprocess.run(["sh", "-s"], input=script[:end], capture_output=True,
                              check=False)
        assert not first.exists() and not second.exists(), (end, script[:end])
        assert done.returncode != 0 or end == 0, end  # a syntax error: end of input
    done = subprocess.run(["sh", "-s"], input=script, capture_output=True, check=False)
    assert done.returncode == 0 and first.read_text() == "1\n" and second.read_text() == "2\n"


def test_a_step_that_fails_is_named_by_its_exit_status(tmp_path: Path) -> None:
    script = stdin_script(f"( true\n) || exit 64\n( false\n) || exit 65\n"
                          f"( touch {tmp_path / 'after'}\n) || exit 66")
    done = subprocess.run(["sh", "-s"], input=script, capture_output=True, check=False)
    assert done.returncode == 65 and not (tmp_path / "after").exists()

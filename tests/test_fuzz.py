"""The fuzz suite: every CLI command on mutated corpus files and on odd file types.

Zero tracebacks, zero hangs, zero files changed (but by a successful `set`), exit codes in
{0, 1, 2}. CI runs a fixed, seeded number of cases (LEAP_TUI_FUZZ_CASES, default 3000);
`python -m tests.fuzz --cases N --seed S` runs more by hand. See tests/fuzz/mutate.py for
why a seeded generator and not hypothesis.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fuzz.harness import FuzzReport, Workspace, isolate, run_odd_files, run_random
from tests.plugins.shared_corpus import REPO_ROOT

CASES = int(os.environ.get("LEAP_TUI_FUZZ_CASES", "3000"))


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    env: dict[str, str] = {}
    isolate(env, tmp_path / "home")
    for name in ("CL_HOME", "CL_CONFIG_FILE", "OPENRUN_HOME", "SSH_AUTH_SOCK"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Workspace(tmp_path / "work", REPO_ROOT)


def assert_clean(report: FuzzReport) -> None:
    shown = "\n\n".join(report.problems[:5])
    assert report.problems == [], f"{report.summary()}\n\n{shown}"


def test_odd_file_types(workspace: Workspace) -> None:
    """FIFOs, device nodes, sockets, directories and odd links in place of every file."""
    report = run_odd_files(workspace)
    assert report.cases >= 250
    assert_clean(report)


@pytest.mark.timeout(600)
def test_mutated_corpus_files(workspace: Workspace, shared_dir: Path) -> None:
    report = run_random(workspace, shared_dir, REPO_ROOT, cases=CASES, seed=20261201)
    assert report.cases == CASES
    assert set(report.commands) == {"check", "get", "set", "ports", "apply", "rollback",
                                    "history", "certs", "rules"}
    assert_clean(report)
    # the mutations reach past the parsers: some runs still find valid files
    assert report.exits[0] > 0 and report.exits[2] > 0


def test_the_harness_sees_tracebacks_hangs_and_changes(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fuzz import harness

    def crash(argv: list[str]) -> int:
        raise ValueError("boom")

    def scribble(argv: list[str]) -> int:
        workspace.clace.write_text("changed\n")
        return 0

    def hang(argv: list[str]) -> int:
        while True:
            pass

    report = FuzzReport()
    monkeypatch.setattr(harness, "CASE_SECONDS", 0.2)
    for fake in (crash, scribble, hang):
        monkeypatch.setattr(harness, "main", fake)
        harness.judge(report, workspace, fake.__name__, ["check"], None)
    assert (len(report.tracebacks), len(report.changed), len(report.hangs)) == (1, 1, 1)

"""By hand: `python -m tests.fuzz --cases 20000 --seed 7` (the CI suite runs fewer)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from tests.fuzz.harness import Workspace, isolate, run_odd_files, run_random
from tests.plugins.shared_corpus import REPO_ROOT, SHARED


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz")
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=5, help="problems printed in full")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        isolate(os.environ, Path(tmp) / "home")  # type: ignore[arg-type]
        ws = Workspace(Path(tmp) / "work", REPO_ROOT)
        started = time.monotonic()
        odd = run_odd_files(ws)
        report = run_random(ws, SHARED, REPO_ROOT, cases=args.cases, seed=args.seed)
        elapsed = time.monotonic() - started
    print(f"odd files: {odd.summary()}")
    print(f"mutations (seed {args.seed}): {report.summary()}")
    print(f"{elapsed:.1f} s")
    for problem in (odd.problems + report.problems)[: args.show]:
        print("-" * 72)
        print(problem)
    return 1 if odd.problems or report.problems else 0


if __name__ == "__main__":
    sys.exit(main())

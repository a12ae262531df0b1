"""Hand-run benchmarks (`make bench`): what the operator feels, against a floor or a peer.

Nothing here runs in the test suite's timing; each module has ``main(...) -> list[Result]``
and ``python -m benchmarks.run`` runs them all and writes docs/benchmarks.md.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# The reference corpus sits beside the checkout, as for the tests (tests/plugins/shared_corpus).
SHARED = REPO_ROOT.parent / "shared"
SAMPLES = REPO_ROOT / "sample_configs"


@dataclass
class Result:
    """One row of the results table. ``met`` is None when the row has no pass/fail target."""

    figure: str
    how: str
    target: str
    measured: str
    ratio: str = ""
    met: bool | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def met_text(self) -> str:
        return {True: "yes", False: "**no**", None: "-"}[self.met]


def median(values: list[float]) -> float:
    return statistics.median(values)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def spread(values: list[float]) -> str:
    """min..max in ms, to show how noisy a median is."""
    return f"{min(values) * 1000:.1f}..{max(values) * 1000:.1f} ms"


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start

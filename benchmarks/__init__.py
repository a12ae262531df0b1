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
    module: str = ""  # the benchmark module that measured it (set by benchmarks.run)

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


def profile_summary(func: Callable[[], object], top: int = 6) -> str:
    """The functions ``func`` spends most of its own time in (cProfile), on one line."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    func()
    profiler.disable()
    stats = pstats.Stats(profiler)
    entries = getattr(stats, "stats", {})
    total = float(getattr(stats, "total_tt", 0.0))
    heaviest = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:top]
    parts = [f"{Path(file).name}:{line}({name}) {entry[2] * 1000:.0f} ms"
             for (file, line, name), entry in heaviest]
    return f"cProfile, {total * 1000:.0f} ms in all (profiled), own time: " + ", ".join(parts)

"""Full re-check: every check over the 1,000-node provider and a Clace TOML (target <= 20 ms).

Cold is the first check of a freshly loaded provider (no merge or findings cached); warm
is a re-check with nothing changed, and a re-check after one node's ``ssh.port`` or the
Clace ``https.port`` was edited, which is what a keystroke in the TUI triggers.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from benchmarks import SAMPLES, Result, median, ms, profile_summary, spread
from benchmarks.gen_provider import generate_provider
from tui.core.clace_config import ClaceConfig
from tui.core.leap_provider import Provider
from tui.core.workspace import Workspace

TARGET = 0.020


def _row(figure: str, how: str, samples: list[float], target: float | None,
         extra: list[str] | None = None) -> Result:
    value = median(samples)
    return Result(
        figure=figure, how=how,
        target=f"<= {target * 1000:.0f} ms" if target is not None else "reported",
        measured=ms(value),
        ratio=f"{value / target:.2f}x of target" if target is not None else "",
        met=None if target is None else value <= target,
        notes=[f"{figure}: {len(samples)} runs, {spread(samples)}", *(extra or [])],
    )


def measure(root: Path, clace_path: Path, runs: int) -> dict[str, list[float]]:
    """Seconds per run for each phase; the provider at ``root`` must exist."""
    times: dict[str, list[float]] = {k: [] for k in ("load", "cold", "warm", "node", "clace")}
    workspace = Workspace()
    for _ in range(runs):
        start = time.perf_counter()
        workspace = Workspace(clace=ClaceConfig.load(clace_path), provider=Provider.load(root))
        loaded = time.perf_counter()
        workspace.check()
        times["load"].append(loaded - start)
        times["cold"].append(time.perf_counter() - loaded)
    provider, clace = workspace.provider, workspace.clace
    assert provider is not None and clace is not None
    node = provider.node_names()[len(provider.node_names()) // 2]
    rel = provider.node_file(node)
    for i in range(runs):
        start = time.perf_counter()
        workspace.check()
        times["warm"].append(time.perf_counter() - start)
        provider.set_value(rel, "ssh.port", 2200 + i % 2)  # changes the text every run
        start = time.perf_counter()
        workspace.check()
        times["node"].append(time.perf_counter() - start)
        clace.set("https.port", 25224 + i % 2 + 1)
        start = time.perf_counter()
        workspace.check()
        times["clace"].append(time.perf_counter() - start)
    return times


def profile_cold(nodes: int = 1000, seed: int = 6) -> str:
    """Where a cold check's time goes, for the notes when the target is missed.

    The check modules are imported first: Workspace.check imports them when first run, and
    their compilation is start-up, not the check's."""
    import tui.core.clace_checks
    import tui.core.leap_checks  # noqa: F401

    with tempfile.TemporaryDirectory(prefix="leap-bench-") as tmp:
        root = Path(tmp) / "provider"
        generate_provider(root, nodes, seed)
        workspace = Workspace(clace=ClaceConfig.load(SAMPLES / "clace.toml"),
                              provider=Provider.load(root))
        return profile_summary(workspace.check)


def main(nodes: int = 1000, runs: int = 15, seed: int = 6) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="leap-bench-") as tmp:
        root = Path(tmp) / "provider"
        generate_provider(root, nodes, seed)
        clace_path = Path(tmp) / "clace.toml"
        shutil.copyfile(SAMPLES / "clace.toml", clace_path)
        times = measure(root, clace_path, runs)
    size = f"{nodes} nodes + sample clace.toml"
    cold_notes = [] if median(times["cold"]) <= TARGET else [
        "full re-check, cold: " + profile_cold(nodes, seed)]
    return [
        _row("load (for reference)", f"Provider.load + ClaceConfig.load, {size}",
             times["load"], None),
        _row("full re-check, cold", f"first Workspace.check() after a fresh load, {size}",
             times["cold"], TARGET, cold_notes),
        _row("full re-check, warm (nothing changed)", f"Workspace.check() again, {size}",
             times["warm"], TARGET),
        _row("full re-check, warm (one node edited)",
             f"set ssh.port in one node file, then Workspace.check(), {size}",
             times["node"], TARGET),
        _row("full re-check, warm (Clace edited)",
             f"set https.port in clace.toml, then Workspace.check(), {size}",
             times["clace"], TARGET),
    ]


if __name__ == "__main__":
    for result in main():
        print(f"{result.figure:45} {result.measured:>10}  {result.met_text}  {result.notes}")

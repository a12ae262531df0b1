"""Memory: peak RSS of the TUI on the 1,000-node provider (target <= 150 MiB).

The real `leap-tui` runs on a pty with the generated provider and the sample clace.toml,
shows its first complete screen (tree of 1,000 nodes, fields, findings) and exits; its peak
resident set comes from wait4() on that child. The hello-world Textual app is the floor.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from benchmarks import SAMPLES, Result, median
from benchmarks.gen_provider import generate_provider
from benchmarks.startup import run_child

TARGET_MIB = 150.0


def main(nodes: int = 1000, runs: int = 3, seed: int = 6) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="leap-bench-") as tmp:
        root = Path(tmp) / "provider"
        generate_provider(root, nodes, seed)
        clace = Path(tmp) / "clace.toml"
        shutil.copyfile(SAMPLES / "clace.toml", clace)
        args = ["--clace", str(clace), "--provider", str(root)]
        leap = [run_child("leap", args) for _ in range(runs)]
        hello = [run_child("hello", []) for _ in range(runs)]
    peak = max(r.max_rss_kib for r in leap) / 1024
    floor = median([r.max_rss_kib for r in hello]) / 1024
    frame = median([r.complete for r in leap])
    return [Result(
        f"memory: peak RSS of the TUI ({nodes} nodes)",
        "`leap-tui --clace --provider` on the generated provider, pty 80x24, until the first "
        "complete screen; the child's VmHWM",
        f"<= {TARGET_MIB:.0f} MiB", f"{peak:.1f} MiB", f"{peak / TARGET_MIB:.2f}x of target",
        peak <= TARGET_MIB,
        notes=[f"memory: highest of {runs} runs; hello-world Textual app {floor:.1f} MiB; "
               f"complete screen on {nodes} nodes after {frame * 1000:.0f} ms"])]


if __name__ == "__main__":
    for result in main():
        print(result.figure, result.measured, result.met_text, result.notes)

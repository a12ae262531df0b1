"""Run every benchmark and write docs/benchmarks.md (`make bench`).

Each module's ``main()`` returns rows; a module that cannot run here (no sshd, no network
for ansible's venv) leaves a row that says why, and the others still run.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import time
import traceback
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from benchmarks import REPO_ROOT, Result
from tui.core.atomic import atomic_write

OUTPUT = REPO_ROOT / "docs" / "benchmarks.md"

# What would fix a missed target, per benchmark: shown only when that benchmark misses.
FIXES: dict[str, str] = {
    "startup": (
        "**First frame.** leap-tui imports more than Textual (tui.core with tomlkit and the "
        "check modules, every screen and widget module, the CLI's subcommand modules), then "
        "mounts a fuller screen (tree, field rows, DataTable) and paints it. Fixes, in order of "
        "gain: import tomlkit-heavy modules and the command modules only when used (the "
        "other screens already load on first use); build the tree and field rows after the "
        "first paint (`call_after_refresh`), so that the first frame is the frame shell; the "
        "first paint itself (`first frame` phase) is Textual laying out and rendering all "
        "widgets — fewer widgets on the first screen shorten it."),
    "recheck": (
        "**Cold check.** The first check merges every node's inheritance chain and builds each "
        "node's port bindings (leap_merge, portmap); everything after it is cached per node and "
        "per file, which is why the warm figures are a fraction of the target. The cold cost "
        "is paid once, when the provider is opened, before the first frame; a background worker "
        "for that first check would take it off the startup path."),
    "keystroke": (
        "**Keystroke.** The checks and the table update (run_checks, in the notes) are a small "
        "part of it. The debounce (RECHECK_DELAY, 20 ms since an 80 ms delay was measured over "
        "the target) coalesces a burst of keys into one check; a warm re-check costs a few ms "
        "(the re-check rows). The painted frame "
        "comes later than the table update: that is Textual re-laying out and rendering the "
        "screen (the 1,000-leaf tree, field rows, the DataTable rebuilt row by row); updating "
        "only changed table rows and avoiding refresh_bindings/Footer work per check would "
        "shorten it."),
    "fanout": (
        "**Fan-out.** On this 2-core machine 50 hosts are CPU-bound: the notes give the CPU of "
        "leap-tui (SSH handshakes and crypto in paramiko, one thread per host under the GIL) "
        "and of the sshd side (a key exchange plus a shell per remote command for every host); "
        "their sum over 2 cores is already near 2.4x the one-host wall time before any waiting. "
        "Fewer remote commands per host (one shell script for stage/backup/swap instead of "
        "several exec channels), and the same figure on a machine with more cores, are the "
        "levers; the 1-host time is mostly Python start-up and imports (see the floor row)."),
}

BENCHMARKS: tuple[tuple[str, str], ...] = (
    ("startup", "first interactive frame"),
    ("recheck", "full re-check"),
    ("keystroke", "keystroke to findings"),
    ("roundtrip", "round trip"),
    ("fanout", "fan-out"),
    ("ansible_peer", "vs a peer"),
    ("memory", "memory"),
)


def machine_facts() -> list[str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    versions = ", ".join(f"{name} {metadata.version(name)}"
                         for name in ("textual", "rich", "tomlkit", "paramiko"))
    return [
        f"- Date: {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {cpu}, {os.cpu_count()} cores{memory}; {platform.system()} "
        f"{platform.release()}",
        f"- Python {platform.python_version()}; {versions}",
    ]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def load_text(before: tuple[float, float, float], after: tuple[float, float, float]) -> str:
    """The 1-minute load average around the run: other work on the machine skews medians."""
    return (f"- Load average (1 min) at start {before[0]:.2f}, at end {after[0]:.2f} "
            f"({os.cpu_count()} cores): above the core count, other processes shared the CPU "
            "and the absolute figures are high; the ratios hold better")


def render(results: list[Result], facts: list[str], seconds: float,
           failures: list[str]) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m benchmarks.run`); nothing in the test suite is "
        "timed. Medians of several runs; each figure is compared with a reference measured in "
        "the same run (a hello-world Textual app, one host, ansible) or with its target.",
        "",
        *facts,
        f"- Whole run: {seconds:.0f} s",
        "",
        "| figure | how | target | measured (median) | ratio | met? |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append("| " + " | ".join(_cell(c) for c in (
            r.figure, r.how, r.target, r.measured, r.ratio, r.met_text)) + " |")
    lines += ["", "## Notes", ""]
    for r in results:
        lines += [f"- {_cell(note)}" for note in r.notes]
    missed = [name for name, _ in BENCHMARKS
              if any(r.met is False for r in results if r.module == name)]
    if missed or failures:
        lines += ["", "## Where the time goes, and what would fix it", ""]
        lines += [FIXES[name] + "\n" for name in missed if name in FIXES]
        lines += [f"- Not measured: {failure}" for failure in failures]
    return "\n".join(lines).rstrip() + "\n"


def run_all(only: list[str] | None = None) -> tuple[list[Result], list[str]]:
    import importlib

    results: list[Result] = []
    failures: list[str] = []
    for name, title in BENCHMARKS:
        if only and name not in only:
            continue
        print(f"== {title} ({name})", flush=True)
        start = time.perf_counter()
        try:
            main: Callable[[], list[Result]] = importlib.import_module(f"benchmarks.{name}").main
            rows = main()
        except Exception as error:  # one broken benchmark must not lose the others' figures
            traceback.print_exc()
            failures.append(f"{title}: {type(error).__name__}: {str(error)[:300]}")
            continue
        for row in rows:
            row.module = name
            print(f"   {row.figure}: {row.measured} {row.ratio} {row.met_text}", flush=True)
        print(f"   ({time.perf_counter() - start:.0f} s)", flush=True)
        results += rows
    return results, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the benchmarks, write docs/benchmarks.md")
    parser.add_argument("--only", action="append", choices=[n for n, _ in BENCHMARKS],
                        help="run only this benchmark (repeatable); the file is still written")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    load_before = os.getloadavg()
    results, failures = run_all(args.only)
    facts = [*machine_facts(), load_text(load_before, os.getloadavg())]
    text = render(results, facts, time.perf_counter() - start, failures)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(args.output, text.encode("utf-8"))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

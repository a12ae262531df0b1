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
        "**First frame.** Measured on 2026-11-30 (phases in the notes): leap-tui's own modules "
        "add 70 to 110 ms of imports (tui.core's dataclasses and regexes, tomlkit, "
        "platformdirs; bytecode precompiled, as `make run` and a wheel install have it — where "
        "PYTHONDONTWRITEBYTECODE is set and nothing was precompiled, compiling them cost 90 ms "
        "more), loading the sample files about 60 ms, composing the main screen (about 40 "
        "widgets: tree, three field rows, findings table, Footer) about 130 ms, and Textual's "
        "layout, styling and two full renders of that screen about 200 ms more than the "
        "hello-world app's. None of it is the checks (4 ms). Fixes tried: choosing the theme "
        "before the first mount (it restyled every widget once more), and the benchmark no "
        "longer mounts a second main screen (its subclass called LeapTuiApp.on_mount, which "
        "Textual also calls). What is left to gain is structural: paint a frame shell first "
        "and load the files, import the core and build the tree in a worker afterwards (as "
        "harlequin and toolong do), which makes the first frame sooner but the findings no "
        "sooner; the 1.25x target is about 115 ms over a bare Textual app, less than the "
        "imports of the core alone."),
    "recheck": (
        "**Cold check.** The first check merges each distinct list of services once and its "
        "tags onto one copy of it per (services, tags) set, then each node's own file onto "
        "that; the port rules run once per class of nodes (the services, the port values "
        "after inheritance, and whether ip_address and the gateway are one address), on the "
        "first node of the class, and the others share its verdict. Everything after it is "
        "cached per node and per file, which is why the warm figures are a fraction of the "
        "target. Measured inside one cold check (1,000 nodes, collector off): each node's "
        "merge about 12.5 ms (341 distinct bases), the per-node rules (names, addresses, "
        "placeholders, the class lookup; about 3 ms of full port checks for 76 classes) about "
        "10.7 ms, the per-file rules (LP006, LP017, LP019) about 3 ms, the cross-node rules "
        "about 1.7 ms, and the cyclic collector 3.5-4 ms in process. 20 ms would take not "
        "building a node's merge at all when its class decides its findings, reading only its "
        "address and gateway from its file: a second, partial copy of LEAP's merge rules that "
        "could drift from the real one, which we chose not to write. The cold cost is paid "
        "once, in the worker that loads the files, after the first frame."),
    "cli_scale": (
        "**The command line at scale.** A `check` pays, per provider file, a read (stat, "
        "open, read: the file is never trusted to be a regular one) and the C JSON decoder, "
        "and per node its merge, its listeners and its rules (the cold-check row); nodes "
        "that set no port key share their listeners and port verdicts with their peers. The "
        "20-node run is mostly the interpreter and imports (the imports row), so the ratio "
        "grows as start-up shrinks: at about 60 us a node (this machine), 2,000 nodes cost "
        "twice a 20-node run before any check. Flat cost would take a cache across runs "
        "(findings kept per file, keyed by size, mtime and inode, as linters keep them), "
        "which leap-tui does not keep: a stale finding is worse than a slow one. `ports` "
        "adds one row per listener (6 a node); on a terminal, past 200 rows, aligned lines "
        "rather than a Rich table. A Clace TOML is read once by the TOML 1.0 reader (tomlkit "
        "only for the first edit); what is left is linear in its lines."),
    "keystroke": (
        "**Keystroke.** The checks and the table update (run_checks, in the notes) are a small "
        "part of it. The debounce (RECHECK_DELAY: 80 ms, then 20 ms, now 5 ms, each time after "
        "this figure was measured over or on the target) coalesces a burst of keys into one "
        "check; a warm re-check costs a few ms (the re-check rows). With any timer the "
        "typed character is painted before the check runs (the 0.1 ms row skips that). The "
        "painted frame "
        "comes later than the table update: that is Textual re-laying out and rendering the "
        "screen (the 1,000-leaf tree, field rows, the DataTable rebuilt row by row); updating "
        "only changed table rows and avoiding refresh_bindings/Footer work per check would "
        "shorten it."),
    "fanout": (
        "**Fan-out.** On this 2-core machine 50 hosts are CPU-bound: the notes give the CPU of "
        "leap-tui and of the sshd side; their sum over 2 cores (\"of wall at best\") is most "
        "of the 50-host wall time, so the ratio to one host (mostly Python start-up and "
        "imports, see the floor row) cannot reach 2.5x here. Per host an apply opens one SSH "
        "connection, one SFTP session (reads, upload) and 1 remote command, counted from the "
        "hosts' sshd logs: it takes the lock and prints the preflight's facts (and the login "
        "environment for $CL_HOME), then its shell waits on its stdin (exec sh -s) while the "
        "preflight is judged on this side and the file is read and uploaded; the rest of it "
        "is then sent: the upload's sync, the backup, the rename and the directory's sync. "
        "Any other case (several files, a reload, a watchdog) ends it with EOF first and "
        "runs its own commands as before. A confirm window adds "
        "the new connection that proves the operator is not locked out (a check and the "
        "confirmation over it). The sshd side is the "
        "larger part: a key exchange and a re-executed sshd per connection, a shell per "
        "command, and the facts (ss -p reads every process's descriptors). leap-tui's CPU per "
        "host is mostly Python: paramiko's packets, channels and SFTP, the SSH set-up "
        "(config, known_hosts), the parsing of the facts; the crypto itself is little. The "
        "busy ratio (wall over CPU per core) is raised by the start-up on one core and the last "
        "hosts' tail; other processes on the machine (the load in the facts) raise it too."),
    "rolling": (
        "**Rolling apply.** Waves run one after the other: each wave waits for its slowest "
        "host, and a wave of 10 cannot fill the 16 workers of the pool. On 2 cores the single "
        "wave is CPU-bound too (see fan-out), so the gap is mostly the slowest-host wait per "
        "wave; larger waves (`--batch 20%`) or fewer, larger batches close it."),
}

BENCHMARKS: tuple[tuple[str, str], ...] = (
    ("startup", "first interactive frame"),
    ("recheck", "full re-check"),
    ("cli_scale", "the command line at scale"),
    ("keystroke", "keystroke to findings"),
    ("roundtrip", "round trip"),
    ("sizes", "big files"),
    ("fanout", "fan-out"),
    ("rolling", "rolling apply"),
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
    """The 1-minute load average around the run: other work on the machine skews medians.
    At the end it counts the run's own work too (the fan-out's sshd hosts, ansible)."""
    cores = os.cpu_count() or 1
    verdict = ("above the core count before the run: other processes shared the CPU and the "
               "absolute figures are high; the ratios hold better" if before[0] > cores else
               "the machine was otherwise idle at the start; the load at the end is mostly "
               "the run's own (the sshd hosts of the fan-out rows, ansible)")
    return (f"- Load average (1 min) at start {before[0]:.2f}, at end {after[0]:.2f} "
            f"({cores} cores): {verdict}")


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

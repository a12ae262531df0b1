"""The command line at scale: whole `leap-tui` processes on large input against the same
command on small input, run side by side (interleaved rounds, medians of wall time).

- `check` on a 2,000-node provider / on a 20-node one (target <= 1.5x);
- `ports` / `check` on the 2,000-node provider, piped and on a terminal (<= 1.3x each);
- `check` on a 20,000-key Clace TOML / on sample_configs/clace.toml (<= 2.5x), with the
  50,000-key and the 5 MB comment-only files in the notes;
- the imports `leap-tui check` pays (``python -X importtime``), reported.

Each child is ``python -m tui.cli ...`` as a user runs it (bytecode written ahead, as `make
bench` does). Piped, stdout is a pipe read to its end; on a terminal, stdout and stderr are a
fresh pty (120x40) read as a terminal would.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import resource
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import SAMPLES, Result, median
from benchmarks.gen_provider import generate_provider
from benchmarks.sizes import comment_toml, keys_toml

CHILD_TIMEOUT = 120.0


@dataclass
class Command:
    label: str
    args: list[str]
    terminal: bool = False
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def wall_median(self) -> float:
        return median(self.wall)

    def describe(self) -> str:
        low, high = min(self.wall) * 1000, max(self.wall) * 1000
        return (f"{self.label}: {len(self.wall)} runs, {low:.0f}..{high:.0f} ms, CPU "
                f"(user+sys) median {median(self.cpu) * 1000:.0f} ms")


def _child_env() -> dict[str, str]:
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    env.pop("NO_COLOR", None)
    return env


def run_piped(args: list[str], cwd: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one `leap-tui ARGS` with stdout and stderr on pipes."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "tui.cli", *args], cwd=cwd,
                               env=_child_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.communicate(timeout=CHILD_TIMEOUT)
    wall = time.perf_counter() - start
    return wall, _cpu_of_children()


def run_on_terminal(args: list[str], cwd: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one `leap-tui ARGS` writing to a fresh 120x40 pty."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "tui.cli", *args], cwd=cwd,
                               env=_child_env(), stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    deadline = time.monotonic() + CHILD_TIMEOUT
    try:
        while process.poll() is None:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                with contextlib.suppress(OSError):  # EIO once the child closed the pty
                    os.read(master, 1 << 16)
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"leap-tui {' '.join(args)} did not exit in time")
        wall = time.perf_counter() - start
    finally:
        os.close(master)
    return wall, _cpu_of_children()


_cpu_seen = 0.0


def _cpu_of_children() -> float:
    """CPU seconds of the child just reaped (the difference of this process's children)."""
    global _cpu_seen
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    spent, _cpu_seen = total - _cpu_seen, total
    return spent


def measure(commands: list[Command], cwd: Path, runs: int) -> None:
    """Run every command ``runs`` times, round by round, so that they share the machine's
    state (load, caches) as evenly as a 2-core machine allows."""
    _cpu_of_children()
    for command in commands:  # one warm-up each: page cache, bytecode
        (run_on_terminal if command.terminal else run_piped)(command.args, cwd)
    for _ in range(runs):
        for command in commands:
            wall, cpu = (run_on_terminal if command.terminal else run_piped)(command.args, cwd)
            command.wall.append(wall)
            command.cpu.append(cpu)


def import_time(args: list[str], cwd: Path) -> tuple[float, float]:
    """(all imports, leap-tui's own modules) in seconds, from ``python -X importtime``."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "tui.cli", *args],
                          cwd=cwd, env=_child_env(), capture_output=True, text=True,
                          timeout=CHILD_TIMEOUT, check=False)
    total = own = 0
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if not line.startswith("import time:") or len(parts) != 3:
            continue
        self_us, name = parts[0].strip(), parts[2].strip()
        if not self_us.isdigit():
            continue  # the header line
        total += int(self_us)
        if name.startswith(("tui.", "widgets.")) or name == "tui":
            own += int(self_us)
    return total / 1e6, own / 1e6


def _ratio_row(figure: str, how: str, big: Command, small: Command, target: float) -> Result:
    ratio = big.wall_median / small.wall_median
    return Result(
        figure=figure, how=how, target=f"<= {target:g}x",
        measured=f"{big.wall_median * 1000:.0f} ms / {small.wall_median * 1000:.0f} ms",
        ratio=f"{ratio:.2f}x (CPU {median(big.cpu) / median(small.cpu):.2f}x)",
        met=ratio <= target, notes=[big.describe(), small.describe()],
    )


def main(small_nodes: int = 20, large_nodes: int = 2000, keys: int = 20_000, runs: int = 9,
         big_files: bool = True) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="leap-bench-cli-") as tmp:
        work = Path(tmp)
        generate_provider(work / "small", small_nodes, seed=6)
        generate_provider(work / "large", large_nodes, seed=6)
        (work / "sample.toml").write_bytes((SAMPLES / "clace.toml").read_bytes())
        (work / "keys.toml").write_text(keys_toml(keys))
        small, large = f"{small_nodes} nodes", f"{large_nodes:,} nodes"
        commands = {
            "check small": Command(f"check, {small}", ["check", "--provider", "small"]),
            "check large": Command(f"check, {large}", ["check", "--provider", "large"]),
            "ports large": Command(f"ports, {large}, piped", ["ports", "--provider", "large"]),
            "check large tty": Command(f"check, {large}, terminal",
                                       ["check", "--provider", "large"], terminal=True),
            "ports large tty": Command(f"ports, {large}, terminal",
                                       ["ports", "--provider", "large"], terminal=True),
            "clace sample": Command("check, sample clace.toml",
                                    ["check", "--clace", "sample.toml"]),
            "clace keys": Command(f"check, {keys:,}-key TOML", ["check", "--clace", "keys.toml"]),
        }
        extra: list[Command] = []
        if big_files:
            (work / "keys50k.toml").write_text(keys_toml(50_000))
            (work / "comments.toml").write_text(comment_toml(5.0))
            extra = [Command("check, 50,000-key TOML", ["check", "--clace", "keys50k.toml"]),
                     Command("check, 5 MB comment-only TOML",
                             ["check", "--clace", "comments.toml"])]
        measure([*commands.values(), *extra], work, runs)
        imports = [import_time(["check", "--provider", "small"], work) for _ in range(3)]
    c = commands
    rows = [
        _ratio_row(f"`check` on {large} / on {small}",
                   "whole processes, piped, generated providers (seed 6)",
                   c["check large"], c["check small"], 1.5),
        _ratio_row(f"`ports` / `check`, {large}, piped",
                   "whole processes, stdout a pipe (tab-separated records)",
                   c["ports large"], c["check large"], 1.3),
        _ratio_row(f"`ports` / `check`, {large}, on a terminal",
                   "whole processes, stdout a 120x40 pty (aligned lines past 200 rows)",
                   c["ports large tty"], c["check large tty"], 1.3),
        _ratio_row(f"`check` on a {keys:,}-key Clace TOML / on the sample clace.toml",
                   "whole processes, piped", c["clace keys"], c["clace sample"], 2.5),
    ]
    rows[-1].notes += [command.describe() for command in extra]
    total, own = median([i[0] for i in imports]), median([i[1] for i in imports])
    rows.append(Result(
        figure="imports of `leap-tui check`", how="python -X importtime, check --provider "
        f"({small}): every module imported, and leap-tui's own", target="reported",
        measured=f"{total * 1000:.0f} ms (leap-tui's own {own * 1000:.0f} ms)",
        notes=["imports: 3 runs; the rest is the standard library (argparse, json, "
               "dataclasses, pathlib) and the interpreter's own start"],
    ))
    return rows


if __name__ == "__main__":
    for result in main():
        print(f"{result.figure:60} {result.measured:>22} {result.ratio:>22} {result.met_text}")
        for note in result.notes:
            print(f"    {note}")

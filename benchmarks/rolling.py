"""Rolling apply: `leap-tui apply --batch 10` to 50 sshd hosts (5 waves of 10), against the
same apply in one wave, in the same run.

Same world as the fan-out benchmark (benchmarks/fanout.py): real OpenSSH servers on
loopback, one changed clace.toml (no lock-out risk), the real command line as a subprocess,
`--parallel 16`. Waves run one after the other, so a rollout pays each wave's slowest host
and a pool that cannot fill past 10; the target: 5 waves of 10 within 1.5x one wave of 50.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from benchmarks import Result, median, spread
from benchmarks.fanout import leap_apply, make_world, start_farm

TARGET_RATIO = 1.5
_WAVE_LINE = re.compile(r"^wave (\d+)/(\d+): (\d+) host\(s\): (\d+) applied$", re.MULTILINE)


def check_waves(output: str, hosts: int, batch: int) -> None:
    """Every wave reported, each with ``batch`` hosts applied (the last with the rest)."""
    waves = [tuple(map(int, m.groups())) for m in _WAVE_LINE.finditer(output)]
    expected = -(-hosts // batch)
    sizes = [min(batch, hosts - i * batch) for i in range(expected)]
    if [(w[0], w[1], w[2], w[3]) for w in waves] != [
            (i + 1, expected, size, size) for i, size in enumerate(sizes)]:
        raise RuntimeError(f"unexpected waves for {hosts} hosts in batches of {batch}: "
                           f"{waves}\n{output[-1500:]}")


def main(hosts: int = 50, batch: int = 10, runs: int = 3) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="leap-bench-rolling-") as tmp:
        farm = start_farm(Path(tmp) / "sshd", hosts)
        try:
            world = make_world(Path(tmp), farm)
            leap_apply(world, world.hosts)  # first contact: journal, caches
            single, rolling = [], []
            for _ in range(runs):
                single.append(leap_apply(world, world.hosts).wall)
                push = leap_apply(world, world.hosts, extra=("--batch", str(batch)))
                check_waves(push.output, hosts, batch)
                rolling.append(push.wall)
        finally:
            farm.stop_all()
    ratio = median(rolling) / median(single)
    waves = -(-hosts // batch)
    return [
        Result(f"rolling: apply to {hosts} hosts in one wave", "`leap-tui apply --yes "
               "--parallel 16`, loopback sshd hosts, subprocess wall time", "reference",
               f"{median(single):.2f} s", notes=[f"one wave: {runs} runs, {spread(single)}"]),
        Result(f"rolling: apply to {hosts} hosts, {waves} waves of {batch}",
               f"`leap-tui apply --yes --parallel 16 --batch {batch}`, same hosts and change",
               f"<= {TARGET_RATIO}x one wave", f"{median(rolling):.2f} s", f"{ratio:.2f}x",
               ratio <= TARGET_RATIO,
               notes=[f"rolling: {runs} runs, {spread(rolling)}; every wave checked in the "
                      "per-wave summary (all applied)"]),
    ]


if __name__ == "__main__":
    for result in main():
        print(f"{result.figure:50} {result.measured:>8} {result.ratio:>6} {result.met_text}")
        for note in result.notes:
            print("   ", note)

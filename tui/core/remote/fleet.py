"""Many hosts: waves of a bounded pool of workers, one result per host.

A rollout is a list of waves run one after another; within a wave at most ``parallel``
hosts are worked on at once. ``canary`` N makes the first N hosts a wave of their own that
must succeed entirely; ``batch`` (N hosts, or N% of them, as Ansible's ``serial``) cuts the
rest into waves; ``max_fail`` N starts no new wave once N hosts have failed. With batches
and no ``max_fail``, a wave in which every host failed stops the rollout, as in Ansible.
Hosts of waves not started are ``skipped``, with the reason, in their wave.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from tui.core.inventory import HostSpec
from tui.core.remote.plan import HostPlan
from tui.core.remote.protocol import HostOperation, HostResult, RollbackOperation, RunOptions
from tui.core.remote.run_undo import RunChanges, nothing_to_undo

DEFAULT_PARALLEL = 16


@dataclass(frozen=True, slots=True)
class Batch:
    """``--batch``: ``size`` hosts per wave, or ``size`` percent of them."""

    size: int
    percent: bool = False

    @classmethod
    def parse(cls, text: str) -> Batch:
        """``"10"`` or ``"10%"``; ValueError for anything else (0, negative, over 100%)."""
        value = text.strip()
        percent = value.endswith("%")
        number = value[:-1] if percent else value
        if not number.isdigit() or int(number) < 1 or (percent and int(number) > 100):
            raise ValueError(f"--batch {text!r}: give a number of hosts (e.g. 5) or a "
                             "percentage of them (e.g. 10%, 1-100)")
        return cls(int(number), percent)

    def hosts_per_wave(self, total: int) -> int:
        if not self.percent:
            return self.size
        # As Ansible's serial: rounded down, but at least one host.
        return max(1, math.floor(total * self.size / 100))

    def __str__(self) -> str:
        return f"{self.size}{'%' if self.percent else ''}"


@dataclass(slots=True)
class Rollout:
    """Every host's result, in the order given, and the wave (1-based) each was in."""

    results: list[HostResult]
    waves: list[list[str]]
    stopped: str = ""  # why waves were not started ("" when every wave ran)
    wave_of: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.wave_of:
            self.wave_of = {name: number for number, wave in enumerate(self.waves, start=1)
                            for name in wave}


def plan_waves(names: Sequence[str], *, canary: int = 0,
               batch: Batch | None = None) -> list[list[str]]:
    """The hosts of each wave, in order: the canaries, then batches of the rest."""
    names = list(names)
    waves: list[list[str]] = []
    if 0 < canary < len(names):
        waves.append(names[:canary])
        names = names[canary:]
    if not names:
        return waves
    size = batch.hosts_per_wave(len(names) + sum(map(len, waves))) if batch else len(names)
    waves += [names[i:i + size] for i in range(0, len(names), size)]
    return waves


def _pool(operations: Sequence[Callable[[], HostResult]], parallel: int,
          options: RunOptions) -> list[HostResult]:
    if not operations:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(operations))),
                            thread_name_prefix="leap-tui-host") as pool:
        # A dead host only occupies its own worker until its connect timeout.
        futures = [pool.submit(op) for op in operations]
        try:
            wait(futures)
        except KeyboardInterrupt:
            # Ctrl-C: stop waiting for locks and new connections (those hosts revert now,
            # or by themselves); the hosts finish their step and report. A second Ctrl-C
            # stops leap-tui itself.
            options.give_up.set()
            options.on_event("*", "give-up", "stopping: waits end, unconfirmed hosts revert")
            wait(futures)
        return [future.result() for future in futures]


def roll(names: Sequence[str], make: Callable[[int], Callable[[], HostResult]],
         options: RunOptions, *, parallel: int = DEFAULT_PARALLEL, canary: int = 0,
         batch: Batch | None = None, max_fail: int | None = None) -> Rollout:
    """Run ``make(i)()`` for every host ``names[i]``, wave after wave."""
    index = {name: i for i, name in enumerate(names)}
    waves = plan_waves(names, canary=canary, batch=batch)
    done: dict[str, HostResult] = {}
    failures = 0
    stopped = ""
    for number, wave in enumerate(waves, start=1):
        if stopped:
            for name in wave:
                options.on_event(name, "skipped", stopped)
                done[name] = HostResult(name, "skipped", f"not attempted: {stopped}")
            continue
        for name in wave if len(waves) > 1 else ():
            options.on_event(name, "wave", f"{number}/{len(waves)}")
        results = _pool([make(index[name]) for name in wave], parallel, options)
        done.update((r.host, r) for r in results)
        failed = [r.host for r in results if not r.ok]
        failures += len(failed)
        if number == len(waves):
            break
        if canary and number == 1 and failed and 0 < canary < len(names):
            stopped = f"canary {', '.join(failed)} failed"
        elif max_fail is not None and failures >= max_fail:
            stopped = (f"{failures} host(s) failed by wave {number} (--max-fail {max_fail})")
        elif max_fail is None and batch is not None and len(failed) == len(wave):
            stopped = f"every host of wave {number} failed"
    return Rollout([done[name] for name in names], waves, stopped)


def apply_rollout(plans: Sequence[HostPlan], options: RunOptions, *,
                  parallel: int = DEFAULT_PARALLEL, canary: int = 0, batch: Batch | None = None,
                  max_fail: int | None = None) -> Rollout:
    return roll([p.host.name for p in plans], lambda i: HostOperation(plans[i], options).run,
                options, parallel=parallel, canary=canary, batch=batch, max_fail=max_fail)


def rollback_rollout(hosts: Sequence[HostSpec], options: RunOptions, *, to: str | None = None,
                     undo: RunChanges | None = None, parallel: int = DEFAULT_PARALLEL,
                     canary: int = 0, batch: Batch | None = None,
                     max_fail: int | None = None) -> Rollout:
    """Restore on every host: the backups run ``undo`` made (hosts it did not change are
    left alone, said so), else generation ``to``, else the newest backup on each host."""
    changed = [h for h in hosts if undo is None or h.name in undo.backups]
    rollout = roll([h.name for h in changed],
                   lambda i: RollbackOperation(changed[i], options, to=to, undo=undo).run,
                   options, parallel=parallel, canary=canary, batch=batch, max_fail=max_fail)
    if undo is None or len(changed) == len(hosts):
        return rollout
    results = {r.host: r for r in rollout.results}
    for host in hosts:
        if host.name not in results:
            why = nothing_to_undo(undo, host.name)
            options.on_event(host.name, "done", why)
            results[host.name] = HostResult(host.name, "unchanged", why)
    return Rollout([results[h.name] for h in hosts], rollout.waves, rollout.stopped)


def apply_fleet(plans: Sequence[HostPlan], options: RunOptions, *,
                parallel: int = DEFAULT_PARALLEL, canary: int = 0) -> list[HostResult]:
    """Apply every plan; with ``canary`` N the first N hosts go first and must succeed."""
    return apply_rollout(plans, options, parallel=parallel, canary=canary).results


def rollback_fleet(hosts: Sequence[HostSpec], options: RunOptions, *, to: str | None = None,
                   undo: RunChanges | None = None, parallel: int = DEFAULT_PARALLEL,
                   canary: int = 0) -> list[HostResult]:
    return rollback_rollout(hosts, options, to=to, undo=undo, parallel=parallel,
                            canary=canary).results

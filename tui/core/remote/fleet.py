"""Many hosts: a bounded pool of workers, an optional canary stage, one result per host."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait

from tui.core.inventory import HostSpec
from tui.core.remote.plan import HostPlan
from tui.core.remote.protocol import HostOperation, HostResult, RollbackOperation, RunOptions
from tui.core.remote.run_undo import RunChanges, nothing_to_undo

DEFAULT_PARALLEL = 16


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


def _staged(names: Sequence[str], make: Callable[[int], Callable[[], HostResult]],
            options: RunOptions, parallel: int, canary: int) -> list[HostResult]:
    operations = [make(i) for i in range(len(names))]
    if canary <= 0 or canary >= len(operations):
        return _pool(operations, parallel, options)
    first = _pool(operations[:canary], parallel, options)
    if all(r.ok for r in first):
        return first + _pool(operations[canary:], parallel, options)
    failed = ", ".join(r.host for r in first if not r.ok)
    skipped = []
    for name in names[canary:]:
        options.on_event(name, "skipped", f"canary {failed} failed")
        skipped.append(HostResult(name, "skipped", f"not attempted: canary {failed} failed"))
    return first + skipped


def apply_fleet(plans: Sequence[HostPlan], options: RunOptions, *,
                parallel: int = DEFAULT_PARALLEL, canary: int = 0) -> list[HostResult]:
    """Apply every plan; with ``canary`` N the first N hosts go first and must succeed."""
    return _staged([p.host.name for p in plans],
                   lambda i: HostOperation(plans[i], options).run, options, parallel, canary)


def rollback_fleet(hosts: Sequence[HostSpec], options: RunOptions, *, to: str | None = None,
                   undo: RunChanges | None = None, parallel: int = DEFAULT_PARALLEL,
                   canary: int = 0) -> list[HostResult]:
    """Restore on every host: the backups run ``undo`` made (hosts it did not change are
    left alone, said so), else generation ``to``, else the newest backup on each host."""
    if undo is None:
        return _staged([h.name for h in hosts],
                       lambda i: RollbackOperation(hosts[i], options, to=to).run, options,
                       parallel, canary)
    changed = [h for h in hosts if h.name in undo.backups]
    results = {r.host: r for r in _staged(
        [h.name for h in changed],
        lambda i: RollbackOperation(changed[i], options, undo=undo).run, options, parallel,
        canary)}
    for host in hosts:
        if host.name not in results:
            why = nothing_to_undo(undo, host.name)
            options.on_event(host.name, "done", why)
            results[host.name] = HostResult(host.name, "unchanged", why)
    return [results[h.name] for h in hosts]

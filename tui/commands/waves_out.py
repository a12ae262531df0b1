"""A rollout's waves in the output: the JSON keys, the wave column, the summary on stderr."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from tui.core.remote.fleet import Rollout
    from tui.core.remote.protocol import HostResult


def shown_waves(rollout: Rollout | None) -> dict[str, int] | None:
    """host -> wave, when there were several waves (else no wave column is shown)."""
    if rollout is None or len(rollout.waves) < 2:
        return None
    return rollout.wave_of


def rollout_dict(rollout: Rollout | None) -> dict[str, Any]:
    """``waves`` (each with its number and hosts) and ``stopped`` for the JSON document."""
    if rollout is None:
        return {"waves": [], "stopped": None}
    return {"waves": [{"wave": number, "hosts": list(hosts)}
                      for number, hosts in enumerate(rollout.waves, start=1)],
            "stopped": rollout.stopped or None}


def wave_summary(rollout: Rollout, results: list[HostResult]) -> list[str]:
    """One line per wave (`wave 2/5: 10 host(s): 9 applied, 1 failed`), and why it stopped."""
    by_host = {r.host: r for r in results}
    lines = []
    for number, hosts in enumerate(rollout.waves, start=1):
        counts: dict[str, int] = {}
        for host in hosts:
            status = by_host[host].status if host in by_host else "skipped"
            counts[status] = counts.get(status, 0) + 1
        tally = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        lines.append(f"wave {number}/{len(rollout.waves)}: {len(hosts)} host(s): {tally}")
    if rollout.stopped:
        lines.append(f"stopped: {rollout.stopped}; later waves were not started")
    return lines


def print_wave_summary(console: Console, rollout: Rollout | None,
                       results: list[HostResult]) -> None:
    if rollout is None or len(rollout.waves) < 2:
        return
    for line in wave_summary(rollout, results):
        style = "red" if line.startswith("stopped") else None
        console.print(line, style=style, markup=False, highlight=False, soft_wrap=True)

"""What a host list shows per host: where the host is, what selects it, what leap-tui last
did to it (the local journal), and whether its live files match (known only after a dry run).

Pure functions over the inventory, the journal's entries and the results of runs: no SSH,
no UI. The drift state is what the last dry run (or apply) on the host found; until one
ran it is "unknown", since only reading the live files can tell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tui.core.hosts.patterns import HostFacts
from tui.core.inventory import HostSpec

if TYPE_CHECKING:
    from tui.core.leap_provider import Provider
    from tui.core.remote.journal_entry import JournalEntry
    from tui.core.remote.outcome import HostResult

UNKNOWN = "unknown"
IN_SYNC = "in sync"
TO_UPDATE = "to update"
DRIFT = "drift"
# What a journal result says about the change a run made on a host.
_CHANGED = frozenset({"applied", "confirmed", "rolled-back", "pending", "unconfirmed",
                      "reverted"})


@dataclass(frozen=True, slots=True)
class Drift:
    """What a run found about a host's live files: ``state`` is one of the words above."""

    state: str = UNKNOWN
    detail: str = "no dry run yet"

    @property
    def known(self) -> bool:
        return self.state != UNKNOWN


@dataclass(frozen=True, slots=True)
class HostLine:
    """One host of the list: the facts a pattern matches and what is known of it."""

    host: HostSpec
    facts: HostFacts
    address: str
    last_change: str  # short, for a table cell
    last_change_detail: str
    drift: Drift

    @property
    def name(self) -> str:
        return self.host.name

    @property
    def labels(self) -> str:
        """Groups, then the node's tags, services and environment, as a pattern names them."""
        facts = self.facts
        parts = [*sorted(facts.groups), *(f"tag:{t}" for t in sorted(facts.tags)),
                 *(f"service:{s}" for s in sorted(facts.services))]
        if facts.environment:
            parts.append(f"env:{facts.environment}")
        return " ".join(parts)

    def detail(self) -> str:
        """The host in full, for the line under the list (the table's cells are cut)."""
        host = self.host
        files = "; ".join(f"{f.source} → {f.target}" for f in host.files) or (
            "none (no [[fleet.file]] rule or host file gives it one: apply leaves it out)")
        node = f"  node {host.leap_node}" if host.leap_node else ""
        return (f"{host.name}  {self.address}{node}  {self.labels}\n"
                f"files: {files}\n"
                f"last change: {self.last_change_detail}\n"
                f"live files: {self.drift.state}: {self.drift.detail}")


@dataclass(slots=True)
class FleetStatus:
    """The drift state of each host this session, from the runs that ended."""

    drift: dict[str, Drift] = field(default_factory=dict)

    def record(self, kind: str, results: Sequence[HostResult], when: str = "") -> None:
        """A run ended: ``kind`` is "dry-run", "apply" or "rollback"."""
        for result in results:
            found = drift_found(kind, result)
            if found is not None:
                detail = f"{found.detail} ({when})" if when else found.detail
                self.drift[result.host] = Drift(found.state, detail)

    def of(self, host: str) -> Drift:
        return self.drift.get(host, Drift())


def drift_found(kind: str, result: HostResult) -> Drift | None:
    """What ``result`` tells of the host's live files; None when it tells nothing new."""
    if result.status == "skipped":
        return None  # not contacted: what was known stays
    drifted = [f.target for f in result.files if f.status == "drift"]
    if drifted:
        return Drift(DRIFT, f"{', '.join(drifted)} changed on the host since leap-tui "
                     "applied it (AP003: the apply screen shows three ways)")
    if kind == "rollback":
        return Drift(UNKNOWN, "rolled back: a dry run tells how the live files compare")
    if kind == "apply":
        if result.status in ("applied", "unchanged"):
            return Drift(IN_SYNC, "every file is as leap-tui last pushed it")
        return Drift(UNKNOWN, f"the apply ended {result.status}: a dry run tells")
    if result.files:  # read before any later check failed: the comparison stands
        changed = [f.target for f in result.files if f.status == "changed"]
        if changed:
            return Drift(TO_UPDATE, f"{len(changed)} file(s) differ from the local ones: "
                         f"{', '.join(changed)}")
        return Drift(IN_SYNC, "every live file matches the local one")
    return Drift(UNKNOWN, f"the dry run could not read the files: {result.message}")


def last_change(entries: Sequence[JournalEntry], host: str) -> tuple[str, str]:
    """The last run that changed ``host`` per the journal: short (for a table cell) and in
    full (time, run, action and how it ended)."""
    from tui.core.remote.journal import outcomes

    changes = [e for e in outcomes(list(entries))
               if e.host == host and e.action in ("apply", "rollback")
               and e.result in _CHANGED and e.before != e.after]
    if not changes:
        return "never", "never (the journal has no run that changed it)"
    entry = changes[-1]
    when = entry.time.replace("T", " ").removesuffix("Z")
    short = f"{when[5:16]} {entry.result.replace('-', ' ')}"
    return short, f"{when} UTC, {entry.action} run {entry.run}: {entry.result}"


def fleet_lines(hosts: Sequence[HostSpec], provider: Provider | None,
                entries: Sequence[JournalEntry], status: FleetStatus) -> list[HostLine]:
    """Every host as a host list shows it."""
    from tui.core.hosts import host_facts
    from tui.core.remote.changes import node_connection_defaults

    lines = []
    for host, facts in zip(hosts, host_facts(hosts, provider), strict=True):
        node = (node_connection_defaults(provider, host.leap_node,
                                         provider.root if provider is not None else None)
                if host.leap_node else (None, None))
        lines.append(HostLine(host, facts, address_of(host, node),
                              *last_change(entries, host.name), status.of(host.name)))
    return lines


def address_of(host: HostSpec, node: tuple[str | None, int | None]) -> str:
    """user@address:port as far as the inventory and the LEAP node say (ssh_config may
    say more when leap-tui connects)."""
    address = host.address or node[0]
    port = host.port or node[1]
    user = host.user or host.default_user
    where = address or "(ssh_config)"
    return f"{user + '@' if user else ''}{where}{f':{port}' if port else ''}"

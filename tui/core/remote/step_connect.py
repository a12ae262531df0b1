"""Step 1, connect: the endpoint from the inventory, ~/.ssh/config and the LEAP node.

When a LEAP node's ssh.port may be moving, the first connection tries the port the node
file last applied says sshd listens on, then the edited port, then 22.
"""

from __future__ import annotations

from tui.core.remote.changes import DEFAULT_SSH_PORT, inherited_ssh_port, node_file_ssh_port
from tui.core.remote.errors import ConnectError
from tui.core.remote.host_state import HostState
from tui.core.remote.journal import SETTLED, UNSETTLED
from tui.core.remote.ssh import Endpoint, configured_port, connect, resolve_endpoint


def open_session(op: HostState) -> None:
    op.emit("connect", "")
    node_defaults = op.node_defaults(op.host.leap_node)
    resolved = resolve_endpoint(op.host, ssh_config=op.options.ssh.ssh_config,
                                node_defaults=node_defaults)
    candidates = [resolved.with_port(p) for p in first_ports(op, resolved, node_defaults[0])]
    names = [c.known_hosts_name for c in candidates]
    failures: list[ConnectError] = []
    for endpoint in candidates:
        op.emit("connect", f"{endpoint.user}@{endpoint.hostname}:{endpoint.port}")
        try:
            # The other candidates are the same host on another port: the key it is
            # known by there proves it here too.
            op.conn = connect(endpoint, op.options.ssh,
                              aliases=[n for n in names if n != endpoint.known_hosts_name],
                              pinned=op.pinned(op.host.leap_node))
        except ConnectError as exc:
            failures.append(exc)
            continue
        op.endpoint = endpoint
        return
    raise unreachable(resolved.label, failures)


def unreachable(label: str, failures: list[ConnectError]) -> ConnectError:
    """One error for every port tried: each port with why it failed, never only the last
    (a node whose sshd moved to 2223 must not read as "cannot reach ...:22")."""
    if len(failures) == 1:
        return failures[0]
    reached = [f.reach for f in failures if f.reach is not None]
    if len(reached) == len(failures) and len({host for host, _, _ in reached}) == 1:
        tried = "; ".join(f"port {port}: {reason}" for _, port, reason in reached)
        return ConnectError(f"{label}: cannot reach {reached[0][0]} on any port tried ({tried})",
                            hint="tried in turn: the ssh.port the node file last applied, the "
                            "edited ssh.port, then 22", reach=reached[-1])
    return ConnectError("; ".join(dict.fromkeys(f.message for f in failures)),
                        hint=failures[-1].hint)


def first_ports(op: HostState, resolved: Endpoint, node_address: str | None) -> list[int]:
    """Ports to try, in order, for the first connection.

    The inventory's or ~/.ssh/config's port is the only one when set. Otherwise the port
    comes from the LEAP node *as edited*, which may be a move not live yet: first the
    port the node file last applied (journal) says sshd listens on, then the edited
    port, then 22.
    """
    node = op.host.leap_node
    if node is None or configured_port(op.host, ssh_config=op.options.ssh.ssh_config,
                                       node_address=node_address) is not None:
        return [resolved.port]
    ports: list[int] = []
    for port in [*_applied_ssh_ports(op, node), resolved.port, DEFAULT_SSH_PORT]:
        if port not in ports:
            ports.append(port)
    return ports


def _applied_ssh_ports(op: HostState, node: str) -> list[int]:
    """``ssh.port`` of node ``node``'s file as leap-tui last left it on any host."""
    source = f"nodes/{node}.json"
    places = {(h.name, f.target) for h in op.options.inventory.hosts for f in h.files
              if f.source == source}
    if not places:
        return []
    journal = op.options.journal
    for entry in reversed(journal.entries()):
        if (entry.host, entry.path) not in places or entry.result not in SETTLED | UNSETTLED:
            continue
        # Unsettled: a watchdog decides, and it reverts unless confirmed: before first.
        digests = ([entry.before, entry.after] if entry.result in UNSETTLED
                   else [entry.after])
        ports: list[int] = []
        for digest in digests:
            data = journal.blob(digest)
            if data is None:
                continue
            port = node_file_ssh_port(data)
            ports.append(port if port is not None
                         else inherited_ssh_port(op.options.provider_root))
        return ports
    return []

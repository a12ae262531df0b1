"""Step 5, confirm: prove the new settings over a *new* connection, then keep or revert.

Only a lock-out-prone change (or --confirm-within) gets here with a watchdog armed. The
decision goes over the new session when it reaches the host holding the watchdog; a
failed proof or a "no" reverts at once through the old session, else the host reverts
by itself at the deadline.
"""

from __future__ import annotations

import time

from tui.core.remote import step_probe
from tui.core.remote.errors import RemoteError
from tui.core.remote.host_state import HostState, NotConfirmed, clock
from tui.core.remote.ssh import Connection, Endpoint, connect, resolve_endpoint
from tui.core.remote.step_swap import journal_reverted, undo

# The new connection is retried after 0.5, 1, 2, 4, 8, 8... s; the last attempt ends
# this long before the deadline, so that a confirmation never races the watchdog.
FIRST_PAUSE = 0.5
MAX_PAUSE = 8.0
RESERVE = 0.5


def confirm(op: HostState) -> None:
    if op.watchdog is None:
        return
    watchdog = op.watchdog
    endpoint, aliases, node, same_host = confirm_endpoint(op)
    op.emit("reconnect", f"{endpoint.user}@{endpoint.hostname}:{endpoint.port}")
    fresh, problem = _reconnect(op, endpoint, aliases, node)
    try:
        if fresh is None:
            not_confirmed(op, f"no new connection to {endpoint.hostname}:{endpoint.port}: "
                          f"{problem or 'window too short'}")
            return
        if step_probe.wanted(op):
            try:
                step_probe.run_probes(op, watchdog.deadline - RESERVE)
            except NotConfirmed as exc:
                not_confirmed(op, str(exc), code=exc.code)
                return
        op.emit("confirm", f"the new connection works; "
                f"{max(0, round(watchdog.deadline - time.time()))} s left to keep it")
        asker = op.options.confirm
        if asker is not None and not asker(op.name, watchdog.deadline):
            not_confirmed(op, "not confirmed by the operator")
            return
        # Confirm over the new session when it reaches this host: the decision then
        # travels the very path the operator needs to keep. A deploy host's proof
        # connection goes to the node, which holds no watchdog: confirm here then.
        channel = fresh if same_host else op.live
        if not channel.alive:
            not_confirmed(op, f"the session to {op.name}, which holds the watchdog, is lost")
            return
        result = channel.run(watchdog.confirm_command())
        if result.status == 3:
            not_confirmed(op, "the confirmation came after the deadline", decided=True)
            return
        if not result.ok:
            raise RemoteError(f"confirmation failed: {result.tail()}")
    finally:
        if fresh is not None:
            fresh.close()
    op.watchdog = None
    for state in op.files:
        if state.swapped:
            op.journal(state, "confirmed", before=state.old, after=state.change.new,
                       backup=state.backup)
    op.emit("confirmed", "")


def _reconnect(op: HostState, endpoint: Endpoint, aliases: list[str],
               node: str | None) -> tuple[Connection | None, str]:
    """A new connection, retried with a growing pause until the deadline; every failure
    is said at once with the time left, and the operator may give up (options.give_up)."""
    watchdog = op.watchdog
    assert watchdog is not None
    pause = FIRST_PAUSE
    attempt = 0
    last = ""
    while True:
        if watchdog.deadline - RESERVE - time.time() <= 0:
            return None, (f"{attempt} attempt(s) failed, the last: {last}" if attempt
                          else "window too short")
        if op.options.give_up.is_set():
            return None, f"given up by the operator after {attempt} attempt(s)"
        attempt += 1
        fresh: Connection | None = None
        try:
            fresh = connect(endpoint, op.options.ssh, aliases=aliases, pinned=op.pinned(node))
            fresh.check("true", "a command over the new connection")
            return fresh, ""
        except RemoteError as exc:
            if fresh is not None:
                fresh.close()
            last = exc.message
            if exc.code in ("AP001", "AP002"):
                return None, exc.message
            wait = min(pause, max(0.0, watchdog.deadline - RESERVE - time.time()))
            # The countdown first: a progress line shows only the start.
            op.emit("reconnect", f"{max(0, round(watchdog.deadline - time.time()))} s left: "
                    f"reverts by itself at {clock(watchdog.deadline)} unless confirmed (give "
                    f"up to revert now); attempt {attempt} failed: {exc.message}; next in "
                    f"{wait:.0f} s")
            pause = min(pause * 2, MAX_PAUSE)
            if op.options.give_up.wait(wait):
                return None, (f"given up by the operator after {attempt} attempt(s) "
                              f"(last: {exc.message})")


def confirm_endpoint(op: HostState) -> tuple[Endpoint, list[str], str | None, bool]:
    """Where the proof connection goes: the node at its new ssh.port, else this host.

    The last item tells whether that connection reaches this very host (the one that
    holds the watchdog).
    """
    assert op.endpoint is not None
    moves = [r for r in op.risks if r.new_ssh_port is not None and r.node is not None]
    # This host's own node first: proving our own new port proves the most.
    moves.sort(key=lambda r: r.node != op.host.leap_node)
    moved = moves[0] if moves else None
    if moved is None or moved.node is None or moved.new_ssh_port is None:
        return op.endpoint, [], op.host.leap_node, True
    node_host = next((h for h in op.options.inventory.hosts if h.leap_node == moved.node),
                     None)
    if node_host is not None and node_host.name == op.name:
        base = op.endpoint
    elif node_host is not None:
        base = resolve_endpoint(node_host, ssh_config=op.options.ssh.ssh_config,
                                node_defaults=op.node_defaults(moved.node))
    else:
        address, _ = op.node_defaults(moved.node)
        base = op.endpoint.with_hostname(address or op.endpoint.hostname)
    old_port = moved.old_ssh_port or base.port
    aliases = [base.with_port(old_port).known_hosts_name, base.known_hosts_name]
    same_host = node_host is not None and node_host.name == op.name
    return base.with_port(moved.new_ssh_port), aliases, moved.node, same_host


def not_confirmed(op: HostState, why: str, *, decided: bool = False,
                  code: str = "AP009") -> None:
    """Revert now through the old session when it lives; else the host does it alone."""
    watchdog = op.watchdog
    assert watchdog is not None
    changed = [s for s in op.files if s.swapped]
    if decided:
        journal_reverted(op, changed, why)
    elif op.conn is not None and op.conn.alive:
        undo(op, changed, why)
    else:
        why += f"; {op.name} reverts by itself at {clock(watchdog.deadline)}"
        for state in changed:
            op.journal(state, "unconfirmed", before=state.old, after=state.change.new,
                       backup=state.backup, detail=why)
    op.watchdog = None
    op.result.status = "reverted"
    raise NotConfirmed(why, code=code)

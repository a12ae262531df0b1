"""Apply and rollback against real sshd instances on 127.0.0.1: files checked on the host."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

from tests.plugins.sshd_hosts import RemoteEnv, SshdHost
from tui.core.remote.fleet import apply_fleet, rollback_fleet
from tui.core.remote.journal import Journal, sha256
from tui.core.remote.plan import plan
from tui.core.remote.protocol import HostOperation

Hosts = Callable[[int], list[SshdHost]]

OLD = b'[http]\nhost = "127.0.0.1"\nport = 25223\n'
NEW = b'[http]\nhost = "127.0.0.1"\nport = 25223\n\n[logging]\nlevel = "DEBUG"\n'


def live_file(env: RemoteEnv, name: str = "clace.toml", data: bytes = OLD, *,
              mode: int = 0o640, owner: tuple[int, int] = (1234, 2345)) -> Path:
    path = env.remote / name
    path.write_bytes(data)
    os.chmod(path, mode)
    os.chown(path, *owner)
    return path


def backups(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir()
                  if p.name.startswith(path.name + ".leap-tui.") and p.name[-1] == "Z")


def owner_mode(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)


def one_host(env: RemoteEnv, host: SshdHost, target: Path, **file_keys: str) -> Path:
    env.trust(host)
    return env.inventory(env.host_toml(host, "h1", [
        {"source": "clace", "target": str(target), **file_keys}]))


def test_apply_then_rollback_end_to_end(remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    marker = remote_env.root / "reloaded"
    inventory = one_host(remote_env, host, target, validate="test -s {path}",
                         reload=f"echo reload >> {marker}")
    options = remote_env.options(inventory)

    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert result.status == "applied", result
    assert target.read_bytes() == NEW
    assert owner_mode(target) == (1234, 2345, 0o640)
    (backup,) = backups(target)
    assert backup.read_bytes() == OLD and owner_mode(backup) == (1234, 2345, 0o640)
    assert result.files[0].backup == str(backup)
    assert marker.read_text() == "reload\n"
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]
    journal = Journal(remote_env.state)
    assert [e.result for e in journal.entries("h1")] == ["pending", "applied"]
    assert journal.entries("h1")[-1].after == sha256(NEW)
    assert journal.blob(sha256(NEW)) == NEW

    (undone,) = rollback_fleet(options.inventory.hosts, options)

    assert undone.status == "rolled-back", undone
    assert target.read_bytes() == OLD
    assert owner_mode(target) == (1234, 2345, 0o640)
    assert backups(target) == []  # the generation was used up
    assert marker.read_text() == "reload\nreload\n"
    assert journal.entries("h1")[-1].action == "rollback"
    assert journal.entries("h1")[-1].after == sha256(OLD)


def test_generations_are_kept_five_and_rollback_walks_back(remote_env: RemoteEnv,
                                                           sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    target = live_file(remote_env, data=b"v0\n")
    options = remote_env.options(one_host(remote_env, host, target))
    for number in range(1, 8):
        (result,) = apply_fleet(plan(options.inventory, {"clace": f"v{number}\n".encode()}),
                                options)
        assert result.status == "applied"
    kept = backups(target)
    assert [p.read_bytes() for p in kept] == [f"v{n}\n".encode() for n in range(2, 7)]

    rollback_fleet(options.inventory.hosts, options)
    assert target.read_bytes() == b"v6\n"
    rollback_fleet(options.inventory.hosts, options)
    assert target.read_bytes() == b"v5\n"

    stamp = kept[0].name.rsplit(".leap-tui.", 1)[1]
    (chosen,) = rollback_fleet(options.inventory.hosts, options, to=stamp[:22])
    assert chosen.status == "rolled-back"
    assert target.read_bytes() == b"v2\n"


def test_failing_validate_leaves_live_file_untouched(remote_env: RemoteEnv,
                                                     sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    before = target.stat()
    marker = remote_env.root / "reloaded"
    options = remote_env.options(one_host(
        remote_env, host, target, validate="grep -q NEVER-THERE {path}", reload=f"touch {marker}"))

    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert result.status == "failed"
    assert [f.code for f in result.findings] == ["AP004"]
    assert target.read_bytes() == OLD
    assert target.stat().st_ino == before.st_ino and target.stat().st_mtime == before.st_mtime
    assert sorted(p.name for p in target.parent.iterdir()) == ["clace.toml"]
    assert not marker.exists()


def test_failing_reload_puts_the_old_file_back(remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    count = remote_env.root / "reloads"
    options = remote_env.options(one_host(
        remote_env, host, target, reload=f"echo x >> {count}; grep -q DEBUG {target} && exit 7"
                                         "; true"))

    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert result.status == "failed"
    assert [f.code for f in result.findings] == ["AP008"]
    assert target.read_bytes() == OLD
    assert owner_mode(target) == (1234, 2345, 0o640)
    assert count.read_text() == "x\nx\n"  # reloaded again with the old file
    assert Journal(remote_env.state).entries("h1")[-1].result == "reverted"


def test_drift_is_refused_with_a_three_way_view_and_force_overwrites(
        remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    options = remote_env.options(one_host(remote_env, host, target))
    apply_fleet(plan(options.inventory, {"clace": NEW}), options)
    target.write_bytes(NEW + b"# edited on the host\n")
    newer = NEW + b"[https]\nport = 443\n"

    (result,) = apply_fleet(plan(options.inventory, {"clace": newer}), options)

    assert result.status == "failed"
    assert [f.code for f in result.findings] == ["AP003"]
    assert target.read_bytes() == NEW + b"# edited on the host\n"
    assert "+# edited on the host" in result.diff and "(live on host)" in result.diff
    assert "+[https]" in result.diff and "(last applied)" in result.diff

    options.force = True
    (forced,) = apply_fleet(plan(options.inventory, {"clace": newer}), options)
    assert forced.status == "applied"
    assert target.read_bytes() == newer
    # PF006: port 443 is privileged, and no server runs here whose rights could be read.
    assert [f.code for f in forced.findings] == ["AP003", "PF006"]


def test_unchanged_file_is_not_touched(remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    options = remote_env.options(one_host(remote_env, host, target))
    (result,) = apply_fleet(plan(options.inventory, {"clace": OLD}), options)
    assert result.status == "unchanged"
    assert backups(target) == []


def test_new_file_is_created_and_dry_run_changes_nothing(remote_env: RemoteEnv,
                                                         sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    target = remote_env.remote / "fresh.toml"
    options = remote_env.options(one_host(remote_env, host, target), dry_run=True)
    (preview,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)
    assert preview.status == "dry-run"
    assert "+[logging]" in preview.diff
    assert not target.exists()

    options.dry_run = False
    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)
    assert result.status == "applied"
    assert target.read_bytes() == NEW and stat.S_IMODE(target.stat().st_mode) == 0o644


def test_confirm_window_expired_host_reverts_by_itself(remote_env: RemoteEnv,
                                                       sshd_hosts: Hosts) -> None:
    """The client is gone before confirming: the host alone restores file, owner and mode."""
    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    reloads = remote_env.root / "reloads"
    options = remote_env.options(one_host(remote_env, host, target,
                                          reload=f"echo r >> {reloads}"), confirm_within=2.0)
    (host_plan,) = plan(options.inventory, {"clace": NEW})
    operation = HostOperation(host_plan, options)
    operation.connect()
    operation.inspect()
    operation.stage()
    operation.swap()
    operation.close()  # the operator's link dies here: nobody will confirm
    assert target.read_bytes() == NEW

    # An earlier run's watchdog still armed: found and reported, nothing applied over it.
    (blocked,) = apply_fleet(plan(options.inventory, {"clace": NEW + b"#2\n"}), options)
    assert blocked.status == "failed"
    assert [f.code for f in blocked.findings] == ["AP005"]
    assert target.read_bytes() == NEW

    deadline = time.monotonic() + 8
    while reloads.read_text() != "r\nr\n" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert target.read_bytes() == OLD
    assert owner_mode(target) == (1234, 2345, 0o640)
    assert reloads.read_text() == "r\nr\n"  # the apply's reload, then the watchdog's
    assert backups(target) == []  # the backup itself went back into place

    # The next connection settles it: reported, journaled, no false drift.
    options.confirm_within = None
    (after,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)
    assert after.status == "applied", after
    assert [f.code for f in after.findings] == ["AP006"]
    results = [e.result for e in Journal(remote_env.state).entries("h1")]
    assert results[:2] == ["pending", "reverted"]
    assert not [p for p in target.parent.iterdir() if ".watchdog" in p.name or
                p.name.endswith((".pid", ".decided"))]


def test_operator_declining_reverts_at_once(remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    asked: list[tuple[str, float]] = []

    def decline(name: str, deadline: float) -> bool:
        asked.append((name, deadline))
        assert target.read_bytes() == NEW  # the change is live while the operator decides
        return False

    options = remote_env.options(one_host(remote_env, host, target), confirm_within=30.0,
                                 confirm=decline)
    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert result.status == "reverted"
    assert [f.code for f in result.findings] == ["AP009"]
    assert asked and asked[0][0] == "h1" and asked[0][1] > time.time() + 20
    assert target.read_bytes() == OLD and owner_mode(target) == (1234, 2345, 0o640)
    assert sorted(p.name for p in target.parent.iterdir()) == ["clace.toml"]


def test_listener_change_gets_the_window_and_is_confirmed(remote_env: RemoteEnv,
                                                          sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    options = remote_env.options(one_host(remote_env, host, target), lockout_window=20.0)
    events: list[str] = []
    options.on_event = lambda name, stage, detail: events.append(stage)
    moved = OLD.replace(b"25223", b"8080")

    (result,) = apply_fleet(plan(options.inventory, {"clace": moved}), options)

    assert result.status == "applied", result
    assert result.lockout == ["Clace listener http.port: 25223 -> 8080"]
    assert events.index("arm") < events.index("swap") < events.index("reconnect")
    assert "confirmed" in events
    assert target.read_bytes() == moved
    assert [e.result for e in Journal(remote_env.state).entries("h1")] == ["pending", "confirmed"]
    time.sleep(1.2)  # the watchdog was stopped: it must not revert afterwards
    assert target.read_bytes() == moved
    assert not [p for p in target.parent.iterdir() if ".watchdog" in p.name]


def test_cut_mid_upload_leaves_live_file_byte_identical(remote_env: RemoteEnv,
                                                        sshd_host: SshdHost) -> None:
    big_old = b"old\n" * 300_000
    target = live_file(remote_env, data=big_old)
    options = remote_env.options(one_host(remote_env, sshd_host, target))
    cut: list[int] = []

    def on_event(name: str, stage: str, detail: str) -> None:
        if stage == "upload" and not detail.endswith(f" 0/{len(big)}") and not cut:
            cut.append(sshd_host.kill_sessions())

    options.on_event = on_event
    big = b"new\n" * 3_000_000
    (result,) = apply_fleet(plan(options.inventory, {"clace": big}), options)

    assert cut and cut[0] > 0
    assert result.status == "failed"
    assert target.read_bytes() == big_old
    assert owner_mode(target) == (1234, 2345, 0o640)
    assert backups(target) == []


def test_unreachable_host_is_reported_while_others_succeed(remote_env: RemoteEnv,
                                                           sshd_hosts: Hosts) -> None:
    from tests.plugins.sshd_hosts import free_port

    up = sshd_hosts(2)
    remote_env.trust(*up)
    tables = []
    for number, host in enumerate(up):
        tables.append(remote_env.host_toml(host, f"up{number}", [
            {"source": "clace", "target": str(live_file(remote_env, f"up{number}.toml"))}]))
    tables.insert(1, remote_env.host_toml(None, "down", [
        {"source": "clace", "target": str(remote_env.remote / "down.toml")}], port=free_port()))
    options = remote_env.options(remote_env.inventory(*tables))

    results = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert [(r.host, r.status) for r in results] == [
        ("up0", "applied"), ("down", "failed"), ("up1", "applied")]
    assert [f.code for f in results[1].findings] == ["AP007"]
    assert "cannot reach 127.0.0.1" in results[1].message
    # Said once, with the reason: not paramiko's "Unable to connect to port N on ..." again.
    assert results[1].message.endswith("Connection refused")
    assert results[1].message.count("127.0.0.1") == 1
    assert (remote_env.remote / "up0.toml").read_bytes() == NEW
    assert (remote_env.remote / "up1.toml").read_bytes() == NEW


def test_twelve_hosts_in_parallel(remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    hosts = sshd_hosts(12)
    remote_env.trust(*hosts)
    tables = [remote_env.host_toml(host, f"n{i}", [
        {"source": "clace", "target": str(live_file(remote_env, f"n{i}.toml")),
         "validate": "test -s {path}"}]) for i, host in enumerate(hosts)]
    options = remote_env.options(remote_env.inventory(*tables))
    started = time.monotonic()

    results = apply_fleet(plan(options.inventory, {"clace": NEW}), options, parallel=16)

    elapsed = time.monotonic() - started
    assert [r.status for r in results] == ["applied"] * 12
    assert all((remote_env.remote / f"n{i}.toml").read_bytes() == NEW for i in range(12))
    assert elapsed < 10, elapsed


def test_canary_failure_stops_the_rollout(remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    hosts = sshd_hosts(3)
    remote_env.trust(*hosts)
    tables = [remote_env.host_toml(host, f"c{i}", [
        {"source": "clace", "target": str(live_file(remote_env, f"c{i}.toml")),
         "validate": "false" if i == 0 else "true"}]) for i, host in enumerate(hosts)]
    options = remote_env.options(remote_env.inventory(*tables))

    results = apply_fleet(plan(options.inventory, {"clace": NEW}), options, canary=1)

    assert [r.status for r in results] == ["failed", "skipped", "skipped"]
    assert all((remote_env.remote / f"c{i}.toml").read_bytes() == OLD for i in range(3))


def test_watchdog_that_died_before_deciding_is_reported(remote_env: RemoteEnv,
                                                        sshd_hosts: Hosts) -> None:
    """Host rebooted inside the window: the change is live and unconfirmed; say so."""
    import signal

    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    options = remote_env.options(one_host(remote_env, host, target), confirm_within=30.0)
    (host_plan,) = plan(options.inventory, {"clace": NEW})
    operation = HostOperation(host_plan, options)
    operation.connect()
    operation.inspect()
    operation.stage()
    operation.swap()
    operation.close()
    (pidfile,) = [p for p in target.parent.iterdir() if p.name.endswith(".pid")]
    deadline = time.monotonic() + 3
    while not pidfile.read_text().strip() and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(int(pidfile.read_text()), signal.SIGKILL)

    (blocked,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)
    assert blocked.status == "failed"
    assert [f.code for f in blocked.findings] == ["AP005"]
    assert "died before its deadline" in blocked.message
    assert target.read_bytes() == NEW

    options.force = True
    options.confirm_within = None
    (kept,) = apply_fleet(plan(options.inventory, {"clace": NEW + b"#3\n"}), options)
    assert kept.status == "applied", kept
    assert [f.code for f in kept.findings] == ["AP012"]
    assert not [p for p in target.parent.iterdir() if ".watchdog" in p.name]

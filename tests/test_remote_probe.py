"""The health probe after the reload: the new listener answers from outside, or the change goes."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.plugins.sshd_hosts import RemoteEnv, SshdHost, free_port
from tests.test_certs_support import cert_pem, ec_key, key_pem, make_cert
from tui.core.errors import ConfigError
from tui.core.inventory import parse_inventory
from tui.core.remote.fleet import apply_fleet
from tui.core.remote.journal import Journal
from tui.core.remote.outcome import HostResult
from tui.core.remote.plan import plan

Hosts = Callable[[int], list[SshdHost]]
OLD = b'[http]\nhost = "127.0.0.1"\nport = 25223\n'


def moved(http: int, https: int | None = None) -> bytes:
    text = f'[http]\nhost = "127.0.0.1"\nport = {http}\n'
    # HTTPS is on by default (25224): off unless given, so that only ``http`` is probed.
    text += f'\n[https]\nhost = "127.0.0.1"\nport = {-1 if https is None else https}\n'
    return text.encode()


def apply(env: RemoteEnv, host: SshdHost, new: bytes, probe: str, *, old: bytes = OLD,
          on_reload: Callable[[], object] | None = None,
          **options: object) -> tuple[HostResult, Path, list[str]]:
    """Apply ``new`` with a reload; ``on_reload`` is the server coming up (in the test)."""
    env.trust(host)
    target = env.remote / "clace.toml"
    target.write_bytes(old)
    reloads = env.root / "reloads"
    inventory = env.inventory(env.host_toml(host, "h1", [
        {"source": "clace", "target": str(target), "reload": f"echo r >> {reloads}"}],
        extra=f'probe = "{probe}"'))
    run_options = env.options(inventory, probe_patience=1.0, **options)
    events: list[str] = []

    def on_event(name: str, stage: str, detail: str) -> None:
        events.append(f"{stage} {detail}")
        if stage == "reload" and on_reload is not None:
            on_reload()

    run_options.on_event = on_event
    (result,) = apply_fleet(plan(run_options.inventory, {"clace": new}), run_options)
    return result, target, events


class Server:
    """A listener of the test's own on ``port``, up once ``start`` is called (as a server
    restarted by the reload would be); TLS with a certificate for ``names`` if given."""

    def __init__(self, tmp_path: Path, names: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        self.names = names
        self.tmp_path = tmp_path
        self.stop = threading.Event()
        self.socket: socket.socket | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        context = None
        if self.names:
            key = ec_key()
            cert = make_cert(key, names=self.names,
                             not_before=datetime.now(UTC) - timedelta(days=1))
            (self.tmp_path / "s.crt").write_bytes(cert_pem(cert))
            (self.tmp_path / "s.key").write_bytes(key_pem(key))
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.tmp_path / "s.crt", self.tmp_path / "s.key")
        server = self.socket = socket.socket()
        server.bind(("127.0.0.1", self.port))
        server.listen()
        server.settimeout(0.2)
        self.thread = threading.Thread(target=self._serve, args=(server, context), daemon=True)
        self.thread.start()

    def _serve(self, server: socket.socket, context: ssl.SSLContext | None) -> None:
        while not self.stop.is_set():
            try:
                client, _ = server.accept()
            except OSError:
                continue
            try:
                if context is not None:
                    with context.wrap_socket(client, server_side=True):
                        pass
            except (OSError, ssl.SSLError):
                pass
            finally:
                client.close()

    def close(self) -> None:
        self.stop.set()
        if self.thread is not None:
            # A socket closed while accept() waits in another thread still listens until
            # that accept returns: the server is gone only once its thread is.
            self.thread.join()
        if self.socket is not None:
            self.socket.close()


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    made: list[Server] = []

    def make(*names: str) -> Server:
        made.append(Server(tmp_path, names))
        return made[-1]

    yield make
    for server in made:
        server.close()


def test_a_failed_tcp_probe_reverts_and_names_the_probe(remote_env: RemoteEnv,
                                                        sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    port = free_port()  # nothing comes up there: the reload "failed" to start the server

    result, target, _ = apply(remote_env, host, moved(port), "tcp")

    assert result.status == "reverted"
    assert [f.code for f in result.findings] == ["AP016"]
    assert result.message == f"tcp probe of 127.0.0.1:{port} failed: connection refused"
    assert target.read_bytes() == OLD
    assert (remote_env.root / "reloads").read_text() == "r\nr\n"  # reloaded, then put back
    assert Journal(remote_env.state).entries("h1")[-1].result == "reverted"


def test_a_tcp_probe_that_answers_keeps_the_change(remote_env: RemoteEnv, sshd_hosts: Hosts,
                                                   servers: Callable[..., Server]) -> None:
    (host,) = sshd_hosts(1)
    server = servers()
    result, target, events = apply(remote_env, host, moved(server.port), "tcp",
                                   on_reload=server.start)
    assert result.status == "applied", result.message
    assert target.read_bytes() == moved(server.port)
    assert f"probe tcp probe of 127.0.0.1:{server.port}: ok" in events


def test_without_a_window_the_probe_comes_before_the_safety_net_is_confirmed(
        remote_env: RemoteEnv, sshd_hosts: Hosts, servers: Callable[..., Server]) -> None:
    (host,) = sshd_hosts(1)
    server = servers()
    server.start()  # the server runs on its unchanged port; the change is to logging
    old = moved(server.port)
    warn = old + b'[logging]\nlevel = "WARN"\n'
    result, _, events = apply(remote_env, host, warn, "tcp", old=old)
    assert result.status == "applied" and result.lockout == [], result.message
    assert f"probe tcp probe of 127.0.0.1:{server.port}: ok" in events
    server.close()  # the server is gone now: the next change is not kept
    result, target, _ = apply(remote_env, host, old + b'[logging]\nlevel = "INFO"\n', "tcp",
                              old=warn)
    assert result.status == "reverted", result.message
    assert [f.code for f in result.findings] == ["AP016"]
    assert target.read_bytes() == warn


def test_a_tls_probe_checks_the_certificate_names(remote_env: RemoteEnv, sshd_hosts: Hosts,
                                                  servers: Callable[..., Server]) -> None:
    (host,) = sshd_hosts(1)
    http, wrong = servers(), servers("example.com")

    def up() -> None:
        http.start()
        wrong.start()

    result, target, _ = apply(remote_env, host, moved(http.port, wrong.port), "tls",
                              on_reload=up)
    assert result.status == "reverted"
    assert result.message == (f"tls probe of 127.0.0.1:{wrong.port} failed: the certificate "
                              "names example.com, not 127.0.0.1")
    assert target.read_bytes() == OLD

    http, right = servers(), servers("127.0.0.1")

    def up_again() -> None:
        http.start()
        right.start()

    result, target, events = apply(remote_env, host, moved(http.port, right.port), "tls",
                                   on_reload=up_again)
    assert result.status == "applied", result.message
    assert f"probe tls probe of 127.0.0.1:{right.port}: ok" in events
    assert f"probe tcp probe of 127.0.0.1:{http.port}: ok" in events  # HTTP: a TCP probe


def test_in_a_confirm_window_the_probe_comes_before_the_question(
        remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    asked: list[str] = []
    port = free_port()
    result, target, _ = apply(remote_env, host, moved(port), "tcp", confirm_within=30.0,
                              confirm=lambda name, deadline: asked.append(name) or True)
    assert result.status == "reverted", result.message
    assert asked == []  # never asked to keep a change whose listener is not there
    assert result.message == f"tcp probe of 127.0.0.1:{port} failed: connection refused"
    assert target.read_bytes() == OLD


def test_probe_is_a_per_host_inventory_setting(tmp_path: Path) -> None:
    base = '[[host]]\nname = "h"\naddress = "127.0.0.1"\n'
    assert parse_inventory(base, tmp_path / "h.toml").hosts[0].probe == "none"
    assert parse_inventory(base + 'probe = "tls"\n', tmp_path / "h.toml").hosts[0].probe == "tls"
    with pytest.raises(ConfigError) as caught:
        parse_inventory(base + 'probe = "http"\n', tmp_path / "h.toml")
    assert caught.value.line == 4 and "probe must be one of none, tcp, tls" in str(caught.value)

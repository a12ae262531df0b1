"""ssh_config features against real sshd instances, each test with its own HOME."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.plugins.sshd_hosts import SSH_KEYGEN, RemoteEnv, SshdFarm, SshdHost, descendants, keygen
from tui.core.inventory import HostSpec
from tui.core.remote.errors import AuthError, ConnectError, SshConfigError
from tui.core.remote.hostkeys import KnownHosts
from tui.core.remote.ssh import SshOptions, connect, resolve_endpoint

Hosts = Callable[[int], list[SshdHost]]
SSH = Path("/usr/bin/ssh")
SSH_AGENT = Path("/usr/bin/ssh-agent")
SSH_ADD = Path("/usr/bin/ssh-add")


def host_block(host: SshdHost, alias: str = "web", extra: str = "") -> str:
    return f"Host {alias}\n  HostName 127.0.0.1\n  Port {host.port}\n  User root\n{extra}"


def test_include_from_config_d(remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    remote_env.trust_user(host)
    included = remote_env.home / ".ssh" / "config.d" / "50-web.conf"
    included.parent.mkdir()
    included.write_text(host_block(host))
    assert remote_env.reach("web", "Include config.d/*.conf\n", user=None) == "reached"
    assert "Accepted publickey for root" in host.log.read_text()


def test_user_port_and_hostname_from_ssh_config(remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    remote_env.trust_user(host)
    config = f"Host web\n  HostName %h.alias\nHost web.alias\n  HostName 127.0.0.1\n" \
             f"  Port {host.port}\n  User root\n"
    # HostName expands %h once; the alias of the alias is not looked up again (as ssh).
    with pytest.raises(ConnectError, match=r"cannot resolve web\.alias"):
        remote_env.reach("web", config, user=None)
    assert remote_env.reach("web.alias", config, user=None) == "reached"
    # A token that does change the name: "local" + "host".
    remote_env.user_known_hosts.write_text(host.known_hosts_line().replace(
        "[127.0.0.1]", "[localhost]"))
    config = f"Host local\n  HostName %hhost\n  Port {host.port}\n"
    assert remote_env.reach("local", config) == "reached"


def test_match_host_and_exec(remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    remote_env.trust_user(host)
    flag = remote_env.home / "vpn-up"
    closed = free_closed_port()
    config = (f"Host web\n  HostName 127.0.0.1\n"
              f"Match host 127.0.0.1 exec \"test -f {flag}\"\n  Port {host.port}\n"
              f"Host *\n  Port {closed}\n")
    with pytest.raises(ConnectError, match=f"127.0.0.1:{closed}: Connection refused"):
        remote_env.reach("web", config)
    flag.write_text("")
    assert remote_env.reach("web", config) == "reached"


def test_proxy_command_through_openssh_with_tokens(remote_env: RemoteEnv, sshd_hosts: Hosts,
                                                   sshd_host: SshdHost) -> None:
    (final,) = sshd_hosts(1)
    jump = sshd_host
    remote_env.trust_user(final)
    jump_known = remote_env.root / "jump_known_hosts"
    jump_known.write_text(jump.known_hosts_line())
    proxy = (f"{SSH} -F none -i {remote_env.client_key} -o BatchMode=yes "
             f"-o UserKnownHostsFile={jump_known} -o StrictHostKeyChecking=yes "
             f"-p {jump.port} -W %h:%p %r@127.0.0.1")
    config = host_block(final, extra=f"  ProxyCommand {proxy}\n")
    assert remote_env.reach("web", config, user=None) == "reached"
    assert "Accepted publickey for root" in jump.log.read_text()


def test_a_failing_proxy_command_is_named_not_a_dns_error(remote_env: RemoteEnv) -> None:
    config = ("Host web\n  HostName nowhere.invalid\n"
              "  ProxyCommand sh -c 'echo no route to %h:%p >&2; exit 3'\n")
    with pytest.raises(ConnectError) as failed:
        remote_env.reach("web", config)
    message = str(failed.value)
    assert "ProxyCommand" in message and "exited 3: no route to nowhere.invalid:22" in message
    assert "Name or service not known" not in message


def test_unsupported_option_fails_by_name_before_any_lookup(remote_env: RemoteEnv) -> None:
    config = "Host web\n  HostName nowhere.invalid\n  BindInterface eth9\n"
    with pytest.raises(SshConfigError, match="ssh_config option BindInterface is not supported"):
        remote_env.reach("web", config)


@contextlib.contextmanager
def ssh_agent(directory: Path, *keys: Path) -> Iterator[Path]:
    socket_path = directory / "agent.sock"
    agent = subprocess.Popen([str(SSH_AGENT), "-D", "-a", str(socket_path)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if socket_path.exists():
                break
            time.sleep(0.02)
        for key in keys:
            subprocess.run([str(SSH_ADD), "-q", str(key)], check=True, capture_output=True,
                           env={**os.environ, "SSH_AUTH_SOCK": str(socket_path)})
        yield socket_path
    finally:
        agent.terminate()
        agent.wait(5)


def test_identity_agent_and_identities_only(remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    remote_env.trust_user(host)
    stranger = remote_env.home / ".ssh" / "stranger"
    keygen(stranger)  # a key the host does not know
    with ssh_agent(remote_env.root, remote_env.client_key) as agent:
        base = host_block(host)
        assert remote_env.reach("web", base + f"  IdentityAgent {agent}\n",
                                identity_file=None) == "reached"
        with pytest.raises(AuthError):
            remote_env.reach("web", base + "  IdentityAgent none\n", identity_file=None)
        # The agent's key is offered next to the configured one...
        with_file = base + f"  IdentityAgent {agent}\n  IdentityFile {stranger}\n"
        assert remote_env.reach("web", with_file, identity_file=None) == "reached"
        # ...but not under IdentitiesOnly.
        with pytest.raises(AuthError, match="authentication as root failed"):
            remote_env.reach("web", with_file + "  IdentitiesOnly yes\n", identity_file=None)


def test_certificate_file(remote_env: RemoteEnv, sshd_farm: SshdFarm) -> None:
    ca = remote_env.root / "user_ca"
    keygen(ca)
    host = sshd_farm.start_host(lambda d: f"TrustedUserCAKeys {ca}.pub\n")
    try:
        host.authorized_keys.write_text("")  # only the certificate lets root in
        remote_env.trust_user(host)
        user_key = remote_env.home / "deploy_key"
        keygen(user_key)
        subprocess.run([str(SSH_KEYGEN), "-q", "-s", str(ca), "-I", "leap-tui-test", "-n", "root",
                        "-V", "-5m:+1h", str(user_key) + ".pub"], check=True, capture_output=True)
        certificate = remote_env.home / "certs" / "deploy.cert"
        certificate.parent.mkdir()
        os.rename(f"{user_key}-cert.pub", certificate)
        base = host_block(host, extra=f"  IdentityFile {user_key}\n")
        with pytest.raises(AuthError):
            remote_env.reach("web", base, identity_file=None)
        assert remote_env.reach("web", base + "  CertificateFile ~/certs/deploy.cert\n",
                                identity_file=None) == "reached"
        assert "Accepted publickey for root" in host.log.read_text()
        assert "ED25519-CERT" in host.log.read_text()
    finally:
        host.stop()


def test_connect_timeout_and_connection_attempts(remote_env: RemoteEnv) -> None:
    with full_listener() as port:
        config = f"Host slow\n  HostName 127.0.0.1\n  Port {port}\n  ConnectTimeout 1\n"
        with pytest.raises(ConnectError, match="timed out after 1 s"):
            remote_env.reach("slow", config, connect_timeout=60.0)
    closed = free_closed_port()
    config = f"Host gone\n  HostName 127.0.0.1\n  Port {closed}\n  ConnectionAttempts 2\n"
    with pytest.raises(ConnectError, match=r"Connection refused \(2 attempts\)"):
        remote_env.reach("gone", config)


def test_server_alive_gives_up_on_a_frozen_server(remote_env: RemoteEnv,
                                                  sshd_host: SshdHost) -> None:
    remote_env.trust_user(sshd_host)
    remote_env.ssh_config.write_text(host_block(
        sshd_host, extra="  ServerAliveInterval 1\n  ServerAliveCountMax 2\n"))
    endpoint = resolve_endpoint(HostSpec("h1", "web", identity_file=str(remote_env.client_key)),
                                ssh_config=remote_env.ssh_config)
    connection = connect(endpoint, SshOptions(KnownHosts(), ssh_config=remote_env.ssh_config))
    frozen: list[int] = []
    try:
        assert connection.run("echo alive").output.strip() == "alive"
        assert sshd_host.process is not None
        for pid in descendants(sshd_host.process.pid):  # the session's sshd processes
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
                frozen.append(pid)
        for _ in range(300):  # the keepalives notice within about 3 s
            if not connection.alive:
                break
            time.sleep(0.1)
        with pytest.raises(ConnectError, match="no answer to ServerAliveCountMax keepalives"):
            connection.run("echo never")
    finally:
        for pid in frozen:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        connection.close()


def test_algorithms_address_family_bind_address_compression(remote_env: RemoteEnv,
                                                            sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    remote_env.trust_user(host)
    remote_env.ssh_config.write_text(host_block(
        host, extra="  Ciphers aes256-ctr\n  BindAddress 127.0.0.2\n  Compression yes\n"))
    endpoint = resolve_endpoint(HostSpec("h1", "web", identity_file=str(remote_env.client_key)),
                                ssh_config=remote_env.ssh_config)
    connection = connect(endpoint, SshOptions(KnownHosts(), ssh_config=remote_env.ssh_config))
    try:
        transport = connection.client.get_transport()
        assert transport is not None
        assert transport.local_cipher == "aes256-ctr" == transport.remote_cipher
        assert connection.run("echo $SSH_CLIENT").output.split()[0] == "127.0.0.2"
        assert transport.local_compression in ("zlib", "zlib@openssh.com")
    finally:
        connection.close()
    with pytest.raises(ConnectError, match=r"cannot resolve 127.0.0.1 \(AddressFamily inet6\)"):
        remote_env.reach("web", host_block(host, extra="  AddressFamily inet6\n"))


def free_closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: connecting is refused


@contextlib.contextmanager
def full_listener() -> Iterator[int]:
    """A port whose accept queue is full: a new connection waits for its SYN to be answered."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    try:
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
            fillers.append(filler)
        time.sleep(0.2)
        yield port
    finally:
        for filler in fillers:
            filler.close()
        server.close()

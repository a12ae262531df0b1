"""ssh_config(5) read as ssh reads it: Include, tokens, Match, the system file, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.inventory import HostSpec
from tui.core.remote import ssh_paths
from tui.core.remote.errors import SshConfigError
from tui.core.remote.ssh_config import SshConfig, expand, token_values
from tui.core.remote.ssh_features import FEATURES, features_markdown
from tui.core.remote.ssh_resolve import resolve_endpoint


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    return home


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def lookup(home: Path, alias: str) -> dict[str, object]:
    return SshConfig.load(home / ".ssh" / "config").lookup(alias).values


def test_include_globs_relative_to_dot_ssh_in_lexical_order(home: Path) -> None:
    write(home / ".ssh" / "config.d" / "20-web", "Host web\n  Port 2020\n  User second\n")
    write(home / ".ssh" / "config.d" / "10-web", "Host web\n  Port 1010\n")
    write(home / ".ssh" / "config", "Include config.d/*\nHost *\n  User fallback\n")

    found = lookup(home, "web")
    assert found["port"] == "1010"  # first value wins, files in lexical order
    assert found["user"] == "second"
    assert lookup(home, "other")["user"] == "fallback"


def test_include_inside_a_host_block_is_conditional(home: Path) -> None:
    write(home / ".ssh" / "work.conf", "Port 2222\nHost db\n  User dba\n")
    write(home / ".ssh" / "config",
          "Host *.work\n  Include ~/.ssh/work.conf\n  User worker\nHost *\n  Port 22\n")

    assert lookup(home, "web.work")["port"] == "2222"
    # Lines after the Include belong to the includer's block again.
    assert lookup(home, "web.work")["user"] == "worker"
    # The included Host db holds only inside Host *.work (both must match).
    assert lookup(home, "db")["port"] == "22" and "user" not in lookup(home, "db")


def test_include_at_the_top_does_not_capture_what_follows(home: Path) -> None:
    write(home / ".ssh" / "hosts.conf", "Host web\n  HostName 10.0.0.5\n")
    write(home / ".ssh" / "config", "Include hosts.conf\nUser everyone\n")
    assert lookup(home, "db")["user"] == "everyone"
    assert lookup(home, "web")["hostname"] == "10.0.0.5"


def test_include_loop_is_refused_by_name(home: Path) -> None:
    write(home / ".ssh" / "config", "Include config\n")
    with pytest.raises(SshConfigError, match="Include nested more than 16 deep"):
        SshConfig.load(home / ".ssh" / "config")


def test_system_file_comes_after_the_users_and_includes_from_etc_ssh(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    system = tmp_path / "etc-ssh"
    monkeypatch.setattr(ssh_paths, "SYSTEM_SSH_DIR", system)
    write(system / "ssh_config.d" / "local.conf", "Host *\n  HashKnownHosts yes\n")
    write(system / "ssh_config", "Include ssh_config.d/*.conf\nHost *\n  Port 2200\n  User sys\n")
    write(home / ".ssh" / "config", "Host web\n  User mine\n")

    endpoint = resolve_endpoint(HostSpec("h", "web"), ssh_config=home / ".ssh" / "config")

    assert (endpoint.user, endpoint.port) == ("mine", 2200)
    assert endpoint.settings.hash_known_hosts


def test_match_criteria_paramiko_does_not_know_are_refused(home: Path) -> None:
    write(home / ".ssh" / "config", "Match localnetwork 10.0.0.0/8\n  ProxyJump bastion\n")
    with pytest.raises(SshConfigError) as refused:
        SshConfig.load(home / ".ssh" / "config")
    assert str(refused.value) == (f"ssh_config option Match localnetwork is not supported "
                                  f"({home}/.ssh/config:1)")


def test_match_host_sees_the_hostname_and_exec_runs(home: Path) -> None:
    flag = home / "flag"
    write(home / ".ssh" / "config",
          "Host web\n  HostName 10.0.0.5\n"
          f"Match host 10.0.0.5 exec \"test -f {flag}\"\n  Port 2222\n"
          "Match originalhost web\n  User webadmin\n")
    assert lookup(home, "web")["user"] == "webadmin"
    assert "port" not in lookup(home, "web")
    flag.write_text("")
    assert lookup(home, "web")["port"] == "2222"


def test_tokens_per_keyword() -> None:
    tokens = token_values(alias="web", hostname="10.0.0.5", port=2222, user="root")
    assert expand("hostname", "%h.example.org", {"%": "%", "h": "web"}) == "web.example.org"
    assert expand("proxycommand", "nc %h %p # %r %n 100%%", tokens) == \
        "nc 10.0.0.5 2222 # root web 100%"
    assert expand("userknownhostsfile", "~/kh/%k-%p", tokens) == \
        str(Path.home() / "kh" / "web-2222")
    with pytest.raises(SshConfigError, match="token %d is not supported here"):
        expand("proxycommand", "nc %d", tokens)
    with pytest.raises(SshConfigError, match="a lone %"):
        expand("hostname", "web%", {"%": "%", "h": "web"})


def test_environment_variables_in_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = token_values(alias="web", hostname="web", port=22, user="root")
    monkeypatch.setenv("KEYS", "/keys")
    assert expand("identityfile", "${KEYS}/%h", tokens) == "/keys/web"
    monkeypatch.delenv("KEYS")
    with pytest.raises(SshConfigError, match="environment variable KEYS is not set"):
        expand("identityfile", "${KEYS}/%h", tokens)


def test_resolution_of_user_port_hostname_identities(home: Path) -> None:
    write(home / ".ssh" / "config",
          "Host web\n  HostName %h.example.org\n  Port 2222\n  User deploy\n"
          "  IdentityFile ~/.ssh/id_%h_%r\n  CertificateFile ~/.ssh/a-cert.pub\n"
          "  CertificateFile ~/.ssh/b-cert.pub\n  IdentitiesOnly yes\n"
          "  ServerAliveInterval 5\n  ServerAliveCountMax 2\n  ConnectTimeout 7\n")
    config = home / ".ssh" / "config"

    endpoint = resolve_endpoint(HostSpec("h", "web"), ssh_config=config)

    assert (endpoint.hostname, endpoint.port, endpoint.user) == ("web.example.org", 2222, "deploy")
    assert endpoint.key_filenames == (str(home / ".ssh" / "id_web.example.org_deploy"),)
    settings = endpoint.settings
    assert settings.certificate_files == (str(home / ".ssh" / "a-cert.pub"),
                                          str(home / ".ssh" / "b-cert.pub"))
    assert settings.identities_only and settings.connect_timeout == 7.0
    assert (settings.server_alive_interval, settings.server_alive_count_max) == (5, 2)
    # The inventory's keys win, as ssh's command line does.
    pinned = resolve_endpoint(HostSpec("h", "web", port=22, user="root"), ssh_config=config)
    assert (pinned.port, pinned.user) == (22, "root")


def test_proxy_command_and_proxy_jump_first_one_wins(home: Path) -> None:
    config = write(home / ".ssh" / "config",
                   "Host a\n  ProxyCommand nc %h %p\nHost b\n  ProxyJump bastion:2200\n"
                   "Host * !bastion !jump\n  ProxyJump jump\n  ProxyCommand ssh -W %h:%p gate\n")
    a = resolve_endpoint(HostSpec("h", "a"), ssh_config=config)
    assert a.settings.proxy_command == "nc %h %p" and a.jumps == ()
    b = resolve_endpoint(HostSpec("h", "b"), ssh_config=config)
    assert b.settings.proxy_command is None
    assert [(j.hostname, j.port) for j in b.jumps] == [("bastion", 2200)]
    other = resolve_endpoint(HostSpec("h", "other"), ssh_config=config)
    assert other.settings.proxy_command is None
    assert [(j.hostname, j.port) for j in other.jumps] == [("jump", 22)]
    write(config, "Host c\n  ProxyCommand none\n  ProxyJump none\n")
    c = resolve_endpoint(HostSpec("h", "c"), ssh_config=config)
    assert c.settings.proxy_command is None and c.jumps == ()


@pytest.mark.parametrize(("line", "named"), [
    ("BindInterface eth1", "BindInterface"),
    ("KnownHostsCommand /usr/local/bin/keys %H", "KnownHostsCommand"),
    ("RevokedHostKeys ~/.ssh/revoked.krl", "RevokedHostKeys"),
    ("PKCS11Provider /usr/lib/opensc-pkcs11.so", "PKCS11Provider"),
    ("PubkeyAuthentication no", "PubkeyAuthentication"),
    ("PreferredAuthentications password", "PreferredAuthentications"),
    ("ProxyUseFdpass yes", "ProxyUseFdpass"),
])
def test_unsupported_options_are_named_not_a_dns_error(home: Path, line: str, named: str) -> None:
    config = write(home / ".ssh" / "config",
                   f"Host web\n  HostName web.invalid\n  {line}\n")
    with pytest.raises(SshConfigError) as refused:
        resolve_endpoint(HostSpec("h", "web"), ssh_config=config)
    message = str(refused.value)
    assert message.startswith(f"ssh_config option {named} is not supported: ")
    assert f"applies to web ({config}:3)" in message
    assert refused.value.code == "AP014"
    # Values that change nothing are fine.
    write(config, "Host web\n  KnownHostsCommand none\n  PreferredAuthentications "
                  "gssapi-with-mic,publickey\n  ControlMaster auto\n  GSSAPIAuthentication yes\n")
    assert resolve_endpoint(HostSpec("h", "web"), ssh_config=config).hostname == "web"


def test_algorithm_lists_become_what_paramiko_must_not_offer(home: Path) -> None:
    config = write(home / ".ssh" / "config",
                   "Host a\n  Ciphers aes256-ctr,aes128-gcm@openssh.com\n"
                   "  KexAlgorithms -ecdh-sha2-*\n  MACs +hmac-sha1\n"
                   "Host b\n  Ciphers chacha20-poly1305@openssh.com\n")
    disabled = dict(resolve_endpoint(HostSpec("h", "a"), ssh_config=config)
                    .settings.disabled_algorithms)
    assert "aes256-ctr" not in disabled["ciphers"] and "aes128-ctr" in disabled["ciphers"]
    assert "aes128-gcm@openssh.com" not in disabled["ciphers"]
    assert set(disabled["kex"]) == {"ecdh-sha2-nistp256", "ecdh-sha2-nistp384",
                                    "ecdh-sha2-nistp521"}
    assert "macs" not in disabled
    with pytest.raises(SshConfigError, match="paramiko supports none of these"):
        resolve_endpoint(HostSpec("h", "b"), ssh_config=config)


def test_every_keyword_in_the_table_once() -> None:
    names = [f.keyword.lower() for f in FEATURES]
    assert len(names) == len(set(names))
    table = features_markdown()
    assert "| StrictHostKeyChecking | honoured |" in table
    assert "| known_hosts: `@revoked` | honoured |" in table


def test_docs_show_the_feature_table() -> None:
    from tests.plugins.shared_corpus import REPO_ROOT

    table = features_markdown()
    for page in (REPO_ROOT / "README.md", REPO_ROOT / "docs" / "apply.md"):
        assert table in page.read_text(), f"{page.name}: regenerate the ssh_config table"


def test_canonical_host_names_as_paramiko_resolves_them(home: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def resolve(name: str) -> str:
        if name == "web.example.test":
            return "192.0.2.10"
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "gethostbyname", resolve)
    config = write(home / ".ssh" / "config",
                   "CanonicalizeHostname yes\nCanonicalDomains other.test example.test\n"
                   "Match canonical host web.example.test\n  Port 2200\n")
    endpoint = resolve_endpoint(HostSpec("h", "web"), ssh_config=config)
    assert (endpoint.hostname, endpoint.port) == ("web.example.test", 2200)
    write(config, "CanonicalizeHostname yes\nCanonicalDomains other.test\n"
                  "CanonicalizeFallbackLocal no\n")
    with pytest.raises(SshConfigError, match="not found in CanonicalDomains"):
        resolve_endpoint(HostSpec("h", "web"), ssh_config=config)

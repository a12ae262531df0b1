"""known_hosts as sshd(8) defines it, and the host key policy of ssh_config, against real sshd."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import paramiko
import pytest

from tests.plugins.sshd_hosts import SSH_KEYGEN, RemoteEnv, SshdFarm, SshdHost, keygen
from tui.core.remote import ssh_paths
from tui.core.remote.errors import HostKeyError
from tui.core.remote.hostkeys import HostKeyFiles, KnownHosts
from tui.core.remote.known_hosts import hash_name, host_field_matches, lookup, read_lines

Hosts = Callable[[int], list[SshdHost]]


def key_text(host: SshdHost) -> str:
    return " ".join(host.host_key_pub.split()[:2])


def name_of(host: SshdHost) -> str:
    return f"[127.0.0.1]:{host.port}"


# -- the format --------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "name", "expected"), [
    ("web1,10.0.0.5", "10.0.0.5", True),
    ("web1,10.0.0.5", "10.0.0.6", False),
    ("*.example.org", "WEB1.Example.org", True),  # names compare case-insensitively
    ("*.example.org,!bad.example.org", "bad.example.org", False),  # a negation vetoes
    ("*.example.org,!bad.example.org", "good.example.org", True),
    ("!bad.example.org", "good.example.org", False),  # a negation alone matches nothing
    ("[10.0.0.5]:2222", "[10.0.0.5]:2222", True),  # brackets are literal, not a class
    ("[10.0.0.5]:2222", "10.0.0.5", False),
    ("[10.0.0.*]:2222", "[10.0.0.7]:2222", True),
    ("web?", "web1", True),
    ("web?", "web12", False),
])
def test_host_patterns(field: str, name: str, expected: bool) -> None:
    assert host_field_matches(field, name) is expected


def test_hashed_names_match_only_their_name() -> None:
    hashed = hash_name("[10.0.0.7]:2222")
    assert hashed.startswith("|1|") and "10.0.0.7" not in hashed
    assert host_field_matches(hashed, "[10.0.0.7]:2222")
    assert not host_field_matches(hashed, "10.0.0.7")
    # paramiko's own hashing agrees (it is what ssh-keygen -H writes)
    assert host_field_matches(paramiko.HostKeys.hash_host("web1"), "web1")


def test_markers_and_odd_lines_are_read_as_ssh_reads_them(tmp_path: Path) -> None:
    key, ca, bad = (paramiko.ECDSAKey.generate() for _ in range(3))
    entry = f"{key.get_name()} {key.get_base64()}"
    known = tmp_path / "known_hosts"
    known.write_text(
        "# comment\n\n"
        f"@cert-authority *.example.org {ca.get_name()} {ca.get_base64()}\n"
        f"@revoked * {bad.get_name()} {bad.get_base64()}\n"
        f"@unknown-marker web1 {entry}\n"
        "web1 sk-ssh-ed25519@openssh.com AAAAnot-a-key\n"
        "web1 ssh-ed25519 %%%not-base64\n"
        "web1\n"
        f"web1,web2 {entry} comment with spaces\n")

    assert [line.number for line in read_lines(known)] == [3, 4, 9]
    found = lookup([known], "web1.example.org")
    assert [line.number for line in found.authorities] == [3]
    assert [line.number for line in found.revoked] == [4]
    assert found.keys == ()
    web1 = lookup([known], "web1")
    assert [line.where for line in web1.keys] == [f"{known}:9"]
    assert web1.revoked_line(bad) is not None and web1.known_line(key) is not None


def test_fifo_and_missing_files_read_as_empty(tmp_path: Path) -> None:
    fifo = tmp_path / "known_hosts_fifo"
    os.mkfifo(fifo)
    assert read_lines(fifo) == []  # would block if opened
    assert read_lines(tmp_path / "absent") == []


def test_recording_never_replaces_a_device_node_or_fifo(tmp_path: Path) -> None:
    key = paramiko.ECDSAKey.generate()
    device = tmp_path / "null-like"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path in (device, fifo):
        outcome = HostKeyFiles((path,), path).record("web1", key, hashed=False)
        assert outcome == f"not recorded: {path} is not a regular file"
    assert stat.S_ISCHR(device.stat().st_mode) and stat.S_ISFIFO(fifo.stat().st_mode)


def test_recording_creates_a_private_file_and_hashes_on_request(tmp_path: Path) -> None:
    key = paramiko.ECDSAKey.generate()
    target = tmp_path / "new" / "known_hosts"
    files = HostKeyFiles((target,), target)
    assert files.record("[10.0.0.7]:2222", key, hashed=True) == f"recorded in {target}"
    text = target.read_text()
    assert text.startswith("|1|") and "10.0.0.7" not in text
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert files.where("[10.0.0.7]:2222", key) == f"{target}:1"
    assert files.record("[10.0.0.7]:2222", key, hashed=True) == f"already in {target}"
    assert target.read_text() == text


# -- against sshd ------------------------------------------------------------------------

def test_a_cert_authority_line_no_longer_fails_every_host(remote_env: RemoteEnv,
                                                          sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    ca = keygen(remote_env.root / "ca").split()
    remote_env.user_known_hosts.write_text(
        f"@cert-authority *.example.org {ca[0]} {ca[1]}\n"
        f"@revoked *.old.example.org {ca[0]} {ca[1]}\n"
        + host.known_hosts_line())

    assert remote_env.reach("127.0.0.1", port=host.port) == "reached"


def test_a_host_known_only_through_a_cert_authority_is_unknown_with_a_note(
        remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    ca = keygen(remote_env.root / "ca").split()
    remote_env.user_known_hosts.write_text(f"@cert-authority [127.0.0.*]:* {ca[0]} {ca[1]}\n")

    with pytest.raises(HostKeyError) as refused:
        remote_env.reach("127.0.0.1", port=host.port)

    assert refused.value.code == "AP001"
    assert f"{remote_env.user_known_hosts}:1 trusts a certificate authority" in refused.value.hint


def test_a_revoked_key_is_refused_even_where_another_file_lists_it(
        remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    remote_env.trust(host)  # the inventory's file lists the key
    remote_env.user_known_hosts.write_text(f"# revoked after a leak\n@revoked * {key_text(host)}\n")

    with pytest.raises(HostKeyError) as refused:
        remote_env.reach("127.0.0.1", port=host.port,
                         known_hosts=KnownHosts.for_inventory(remote_env.known_hosts),
                         accept_host_key=lambda *a: True)

    assert refused.value.code == "AP002" and "REVOKED" in refused.value.message
    assert refused.value.hint.endswith(f"{remote_env.user_known_hosts}:2 marks this key @revoked")


def test_wildcard_and_negated_patterns(remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    remote_env.user_known_hosts.write_text(f"other,[127.0.0.?]:{host.port} {key_text(host)}\n")
    assert remote_env.reach("127.0.0.1", port=host.port) == "reached"

    remote_env.user_known_hosts.write_text(f"[127.0.0.*]:*,!{name_of(host)} {key_text(host)}\n")
    with pytest.raises(HostKeyError) as refused:
        remote_env.reach("127.0.0.1", port=host.port)
    assert refused.value.code == "AP001"


def test_user_known_hosts_files_with_tilde_and_tokens(remote_env: RemoteEnv,
                                                      sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    (remote_env.home / "kh").mkdir()
    per_host = remote_env.home / "kh" / f"127.0.0.1-{host.port}-root"
    per_host.write_text(host.known_hosts_line())
    config = (f"Host web\n  HostName 127.0.0.1\n  Port {host.port}\n"
              "  UserKnownHostsFile ~/kh/first \"~/kh/%h-%p-%r\"\n")

    assert remote_env.reach("web", config) == "reached"

    # The key is not in ~/.ssh/known_hosts: that file is not read when others are named.
    remote_env.user_known_hosts.write_text(host.known_hosts_line())
    per_host.unlink()
    with pytest.raises(HostKeyError):
        remote_env.reach("web", config)

    # accept-new records in the first file named.
    config += "  StrictHostKeyChecking accept-new\n"
    notes: list[str] = []
    assert remote_env.reach("web", config, notify=notes.append) == "reached"
    assert (remote_env.home / "kh" / "first").read_text() == host.known_hosts_line()
    assert notes and "StrictHostKeyChecking accept-new" in notes[0]


def test_global_known_hosts_default_and_configured(remote_env: RemoteEnv, sshd_hosts: Hosts,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (host,) = sshd_hosts(1)
    system = remote_env.root / "etc-ssh"
    system.mkdir()
    monkeypatch.setattr(ssh_paths, "SYSTEM_SSH_DIR", system)
    (system / "ssh_known_hosts").write_text(host.known_hosts_line())
    assert remote_env.reach("127.0.0.1", port=host.port) == "reached"

    (system / "ssh_known_hosts").unlink()
    team = remote_env.home / "team_known_hosts"
    team.write_text(host.known_hosts_line())
    config = (f"Host web\n  HostName 127.0.0.1\n  Port {host.port}\n"
              "  GlobalKnownHostsFile ~/nowhere ~/team_known_hosts\n")
    assert remote_env.reach("web", config) == "reached"


def test_strict_host_key_checking_modes(remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    asked: list[str] = []

    def ask(name: str, key_type: str, fingerprint: str) -> bool:
        asked.append(name)
        return True

    def config(mode: str) -> str:
        return (f"Host web\n  HostName 127.0.0.1\n  Port {host.port}\n"
                f"  StrictHostKeyChecking {mode}\n")

    with pytest.raises(HostKeyError) as refused:
        remote_env.reach("web", config("yes"), accept_host_key=ask)
    assert asked == [] and "StrictHostKeyChecking yes" in refused.value.hint

    with pytest.raises(HostKeyError) as refused:
        remote_env.reach("web", config("no"))
    assert "StrictHostKeyChecking no, which leap-tui refuses" in refused.value.hint
    assert not remote_env.user_known_hosts.exists()

    assert remote_env.reach("web", config("ask"), accept_host_key=ask) == "reached"
    assert asked == [name_of(host)]
    assert remote_env.user_known_hosts.read_text() == host.known_hosts_line()

    # A changed key is refused whatever the mode.
    other = keygen(remote_env.root / "impostor").split()
    remote_env.user_known_hosts.write_text(f"{name_of(host)} {other[0]} {other[1]}\n")
    for mode in ("accept-new", "no"):
        with pytest.raises(HostKeyError) as changed:
            remote_env.reach("web", config(mode), accept_host_key=ask)
        assert changed.value.code == "AP002"


def test_the_command_line_accept_new_overrides_ssh_config(remote_env: RemoteEnv,
                                                          sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    config = f"Host web\n  HostName 127.0.0.1\n  Port {host.port}\n  StrictHostKeyChecking yes\n"
    assert remote_env.reach("web", config, strict_host_key_checking="accept-new") == "reached"
    assert remote_env.user_known_hosts.read_text() == host.known_hosts_line()


def test_hash_known_hosts_records_a_hashed_name(remote_env: RemoteEnv,
                                                sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    config = (f"Host web\n  HostName 127.0.0.1\n  Port {host.port}\n"
              "  StrictHostKeyChecking accept-new\n  HashKnownHosts yes\n")
    assert remote_env.reach("web", config) == "reached"
    recorded = remote_env.user_known_hosts.read_text()
    assert recorded.startswith("|1|") and "127.0.0.1" not in recorded
    assert recorded.split()[1:] == host.host_key_pub.split()[:2]
    # Found again by its hashed name, even under StrictHostKeyChecking yes.
    assert remote_env.reach("web", config.replace("accept-new", "yes")) == "reached"


def test_batch_mode_never_asks(remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    asked: list[str] = []
    config = f"Host web\n  HostName 127.0.0.1\n  Port {host.port}\n  BatchMode yes\n"
    with pytest.raises(HostKeyError):
        remote_env.reach("web", config, accept_host_key=lambda *a: bool(asked.append("x")))
    assert asked == []


def test_host_key_alias_names_the_known_hosts_entry(remote_env: RemoteEnv,
                                                    sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    remote_env.user_known_hosts.write_text(f"web-prod {key_text(host)}\n")
    config = f"Host web\n  HostName 127.0.0.1\n  Port {host.port}\n  HostKeyAlias web-prod\n"
    assert remote_env.reach("web", config) == "reached"


@pytest.mark.parametrize(("principals", "validity", "revoke_ca", "problem"), [
    ("127.0.0.1,web1.example.org", "-5m:+1h", False, None),
    ("", "-5m:+1h", False, None),  # no principal: good for any host, as in ssh
    ("web1.example.org", "-5m:+1h", False, "names web1.example.org, not 127.0.0.1"),
    ("127.0.0.1", "20200101:20200102", False, "not valid now"),
    ("127.0.0.1", "-5m:+1h", True, "certificate authority is @revoked"),
])
def test_host_certificates_signed_by_a_trusted_authority(
        remote_env: RemoteEnv, sshd_farm: SshdFarm, principals: str, validity: str,
        revoke_ca: bool, problem: str | None) -> None:
    ca = remote_env.root / "host_ca"
    ca_pub = keygen(ca).split()

    def certify(directory: Path) -> str:
        key = directory / "ssh_host_ed25519_key"
        names = ["-n", principals] if principals else []
        subprocess.run([str(SSH_KEYGEN), "-q", "-s", str(ca), "-h", "-I", "host", *names,
                        "-V", validity, f"{key}.pub"], check=True, capture_output=True)
        return f"HostCertificate {key}-cert.pub\n"

    host = sshd_farm.start_host(certify)
    try:
        lines = f"@cert-authority [127.0.0.1]:*,web*.example.org {ca_pub[0]} {ca_pub[1]}\n"
        if revoke_ca:
            lines += f"@revoked * {ca_pub[0]} {ca_pub[1]}\n"
        remote_env.user_known_hosts.write_text(lines)
        if problem is None:
            assert remote_env.reach("127.0.0.1", port=host.port) == "reached"
            # Trusted through the authority: nothing recorded (as ssh).
            assert remote_env.user_known_hosts.read_text() == lines
        else:
            with pytest.raises(HostKeyError) as refused:
                remote_env.reach("127.0.0.1", port=host.port)
            assert refused.value.code == "AP001" and problem in refused.value.hint
    finally:
        host.stop()

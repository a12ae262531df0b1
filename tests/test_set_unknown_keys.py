"""`set` and keys the servers do not read: Clace's unknown keys and sections are refused
(the server would ignore them silently) unless --force; a LEAP key one edit away from a
known property draws LP019 (LEAP keeps any key, so it is a warning, never a refusal)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tui.cli import main
from tui.core.key_names import builtin_leap_paths, clace_key_problem, near_misses, one_edit_apart

MINIMAL = Path(__file__).parent / "data" / "leap_minimal"
CLACE = '[http]\nhost = "127.0.0.1"\nport = 25222\n'


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def clace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "clace.toml"
    path.write_text(CLACE)
    return path


@pytest.fixture
def provider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "provider"
    shutil.copytree(MINIMAL, root)
    return root


@pytest.mark.parametrize(("key", "said"), [
    ("nosuch.key", "[nosuch] is not a Clace section"),
    ("http.prot", "[http] has no key 'prot'"),
    ("port", "the top level has no key 'port'"),
])
def test_set_refuses_a_clace_key_the_server_does_not_read(
        clace: Path, capsys: pytest.CaptureFixture[str], key: str, said: str) -> None:
    status, _, err = run(capsys, "set", "clace.toml", key, "5")
    assert status == 1
    assert said in err and "(--force writes it anyway)" in err and err.count("\n") == 1
    assert clace.read_text() == CLACE


def test_the_refusal_says_what_was_meant(clace: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(capsys, "set", "clace.toml", "http.prot", "5")
    assert "did you mean http.port?" in err
    _, _, err = run(capsys, "set", "clace.toml", "htps.port", "5")
    assert "did you mean https.port?" in err


def test_force_writes_an_unknown_clace_key(clace: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "set", "clace.toml", "nosuch.key", "5", "--force")
    assert status == 0 and out == "clace.toml: nosuch.key = 5\n"
    assert clace.read_text().endswith("[nosuch]\nkey = 5\n")


@pytest.mark.parametrize("key", ["http.port", "logging.level", 'plugin."store.in".db_connection',
                                 "app_config.action.max_request_body_bytes", "server_url",
                                 "security.admin_over_tcp"])
def test_keys_clace_reads_are_known(key: str) -> None:
    assert clace_key_problem(key) is None


def test_a_leap_near_miss_is_a_warning_and_is_written(
        provider: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "set", "provider/nodes/db1.json", "ssh.prot", "2222")
    assert status == 0 and err == ""
    assert out.splitlines()[0].startswith(
        "provider/nodes/db1.json:8:5: LP019 warning ssh.prot is not a property leap-tui "
        "knows: did you mean ssh.port?")
    assert '"prot": 2222' in (provider / "nodes" / "db1.json").read_text()
    # `check` reports it from then on, at the same place.
    status, out, _ = run(capsys, "check", "--provider", "provider")
    assert "provider/nodes/db1.json:8:5: LP019 warning" in out


def test_near_misses_are_one_edit_from_a_known_path() -> None:
    value = {"ssh": {"prot": 1, "port": 2, "mosh": {"port": "1:2"}}, "ip_adress": "x",
             "tag": [], "location": {"name": "x"}, "api": {"port": 1}, "couch": {"mode": "x"}}
    found = dict(near_misses(value, builtin_leap_paths()))
    assert found == {("ssh", "prot"): "ssh.port", ("ip_adress",): "ip_address",
                     ("tag",): "tags", ("ssh", "mosh", "port"): "ssh.mosh.ports"}
    assert one_edit_apart("prot", "port") and one_edit_apart("port", "ports")
    assert not one_edit_apart("port", "port") and not one_edit_apart("abcd", "badc")


def test_real_providers_have_no_near_miss(shared_dir: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """The corpus's providers (leap_cli's and leap_platform's test providers) use no key
    that LP019 would take for a typo."""
    providers = sorted(p.parent for p in (shared_dir / "corpus" / "leap").glob("*/provider.json"))
    assert providers
    for root in providers:
        main(["check", "--provider", str(root)])
        assert "LP019" not in capsys.readouterr().out, root

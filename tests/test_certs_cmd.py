"""`leap-tui certs` and `leap-tui certs new` through argparse, the way tui/cli.py wires them."""

from __future__ import annotations

import argparse
import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.test_certs_support import ec_key, make_cert, rsa_key, write_pair
from tui.commands import certs_cmd

FINDING_KEYS = {"code", "severity", "message", "file", "path", "line", "column", "hint", "node"}


def json_findings(out: str) -> list[dict[str, object]]:
    document = json.loads(out)
    assert document["schema_version"] == 1 and document["command"] == "certs"
    findings: list[dict[str, object]] = document["findings"]
    return findings


def cli(argv: list[str]) -> int:
    """The top of tui.commands.parser.build_parser with only this subcommand registered."""
    parser = argparse.ArgumentParser(prog="leap-tui")
    parser.add_argument("--clace")
    subparsers = parser.add_subparsers(dest="command")
    certs_cmd.register(subparsers)
    args = parser.parse_args(argv)
    status: int = args.handler(args)
    return status


def healthy_dir(directory: Path) -> Path:
    for name in ("default", "example.com"):
        key = ec_key()
        now = datetime.now(UTC)
        cert = make_cert(key, names=(name if name != "default" else "host.example.net",),
                         not_before=now - timedelta(days=1), days=200)
        write_pair(directory, name, key, cert)
    return directory


def write_clace(path: Path, https: str) -> Path:
    path.write_text(f'[https]\nport = 25224\n{https}\n')
    return path


def test_lists_explains_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    healthy_dir(tmp_path)
    status = cli(["certs", "--dir", str(tmp_path), "--domain", "example.com",
                  "--domain", "www.example.com"])
    out = capsys.readouterr().out
    assert status == 0
    assert f"Certificates in {tmp_path}" in out
    assert "example.com  (crt, key)" in out
    assert "EC P-256 256 bits, matches, mode 0600" in out
    assert f"example.com -> {tmp_path}/example.com.crt [domain]" in out
    assert f"www.example.com -> {tmp_path}/default.crt [default]" in out
    assert "does not name www.example.com" in out
    assert f"(no server name) -> {tmp_path}/default.crt [default]" in out
    assert out.rstrip().endswith("0 errors, 0 warnings, 0 infos")


def test_json_findings_and_exit_1_on_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy_dir(tmp_path)
    write_pair(tmp_path, "bad.example.com", ec_key(), make_cert(rsa_key()))
    status = cli(["certs", "--dir", str(tmp_path), "--format", "json"])
    findings = json_findings(capsys.readouterr().out)
    assert status == 1
    assert all(set(f) == FINDING_KEYS for f in findings)
    mismatch = next(f for f in findings if f["code"] == "CE001")
    assert mismatch["severity"] == "error"
    assert mismatch["file"] == f"{tmp_path}/bad.example.com.key"
    assert mismatch["path"] == "bad.example.com" and mismatch["line"] is None


def test_warnings_only_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    healthy_dir(tmp_path)
    (tmp_path / "example.com.key").chmod(0o644)
    assert cli(["certs", "--dir", str(tmp_path), "--format", "json"]) == 0
    assert [f["code"] for f in json_findings(capsys.readouterr().out)] == ["CE005"]


def test_unreadable_input_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["certs", "--dir", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "directory does not exist" in err
    assert cli(["certs"]) == 2
    assert "give --dir DIR or --clace FILE" in capsys.readouterr().err
    assert cli(["certs", "--dir", str(tmp_path), "--domain", "a/b"]) == 2
    assert "not a host name" in capsys.readouterr().err
    broken = tmp_path / "clace.toml"
    broken.write_text("[https\n")
    assert cli(["certs", "--clace", str(broken)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_clace_file_gives_location_and_lookup_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CL_HOME", str(tmp_path))
    certs = healthy_dir(tmp_path / "config" / "certificates")
    clace = write_clace(tmp_path / "clace.toml", 'cert_location = "$CL_HOME/config/certificates"'
                        "\nenable_cert_lookup = false")
    assert cli(["certs", "--clace", str(clace), "--format", "json"]) == 0
    assert [f["code"] for f in json_findings(capsys.readouterr().out)] == ["CE012"]

    assert cli(["--clace", str(clace), "certs", "--domain", "example.com"]) == 0
    out = capsys.readouterr().out
    assert f"Certificates in {certs} (cert_location = $CL_HOME/config/certificates)" in out
    assert "enable_cert_lookup is false" in out


def test_certmagic_from_the_clace_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    certs = healthy_dir(tmp_path / "certs")
    clace = write_clace(tmp_path / "clace.toml",
                        f'cert_location = "{certs}"\nservice_email = "ops@example.com"')
    assert cli(["certs", "--clace", str(clace), "--format", "json"]) == 0
    assert [f["code"] for f in json_findings(capsys.readouterr().out)] == ["CE010"]


def test_unset_variable_in_cert_location_is_explained(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    clace = write_clace(tmp_path / "clace.toml", 'cert_location = "$NOT_SET_ANYWHERE/certs"')
    assert cli(["certs", "--clace", str(clace)]) == 2
    assert "give --dir" in capsys.readouterr().err
    monkeypatch.chdir(tmp_path)
    assert cli(["certs", "--clace", str(clace), "new", "default"]) == 2
    assert "give --dir" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clace.toml"]


def test_cl_home_defaults_to_the_config_directory_as_the_server_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Clace started with a config file and no CL_HOME takes the file's directory."""
    monkeypatch.delenv("CL_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "srv").mkdir()
    clace = write_clace(tmp_path / "srv" / "clace.toml",
                        'cert_location = "$CL_HOME/config/certificates"')
    assert cli(["certs", "--clace", str(clace), "new", "default"]) == 0
    certs = tmp_path / "srv" / "config" / "certificates"
    assert sorted(p.name for p in certs.iterdir()) == ["default.crt", "default.key"]
    assert not any("$" in str(p) for p in tmp_path.rglob("*"))


def test_dir_overrides_the_clace_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    certs = healthy_dir(tmp_path / "copy")
    clace = write_clace(tmp_path / "clace.toml", 'cert_location = "/nonexistent"')
    assert cli(["certs", "--clace", str(clace), "--dir", str(certs)]) == 0
    assert f"Certificates in {certs}" in capsys.readouterr().out


def test_new_creates_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["certs", "new", "example.com", "--dir", str(tmp_path), "--wildcard"]) == 0
    out = capsys.readouterr().out
    assert f"wrote {tmp_path}/example.com.crt (0644) and {tmp_path}/example.com.key (0600)" in out
    assert "SANs example.com, *.example.com" in out
    assert "exact server name" in out
    key = tmp_path / "example.com.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    before = key.read_bytes()

    assert cli(["certs", "new", "example.com", "--dir", str(tmp_path)]) == 1
    assert "--force" in capsys.readouterr().err
    assert key.read_bytes() == before

    assert cli(["certs", "new", "example.com", "--dir", str(tmp_path), "--force"]) == 0
    assert key.read_bytes() != before


def test_new_default_into_the_clace_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CL_HOME", str(tmp_path))
    clace = write_clace(tmp_path / "clace.toml", 'cert_location = "$CL_HOME/config/certificates"')
    assert cli(["--clace", str(clace), "certs", "new", "default", "--san", "192.0.2.7"]) == 0
    certs = tmp_path / "config" / "certificates"
    assert (certs / "default.crt").exists() and (certs / "default.key").exists()
    assert "SANs 192.0.2.7" in capsys.readouterr().out
    # and the listing is now clean: no CE007 (no default) nor CE009 (no SAN)
    assert cli(["certs", "--clace", str(clace), "--format", "json"]) == 0
    assert json_findings(capsys.readouterr().out) == []


def test_options_before_new_are_kept(tmp_path: Path) -> None:
    assert cli(["certs", "--dir", str(tmp_path), "new", "example.com"]) == 0
    assert (tmp_path / "example.com.crt").exists()


def test_new_with_a_bad_name_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["certs", "new", "10.0.0.1", "--dir", str(tmp_path)]) == 2
    assert "no server name" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []

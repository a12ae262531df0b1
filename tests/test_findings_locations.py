"""Every command prints findings through the one formatter (tui/commands/findings_out.py):
the path relative to the current directory, then line:column; a finding about a whole
file (a missing provider.json) as ``path: CODE ...``. Errors name files the same way."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tui.cli import main
from tui.commands import common, output

MINIMAL = Path(__file__).parent / "data" / "leap_minimal"
LP001 = ("provider/nodes/web1.json:5:5: LP001 error ssh.port = 0 is not a port (an integer "
         "in 1..65535) (write an integer between 1 and 65535)")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def provider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CL_CONFIG_FILE", raising=False)
    monkeypatch.delenv("CL_HOME", raising=False)
    monkeypatch.setenv("LEAP_TUI_STATE_DIR", str(tmp_path / "state"))
    root = tmp_path / "provider"
    shutil.copytree(MINIMAL, root)
    return root


def test_set_prints_findings_as_check_does(provider: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    # web1.json: {"ip_address": ..., "services": [...]}; "ssh": {"port": 0} goes in at 4-6.
    status, out, err = run(capsys, "set", "provider/nodes/web1.json", "ssh.port", "0")
    assert status == 1 and out == LP001 + "\n"  # the line of the text it refused to write
    assert err == ("leap-tui: not written: the change to provider/nodes/web1.json adds an "
                   "error (--force writes it anyway)\n")
    assert run(capsys, "set", "provider/nodes/web1.json", "ssh.port", "0", "--force")[0] == 0
    status, out, _ = run(capsys, "check", "--provider", "provider")
    assert status == 1 and out == LP001 + "\n"


def test_apply_refusal_prints_findings_as_check_does(
        provider: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "set", "provider/nodes/web1.json", "ssh.port", "0", "--force")[0] == 0
    inventory = tmp_path / "hosts.toml"
    inventory.write_text('[[host]]\nname = "web1"\naddress = "192.0.2.1"\n'
                         '[[host.file]]\nsource = "nodes/web1.json"\n'
                         'target = "/srv/provider/nodes/web1.json"\n')
    status, out, err = run(capsys, "apply", "--provider", "provider", "--inventory",
                           "hosts.toml", "--yes")
    assert status == 1 and out == ""
    assert err == (LP001 + "\nRefusing to apply: `leap-tui check` finds 1 error(s) in these "
                   "files. Fix them, or give --allow-errors.\n")  # whole lines, never wrapped


def test_a_missing_file_is_a_file_level_finding(provider: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (provider / "provider.json").unlink()
    status, out, _ = run(capsys, "check", "--provider", "provider")
    assert status == 1
    assert out.startswith("provider/provider.json: LP013 error provider.json is missing")
    _, out, _ = run(capsys, "check", "--provider", "provider", "--format", "github")
    assert out.startswith("::error file=provider/provider.json,title=LP013::provider.json is")
    _, out, _ = run(capsys, "check", "--provider", "provider", "--format", "sarif")
    result = json.loads(out)["runs"][0]["results"][0]
    assert result["ruleId"] == "LP013"
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "provider/provider.json", "uriBaseId": "%SRCROOT%"}}


def test_a_file_error_names_the_file_relative_to_here(
        provider: Path, capsys: pytest.CaptureFixture[str]) -> None:
    web1 = provider / "nodes" / "web1.json"
    web1.write_bytes(b"\xef\xbb\xbf" + web1.read_bytes())
    status, _, err = run(capsys, "set", "provider/nodes/web1.json", "ssh.port", "2222")
    assert status == 2
    assert err.startswith("leap-tui: provider/nodes/web1.json:1:1: a byte order mark")
    status, _, err = run(capsys, "check", "--provider", str(provider))
    assert err.startswith("leap-tui: provider/nodes/web1.json:1:1: a byte order mark")


def test_an_option_error_names_no_file(provider: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    (provider.parent / "clace.toml").write_text('[http]\nport = 25222\n')
    status, _, err = run(capsys, "apply", "--clace", "clace.toml", "--dry-run")
    assert status == 2
    assert err.startswith("leap-tui: --inventory FILE is required")
    status, out, _ = run(capsys, "apply", "--clace", "clace.toml", "--dry-run", "--format",
                         "json")
    assert json.loads(out)["file"] is None


def test_one_fail_for_every_command() -> None:
    """One way to report what stops a command (output.fail), not a near-copy beside it."""
    assert not hasattr(common, "fail") and not hasattr(common, "fail_input")
    assert callable(output.fail) and callable(output.fail_input)

"""Smaller things a new operator met on the command line: $CL_CONFIG_FILE naming something
odd, CI formats on exit 2, exporting into a symbolic link to a directory."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tui.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CL_HOME", raising=False)
    monkeypatch.delenv("CL_CONFIG_FILE", raising=False)
    return tmp_path


def test_cl_config_file_naming_a_fifo_or_nothing_says_what_is_wrong(
        here: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    os.mkfifo(here / "fifo.toml")
    monkeypatch.setenv("CL_CONFIG_FILE", str(here / "fifo.toml"))
    status, _, err = run(capsys, "check")
    assert status == 2
    assert err.splitlines() == [f"leap-tui: using {here / 'fifo.toml'} ($CL_CONFIG_FILE)",
                                "leap-tui: fifo.toml: not a regular file: a FIFO (named pipe)"]
    monkeypatch.setenv("CL_CONFIG_FILE", str(here / "gone.toml"))
    status, _, err = run(capsys, "check")
    assert status == 2 and err.endswith("leap-tui: gone.toml: no such file\n")
    assert "nothing to check" not in err


def test_github_and_sarif_report_exit_2_where_ci_looks(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / "clace.toml").write_text('[http]\nport = "80\n')
    status, out, err = run(capsys, "check", "--clace", "clace.toml", "--format", "github")
    assert status == 2 and err.startswith("leap-tui: clace.toml:2:")
    assert out.startswith("::error file=clace.toml,line=2,col=")
    assert out.count("\n") == 1 and ",title=leap-tui::" in out

    status, out, _ = run(capsys, "check", "--clace", "clace.toml", "--format", "sarif")
    assert status == 2
    (run_,) = json.loads(out)["runs"]
    assert run_["results"] == []
    (invocation,) = run_["invocations"]
    assert invocation["executionSuccessful"] is False
    (notice,) = invocation["toolExecutionNotifications"]
    assert notice["level"] == "error" and notice["message"]["text"]
    location = notice["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "clace.toml", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == 2

    status, out, _ = run(capsys, "check", "--format", "github")  # nothing found: no file
    assert status == 2 and out.startswith("::error title=leap-tui::nothing to check")


def test_export_into_a_symbolic_link_to_a_directory(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / "clace.toml").write_text('[http]\nhost = "127.0.0.1"\nport = 25222\n')
    (here / "hosts.toml").write_text('[[host]]\nname = "h0"\naddress = "192.0.2.1"\n'
                                     '[[host.file]]\nsource = "clace"\ntarget = "/x.toml"\n')
    (here / "real").mkdir()
    (here / "link").symlink_to("real")
    args = ["--inventory", "hosts.toml", "--clace", "clace.toml"]
    status, _, err = run(capsys, "export", "ansible", "link", *args)
    assert status == 0, err
    assert (here / "real" / "apply.yml").is_file() and (here / "link").is_symlink()
    (here / "dangling").symlink_to("nowhere")
    status, _, err = run(capsys, "export", "ansible", "dangling", *args)
    assert status == 2 and "a symbolic link to nothing" in err
    (here / "file-link").symlink_to("clace.toml")
    status, _, err = run(capsys, "export", "ansible", "file-link", *args)
    assert status == 2 and "not a directory: a symbolic link to a regular file" in err

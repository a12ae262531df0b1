"""The CLI as a citizen of pipes, scripts and CI: stdout data only, never wrapped; versioned
JSON with an error object on exit 2; check's formats; finding the provider from inside it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.plugins.shared_corpus import REPO_ROOT
from tui.cli import main
from tui.commands.json_doc import JSON_DOC

MINIMAL = Path(__file__).parent / "data" / "leap_minimal"
BROKEN_WEB1 = ('{\n  "ip_address": "10.0.0.1",\n  "services": ["webapp"],\n'
               '  "ssh": {"port": 0}\n}\n')


@pytest.fixture
def provider(tmp_path: Path) -> Path:
    root = tmp_path / "work" / "provider"
    shutil.copytree(MINIMAL, root)
    (root / "nodes" / "web1.json").write_text(BROKEN_WEB1)
    return root


@pytest.fixture(autouse=True)
def no_clace_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CL_CONFIG_FILE", raising=False)
    monkeypatch.delenv("CL_HOME", raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def cli(*argv: str, cwd: Path,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """leap-tui in its own process, stdout a real pipe."""
    return subprocess.run([sys.executable, "-m", "tui.cli", *argv], cwd=cwd, text=True,
                          capture_output=True, env={**os.environ, "PYTHONPATH": str(REPO_ROOT),
                                                    **(env or {})}, check=False)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("leap-tui ")


def test_check_prints_path_line_column_relative_to_here(
        provider: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(provider.parent)
    status, out, err = run(capsys, "check", "--provider", "provider")
    assert status == 1
    assert out == ("provider/nodes/web1.json:4:11: LP001 error ssh.port = 0 is not a port "
                   "(an integer in 1..65535) (write an integer between 1 and 65535)\n")
    assert err.strip() == "1 error, 0 warnings, 0 infos"  # the count is status: stderr


def test_check_finds_the_provider_from_inside_it(
        provider: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(provider / "nodes")
    status, out, err = run(capsys, "check")
    assert status == 1 and out.startswith("web1.json:4:11: LP001 error")
    assert f"using provider {provider.resolve()} (Leapfile in" in err
    assert run(capsys, "ports")[0] == 0


def test_clace_config_from_the_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    home = tmp_path / "clace-home"
    home.mkdir()
    (home / "clace.toml").write_text("[http]\nport = 25300\n[https]\nport = 25300\n")
    monkeypatch.setenv("CL_HOME", str(home))
    status, out, err = run(capsys, "check")
    assert status == 1 and out.startswith("clace-home/clace.toml:4:1: CL006 error")
    assert "($CL_HOME/clace.toml)" in err
    config = tmp_path / "other.toml"
    config.write_text("[http]\nport = 25222\n")
    monkeypatch.setenv("CL_CONFIG_FILE", str(config))
    assert run(capsys, "check")[0] == 0


def test_nothing_found_is_exit_2_with_a_json_error(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for command in ("check", "ports"):
        status, out, err = run(capsys, command, "--format", "json")
        assert status == 2 and "no Leapfile in this directory or above" in err
        error = json.loads(out)
        assert error["schema_version"] == 1 and error["command"] == command
        assert error["error"] in err and error["file"] is None


def test_json_error_objects_on_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "clace.toml"
    bad.write_text("[https\n")
    for argv in (["certs", "--clace", str(bad)], ["certs", "--dir", str(tmp_path / "none")],
                 ["apply", "--inventory", str(tmp_path / "hosts.toml"), "--yes"],
                 ["rollback", "--inventory", str(tmp_path / "hosts.toml"), "--yes"],
                 ["rules", "XX999"]):
        status, out, err = run(capsys, *argv, "--format", "json")
        error = json.loads(out)
        assert status == 2, argv
        assert error["command"] == argv[0] and error["error"] and err.startswith("leap-tui: ")
    status, out, _ = run(capsys, "certs", "--clace", str(bad), "--format", "json")
    # Named as findings name files: relative to the current directory, which holds it.
    assert json.loads(out)["file"] == "clace.toml" and json.loads(out)["line"] == 1


def test_check_json_github_and_sarif(provider: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(provider)
    status, out, _ = run(capsys, "check", "--format", "json")
    document = json.loads(out)
    assert status == 1 and document["schema_version"] == 1
    (finding,) = document["findings"]
    assert (finding["file"], finding["line"], finding["column"]) == ("nodes/web1.json", 4, 11)
    assert finding["node"] == "web1" and document["summary"]["error"] == 1

    status, out, _ = run(capsys, "check", "--format", "github")
    assert out == ("::error file=nodes/web1.json,line=4,col=11,title=LP001::ssh.port = 0 is "
                   "not a port (an integer in 1..65535) (write an integer between 1 and "
                   "65535)\n")

    status, out, _ = run(capsys, "check", "--format", "sarif")
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    (sarif_run,) = sarif["runs"]
    assert [r["id"] for r in sarif_run["tool"]["driver"]["rules"]] == ["LP001"]
    (result,) = sarif_run["results"]
    assert result["level"] == "error" and result["ruleId"] == "LP001"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "nodes/web1.json", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 4, "startColumn": 11}
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == provider.resolve().as_uri() + "/"


def test_github_annotations_escape_what_would_end_them() -> None:
    from tui.commands.findings_out import Located, print_github
    from tui.core.findings import Finding, Severity

    finding = Finding("CL001", Severity.WARNING, "50% done:\nnext", "a,b:c.toml", "", 3)
    import io
    from contextlib import redirect_stdout

    out = io.StringIO()
    with redirect_stdout(out):
        print_github([Located(finding, "a,b:c.toml", 3, None)])
    assert out.getvalue() == ("::warning file=a%2Cb%3Ac.toml,line=3,title=CL001::50%25 done:"
                              "%0Anext\n")


def test_ports_and_history_piped_are_one_record_per_line(provider: Path, tmp_path: Path) -> None:
    long_name = "web-" + "x" * 120
    shutil.copy(provider / "nodes" / "db1.json", provider / "nodes" / f"{long_name}.json")
    done = cli("ports", cwd=provider, env={"COLUMNS": "40"})
    records = [line.split("\t") for line in done.stdout.splitlines()]
    assert done.returncode == 0 and records and all(len(r) == 9 for r in records)
    assert any(r[0] == long_name for r in records)
    assert not done.stderr.startswith("Traceback")

    from tui.core.remote.journal import Journal

    state = tmp_path / "state"
    journal = Journal(state)
    detail = "reload said: " + "y" * 150
    journal.record(run="r1", action="apply", host="web1", path="/etc/" + "z" * 100 + ".toml",
                   before=None, after="a" * 64, backup=None, result="reverted", detail=detail)
    done = cli("history", cwd=tmp_path, env={"COLUMNS": "40", "LEAP_TUI_STATE_DIR": str(state)})
    (record,) = [line.split("\t") for line in done.stdout.splitlines()]
    assert record[1:5] == ["web1", "apply", "/etc/" + "z" * 100 + ".toml", "reverted"]
    assert record[5] == "-" and record[6] == "a" * 64 and record[8] == detail
    done = cli("history", "--format", "json", cwd=tmp_path,
               env={"LEAP_TUI_STATE_DIR": str(state)})
    (entry,) = json.loads(done.stdout)["entries"]
    assert entry["detail"] == detail and entry["backup_restored"] is False


def test_ports_json(provider: Path, capsys: pytest.CaptureFixture[str],
                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(provider)
    status, out, _ = run(capsys, "ports", "--format", "json")
    ports = json.loads(out)["ports"]
    ssh = next(p for p in ports if p["node"] == "db1" and p["name"] == "SSH")
    assert ssh["port"] == 22 and ssh["protocol"] == "tcp" and ssh["address"] == "10.0.0.2"
    assert status == 0 and all(p["conflict"] is False for p in ports)


def test_certs_json_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["certs", "--dir", str(tmp_path), "new", "example.com"]) == 0
    capsys.readouterr()
    status, out, _ = run(capsys, "certs", "--dir", str(tmp_path), "--domain", "example.com",
                         "--format", "json")
    document = json.loads(out)
    assert document["command"] == "certs" and document["cert_dir"] == str(tmp_path)
    (pair,) = document["pairs"]
    assert pair["name"] == "example.com" and pair["key_matches"] is True
    assert pair["crt"]["sans"] == ["example.com"] and pair["key"]["mode"] == "0600"
    served = {s["domain"]: s for s in document["served"]}
    assert served["example.com"]["crt"] == f"{tmp_path}/example.com.crt"
    assert "CE007" in [f["code"] for f in document["findings"]]  # no default pair
    assert status == 0


def test_help_topics_come_from_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    from tui.commands.help_cmd import topics
    from tui.commands.parser import build_parser

    status, out, _ = run(capsys, "help", "check")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["check", "--help"])
    assert status == 0 and out == capsys.readouterr().out
    assert run(capsys, "help", "cl006")[1].startswith("CL006 (Clace server TOML (CL))")
    assert run(capsys, "help", "json")[1] == JSON_DOC
    assert "| StrictHostKeyChecking | honoured |" in run(capsys, "help", "ssh")[1]
    status, _, err = run(capsys, "help", "chek")
    assert status == 2 and "did you mean check" in err
    assert {"apply", "json", "ssh", "AP014"} <= set(topics())
    man = run(capsys, "help", "--man")[1]
    assert man.startswith(".TH LEAP-TUI 1")
    assert all(f".SS leap\\-tui {name}" in man for name in ("check", "apply", "completion"))


def test_json_doc_is_docs_json_md() -> None:
    assert (REPO_ROOT / "docs" / "json.md").read_text() == JSON_DOC


def test_rules_named_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "rules", "ap014", "CL006")
    assert status == 0 and [line.split("\t")[0] for line in out.splitlines()] == ["AP014", "CL006"]
    rules = json.loads(run(capsys, "rules", "--format", "json")[1])["rules"]
    assert {"code": "AP002", "group": "Apply over SSH (AP)"}.items() <= rules[1].items()


def test_dependencies_are_ranges_and_no_unused_extra() -> None:
    import tomllib

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    assert [r for r in requirements if "==" in r or "<" not in r or ">=" not in r] == []
    assert not any("[syntax]" in r for r in requirements)
    # textual[syntax] only serves TextArea's tree-sitter highlighting: nothing uses it.
    sources = [p for d in ("tui", "widgets") for p in (REPO_ROOT / d).rglob("*.py")]
    assert [p.name for p in sources if "TextArea" in p.read_text()] == []

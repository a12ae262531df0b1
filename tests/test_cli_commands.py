"""`leap-tui check/get/set/ports` end to end on real files, and the core pieces behind them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tui.cli import main
from tui.core import sections as sec
from tui.core.clace_config import ClaceConfig
from tui.core.clace_listeners import clace_listener_rows
from tui.core.edit_target import new_findings, open_target
from tui.core.findings import Finding, Severity
from tui.core.workspace import Workspace

MINIMAL = Path(__file__).parent / "data" / "leap_minimal"

CLACE = """\
[metadata]
when = 1979-05-27T07:32:00Z
big = inf

[http]
host = "127.0.0.1"
port = 25222

[https]
host = "0.0.0.0"
port = 25223
"""


@pytest.fixture
def clace(tmp_path: Path) -> Path:
    path = tmp_path / "clace.toml"
    path.write_text(CLACE, encoding="utf-8")
    return path


@pytest.fixture
def provider(tmp_path: Path) -> Path:
    root = tmp_path / "provider"
    shutil.copytree(MINIMAL, root)
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")


# --- get ------------------------------------------------------------------------------------


def test_get_prints_toml_dates_and_inf_as_toml(
    clace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "get", str(clace), "metadata.when") == (
        0, f"1979-05-27T07:32:00Z\t({clace}:2)\n", ""
    )
    status, out, _ = run(capsys, "get", str(clace), "metadata")
    assert status == 0 and out.startswith("{when = 1979-05-27T07:32:00Z, big = inf}\t")
    assert run(capsys, "get", str(clace), "https.port")[1] == f"25223\t({clace}:11)\n"
    assert run(capsys, "get", str(clace), "https.service_email")[1] == '""\t(default)\n'


def test_get_an_unknown_key_says_not_set(clace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "get", str(clace), "nosuch.key")
    assert (status, out) == (1, "")
    assert "nosuch.key: not set" in err


def test_get_shows_an_expression_as_computed(
    provider: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    node = provider / "nodes" / "web1.json"
    write_json(node, {"ip_address": "10.0.0.1", "services": ["webapp"],
                      "api": {"port": "= 4000 + 30"}})
    status, out, _ = run(capsys, "get", str(node), "api.port")
    assert status == 0
    assert out == "computed by leap compile: 4000 + 30\t(nodes/web1.json:7)\n"
    status, out, err = run(capsys, "get", str(node), "no.such")
    assert status == 1 and "no.such: not set in nodes/web1.json" in err


def test_get_names_a_built_in_origin_once(
    provider: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "get", str(provider / "nodes" / "vpn1.json"), "openvpn.ports")
    assert status == 0
    assert out == '["80", "443", "53", "1194"]\t(built-in default: services/openvpn)\n'


# --- set: Clace ------------------------------------------------------------------------------


def test_set_an_inline_table(clace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # metadata.d is no key Clace reads: --force writes it (test_set_unknown_keys.py).
    status, _, err = run(capsys, "set", str(clace), "metadata.d", "{a = 1}", "--force")
    assert (status, err) == (0, "")
    assert "big = inf\nd = {a = 1}\n" in clace.read_text()


def test_set_a_value_toml_cannot_hold_is_one_line(
    clace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tui.core.edit_target.parse_field_value", lambda key, text: object())
    status, _, err = run(capsys, "set", str(clace), "metadata.d", "x")
    assert status == 2 and err.startswith("leap-tui: metadata.d: cannot write")
    assert err.count("\n") == 1
    assert clace.read_text() == CLACE


def test_set_through_a_symlink_changes_the_real_file(
    clace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = clace.parent / "link.toml"
    link.symlink_to(clace.name)
    assert run(capsys, "set", str(link), "https.port", "8443")[0] == 0
    assert link.is_symlink()
    assert "port = 8443" in clace.read_text()


def test_set_refuses_a_read_only_file_unless_forced(
    clace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clace.chmod(0o444)
    status, _, err = run(capsys, "set", str(clace), "https.port", "8443")
    assert status == 1 and "read-only file" in err
    assert clace.read_text() == CLACE
    assert run(capsys, "set", str(clace), "https.port", "8443", "--force")[0] == 0
    assert "port = 8443" in clace.read_text()
    assert clace.stat().st_mode & 0o777 == 0o444


@pytest.mark.parametrize(("key", "text"), [("https.port", "1_000"), ("http.redirect_to_https",
                                                                     "enabled")])
def test_set_refuses_text_the_field_kind_does_not_take(
    clace: Path, capsys: pytest.CaptureFixture[str], key: str, text: str
) -> None:
    status, _, err = run(capsys, "set", str(clace), key, text)
    assert status == 2 and f"{key} takes" in err
    assert clace.read_text() == CLACE


# --- set: LEAP -------------------------------------------------------------------------------


def test_set_a_port_list_item_keeps_strings(
    provider: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    node = provider / "nodes" / "vpn1.json"
    status, _, err = run(capsys, "set", str(node), "openvpn.ports.1", "8443")
    assert (status, err) == (0, "")
    written = json.loads(node.read_text())
    assert written["openvpn"]["ports"] == ["80", "8443", "53", "1194"]
    assert run(capsys, "set", str(node), "openvpn.ports.2", "5353")[0] == 0
    assert json.loads(node.read_text())["openvpn"]["ports"] == ["80", "8443", "5353", "1194"]


def test_set_a_port_list_as_json_or_commas(
    provider: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    node = provider / "nodes" / "vpn1.json"
    assert run(capsys, "set", str(node), "openvpn.ports", "[80, 1194]")[0] == 0
    assert json.loads(node.read_text())["openvpn"]["ports"] == ["80", "1194"]
    assert run(capsys, "set", str(node), "openvpn.ports", "443, 53")[0] == 0
    assert json.loads(node.read_text())["openvpn"]["ports"] == ["443", "53"]
    status, _, err = run(capsys, "set", str(node), "openvpn.ports", "443, dns")
    assert status == 2 and "takes an integer port" in err


@pytest.mark.parametrize("text", ["NaN", "Infinity", "22.5", "ssh", "1_000"])
def test_set_an_integer_key_takes_an_integer(
    provider: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    node = provider / "nodes" / "web1.json"
    before = node.read_bytes()
    status, _, err = run(capsys, "set", str(node), "ssh.port", text)
    assert status == 2 and "ssh.port takes an integer" in err
    assert node.read_bytes() == before


def test_set_a_new_key_rejects_json_constants(
    provider: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    node = provider / "nodes" / "web1.json"
    assert run(capsys, "set", str(node), "custom.ratio", "NaN")[0] == 0
    assert json.loads(node.read_text())["custom"]["ratio"] == "NaN"  # a string, still JSON
    assert run(capsys, "set", str(node), "custom.count", "3")[0] == 0
    assert json.loads(node.read_text())["custom"]["count"] == 3


def test_a_boolean_is_parsed_like_the_value_it_replaces(provider: Path) -> None:
    node = provider / "nodes" / "web1.json"
    write_json(node, {"ip_address": "10.0.0.1", "services": ["webapp"], "flag": True})
    target = open_target(str(node))
    assert target.parse("flag", "false") is False
    with pytest.raises(ValueError, match="flag takes true or false"):
        target.parse("flag", "yes")


# --- one parser for the CLI and the editor ------------------------------------------------------


def field(kind: sec.FieldKind, value: object, key: str = "k") -> sec.FieldInfo:
    return sec.FieldInfo(key, key, kind, value, False, "default", "")


@pytest.mark.parametrize("text", ["garbage", "enabled", "1", "yes", ""])
def test_editor_rejects_a_boolean_that_is_not_true_or_false(text: str) -> None:
    with pytest.raises(ValueError, match=r"https\.use_staging takes true or false"):
        sec.parse_text(field("bool", True, "https.use_staging"), text)
    assert sec.parse_text(field("bool", True), " False ") is False


def test_editor_ports_parse_like_the_cli() -> None:
    assert sec.parse_text(field("port", 22), " 2222 ") == 2222
    # Not an integer: written as typed (the checks say why), never read as 1000.
    assert sec.parse_text(field("port", 22), "1_000") == "1_000"
    assert sec.parse_text(field("port_list", ["80", "443"]), "80, 1194") == ["80", "1194"]
    assert sec.parse_text(field("port_list", [80, 443]), "80, 1194") == [80, 1194]
    assert sec.parse_text(field("list", []), "webapp, , soledad") == ["webapp", "soledad"]


def test_editor_marks_every_expression_as_computed(provider: Path) -> None:
    write_json(provider / "nodes" / "web1.json", {
        "ip_address": "10.0.0.1", "services": ["webapp"],
        "api": {"port": "=> 4000 + 30"}, "nickserver": {"port": "= 6425"},
    })
    workspace = Workspace.open(provider=provider)
    section = sec.section_by_id(workspace, "node:web1")
    assert section is not None
    infos = {info.key: info for info in sec.fields(workspace, section)}
    assert infos["api.port"].computed and infos["nickserver.port"].computed
    assert not infos["ssh.port"].computed


def test_editor_origins_are_the_core_origin_text(provider: Path) -> None:
    workspace = Workspace.open(provider=provider)
    assert workspace.provider is not None
    section = sec.section_by_id(workspace, "node:vpn1")
    assert section is not None
    infos = {info.key: info for info in sec.fields(workspace, section)}
    effective = workspace.provider.effective("vpn1")
    for key in ("openvpn.ports", "ssh.port", "ip_address"):
        assert infos[key].origin == str(effective.origin(key))
    assert infos["openvpn.ports"].origin == "(built-in default: services/openvpn)"


# --- new findings -------------------------------------------------------------------------------


def test_a_shared_file_finding_is_old_whichever_node_it_is_reported_for() -> None:
    def shared(node: str) -> Finding:
        return Finding("LP002", Severity.ERROR, "clash", "services/webapp.json", "api.port", 6,
                       node=node)

    def own(node: str) -> Finding:
        return Finding("LP001", Severity.ERROR, "bad", f"nodes/{node}.json", "ssh.port", 3,
                       node=node)

    files = {"web1": "nodes/web1.json", "web2": "nodes/web2.json"}
    assert new_findings([shared("web1")], [shared("web2")], files) == []
    # In a node's own file the node still tells findings apart.
    assert new_findings([own("web1")], [own("web1"), own("web2")], files) == [own("web2")]


# --- check and ports ------------------------------------------------------------------------------


def test_check_json_prints_an_error_object_for_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[http]\nport = \n", encoding="utf-8")
    status, out, err = run(capsys, "check", "--clace", str(bad), "--format", "json")
    assert status == 2 and err.startswith(f"leap-tui: {bad}:2:")
    error = json.loads(out)
    assert error["file"] == str(bad) and error["line"] == 2 and error["error"] in err
    status, out, _ = run(capsys, "check", "--format", "json")
    assert status == 2 and json.loads(out)["file"] is None


def test_ports_table_judges_clace_http_by_its_host(tmp_path: Path) -> None:
    path = tmp_path / "clace.toml"
    path.write_text('[http]\nhost = "0.0.0.0"\nport = 80\n\n[https]\nhost = ""\nport = 443\n')
    rows = {row.name: row for row in clace_listener_rows(ClaceConfig.load(path))}
    assert rows["HTTP"].public and rows["HTTPS"].public
    assert rows["HTTPS"].address == "*"
    path.write_text('[http]\nport = 80\n\n[https]\nhost = "[::1]"\nport = 443\n')
    rows = {row.name: row for row in clace_listener_rows(ClaceConfig.load(path))}
    assert not rows["HTTP"].public and not rows["HTTPS"].public


def test_ports_runs_only_the_clace_checks(
    clace: Path, provider: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_provider_check(*args: object) -> list[Finding]:
        raise AssertionError("the provider check is not needed for the port map")

    monkeypatch.setattr("tui.core.leap_checks.check_provider", no_provider_check)
    status, out, _ = run(capsys, "ports", "--clace", str(clace), "--provider", str(provider))
    assert status == 0 and "HTTPS" in out and "web1" in out


def test_ports_and_check_fail_the_same_way_without_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(capsys, "ports")[0] == 2
    status, _, err = run(capsys, "ports", "--clace", str(tmp_path / "missing.toml"))
    assert status == 2 and err.startswith("leap-tui: ") and err.count("\n") == 1


def test_check_names_every_provider_file_that_does_not_parse(
    provider: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nodes = sorted((provider / "nodes").glob("*.json"))[:2]
    for node in nodes:
        node.write_text('{\n  "ip_address": "10.0.0.1" 5\n}\n')  # no comma
    status, _, err = run(capsys, "check", "--provider", str(provider))
    lines = err.splitlines()
    assert status == 2 and len(lines) == 2
    assert all(line.startswith("leap-tui: ") and ":2:" in line for line in lines)
    assert {node.name for node in nodes} == {Path(line.split(":")[1]).name for line in lines}


def test_get_names_every_provider_file_that_does_not_parse(
    provider: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nodes = sorted((provider / "nodes").glob("*.json"))[:2]
    for node in nodes:
        node.write_text('{\n  "ip_address": "10.0.0.1",\n}\n')  # a trailing comma
    status, _, err = run(capsys, "get", str(nodes[0]), "ip_address")
    assert status == 2 and len(err.splitlines()) == 2
    assert all(node.name in err for node in nodes)

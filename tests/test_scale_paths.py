"""What large providers go through gives the answers the plain paths give.

Nodes that set no port key share their listeners, clashes and port verdicts with their
peers; lookups under keys a node does not set are shared with the nodes built on the
same files; the command line imports only the command it runs. Each shortcut is compared
here with the computation it replaces.
"""

from __future__ import annotations

import dataclasses
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.gen_provider import generate_provider
from tui.commands.findings_out import Locator
from tui.commands.output import plain_lines
from tui.commands.parser import build_parser, command_of, opens_the_tui
from tui.commands.ports_cmd import TABLE_ROWS, aligned_lines
from tui.core import portmap
from tui.core.leap_checks import check_provider
from tui.core.leap_merge import lookup
from tui.core.leap_origin import Origin
from tui.core.leap_provider import Provider
from tui.core.port_bindings import bindings_of

REPO_ROOT = Path(__file__).resolve().parents[1]


def write(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")


@pytest.fixture
def varied(tmp_path: Path) -> Path:
    """A generated provider, then nodes that share files but differ where it matters: own
    port keys, a gateway on the node's own address, tags that move ssh.port, mosh."""
    root = tmp_path / "provider"
    names = generate_provider(root, nodes=90, seed=13)
    write(root / "tags" / "rack-b.json", {"ssh": {"port": 2200}, "location": {"name": "b"}})
    write(root / "services" / "openvpn.json", {"openvpn": {"ports": ["443", 80]}})
    rng = random.Random(13)
    for name in names:
        node = root / "nodes" / f"{name}.json"
        value = json.loads("".join(line for line in node.read_text().splitlines(True)
                                   if not line.startswith("//")))
        choice = rng.random()
        if choice < 0.15:
            value["ssh"] = {"port": rng.choice([22, 443, 4430, "= 22"])}
        elif choice < 0.3:
            value["ssh"] = {"mosh": {"enabled": True, "ports": "50-60"}}
        elif choice < 0.35:
            value["ip_address"] = rng.choice(["10.9.9.9", "bad", "= ip"])
        if "openvpn" in value and rng.random() < 0.5:
            value["openvpn"]["gateway_address"] = value["ip_address"]
        write(node, value)
    return root


def test_shared_listeners_are_the_ones_computed_for_each_node(varied: Path) -> None:
    provider = Provider.load(varied)
    shared = 0
    for name in provider.node_names():
        node = provider.effective(name)
        ports = portmap.node_ports(node)
        own = bindings_of(node)
        assert [dataclasses.astuple(b) for b in ports.bindings] == [
            dataclasses.astuple(b) for b in own], name
        index = {id(b): i for i, b in enumerate(ports.bindings)}
        own_index = {id(b): i for i, b in enumerate(own)}
        assert [(c.code, index[id(c.first)], index[id(c.second)]) for c in ports.clashes] == [
            (c.code, own_index[id(c.first)], own_index[id(c.second)])
            for c in portmap._clashes(own, node.file)], name
        shared += node.shared_base(portmap.PORT_KEYS) is not None
    assert shared > 30  # the shortcut was taken, often


def test_findings_and_port_rows_are_those_of_the_plain_path(
    varied: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = Provider.load(varied)
    findings, rows = check_provider(provider), portmap.provider_port_rows(provider)
    assert {f.code for f in findings} >= {"LP004", "LP005", "LP009", "LP014", "LP016"}
    # every node sets ip_address: with it among the port keys, no node shares anything
    monkeypatch.setattr(portmap, "PORT_KEYS", portmap.PORT_KEYS | {"ip_address"})
    plain = Provider.load(varied)
    assert check_provider(plain) == findings
    assert portmap.provider_port_rows(plain) == rows


def test_shared_lookups_read_what_the_node_reads(varied: Path) -> None:
    provider = Provider.load(varied)
    keys = ["ip_address", "ssh.port", "ssh.mosh.enabled", "openvpn.gateway_address",
            "openvpn.ports.0", "location.name", "environment", "api.port", "nope.x", ""]
    for name in provider.node_names():
        node = provider.effective(name)
        for key in keys:
            path, value = lookup(node.values, key)
            assert node.lookup(key) == (path, value), (name, key)
            if path:
                assert node.origin_of(path) == portmap_origin(node, path), (name, key)


def portmap_origin(node: object, path: tuple[str | int, ...]) -> Origin | None:
    """The origin as the node's own state gives it, walking up from ``path``."""
    state = node._state  # type: ignore[attr-defined]
    while path:
        found = state.origin(path)
        if found is not None:
            return found  # type: ignore[no-any-return]
        path = path[:-1]
    return None


def test_an_origin_reads_its_line_when_first_asked() -> None:
    asked: list[tuple[str, ...]] = []

    class Lines(dict[tuple[str, ...], int]):
        def get(self, key: object, default: object = None) -> object:
            asked.append(key)  # type: ignore[arg-type]
            return super().get(key, default)  # type: ignore[call-overload]

    origin = Origin("nodes/a.json", "ssh.port", None, False, lines=Lines({("ssh", "port"): 3}),
                    source=("ssh", "port"))
    assert asked == []
    assert origin.line == 3 and origin.line == 3 and asked == [("ssh", "port")]
    assert origin == Origin("nodes/a.json", "ssh.port", 3, False)
    assert str(origin) == "nodes/a.json:3" and hash(origin) == hash(
        Origin("nodes/a.json", "ssh.port", 3, False))
    with pytest.raises(AttributeError):
        origin.file = "x"  # type: ignore[misc]


# -- the command line ------------------------------------------------------------------------


@pytest.mark.parametrize("words", [
    ["check"], ["check", "--strict", "--format", "json"],
    ["--clace", "c.toml", "check", "--provider", "p"], ["--prov", "p", "ports"],
    ["--clace=check", "get", "f.json", "ssh.port"], ["--inventory", "ports", "check"],
    ["set", "--force", "f.toml", "https.port", "443"], ["rules", "--format", "json"],
])
def test_the_one_command_parser_reads_as_the_whole_one(words: list[str]) -> None:
    command = command_of(words)
    assert command is not None
    alone, whole = build_parser(command).parse_args(words), build_parser().parse_args(words)
    assert vars(alone) == vars(whole)


@pytest.mark.parametrize("words", [[], ["-h"], ["--help", "check"], ["--he"], ["bogus"],
                                   ["--", "check"], ["--provider"]])
def test_help_and_odd_command_lines_get_the_whole_parser(words: list[str]) -> None:
    assert command_of(words) is None


@pytest.mark.parametrize("words", [
    [], ["--clace", "c.toml"], ["--clace=c.toml", "--provider", "p", "--inventory", "h.toml"],
    ["--provider", "check"],  # a directory named check: still the TUI
])
def test_the_tui_start_parses_as_the_whole_parser(words: list[str]) -> None:
    assert opens_the_tui(words)
    alone, whole = build_parser(commands=False).parse_args(words), build_parser().parse_args(words)
    assert vars(alone) == vars(whole) and alone.command is None


@pytest.mark.parametrize("words", [["check"], ["--clace"], ["--prov", "p"], ["-h"],
                                   ["--clace", "c", "ports"], ["bogus"]])
def test_other_command_lines_get_the_subcommands(words: list[str]) -> None:
    assert not opens_the_tui(words)


def test_check_imports_only_what_it_uses(tmp_path: Path) -> None:
    generate_provider(tmp_path / "p", nodes=5)
    (tmp_path / "c.toml").write_text("[http]\nport = 8080\n")
    code = (
        "import sys\nfrom tui.cli import main\n"
        "main(sys.argv[1:])\n"
        "names = ('tomlkit', 'rich', 'textual', 'paramiko', 'cryptography', "
        "'importlib.metadata', 'tui.core.clace_config', 'tui.core.leap_provider', "
        "'tui.commands.apply_cmd', 'tui.core.certs')\n"
        "print(' '.join(n for n in names if n in sys.modules))\n"
    )

    def imported(*args: str) -> list[str]:
        done = subprocess.run([sys.executable, "-c", code, *args], cwd=tmp_path,
                              capture_output=True, text=True, check=False)
        return done.stdout.split()

    assert imported("check", "--provider", "p") == ["tui.core.leap_provider"]
    assert imported("check", "--clace", "c.toml") == ["tui.core.clace_config"]


def test_a_large_port_map_is_printed_whole_when_the_process_ends_early(tmp_path: Path) -> None:
    generate_provider(tmp_path / "p", nodes=300, seed=2)
    expected = portmap.provider_port_rows(Provider.load(tmp_path / "p"))
    done = subprocess.run([sys.executable, "-m", "tui.cli", "ports", "--provider", "p"],
                          cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stderr == ""
    lines = done.stdout.splitlines()
    assert len(lines) == len(expected) > 1000
    assert [line.split("\t")[:3] for line in lines] == [
        [row.node, row.address, str(row.port)] for row in expected]


def test_plain_records_are_cleaned_as_field_by_field() -> None:
    def reference(rows: list[list[str]]) -> str:
        return "".join("\t".join(" ".join(f.split()) if f else "-" for f in row) + "\n"
                       for row in rows)

    rng = random.Random(1)
    alphabet = ["a", "b", " ", "\t", "\n", "\0", "\xa0", "\u2028", "\x1f", "\r", "é"]
    for _ in range(20_000):
        rows = [["".join(rng.choice(alphabet) for _ in range(rng.randrange(5)))
                 for _ in range(rng.randrange(1, 5))] for _ in range(rng.randrange(3))]
        assert plain_lines(rows) == reference(rows), rows


def test_a_large_port_map_on_a_terminal_is_aligned_lines(
    varied: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.cli import main

    rows = portmap.provider_port_rows(Provider.load(varied))
    assert len(rows) > TABLE_ROWS
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("NO_COLOR", "1")
    status = main(["ports", "--provider", str(varied)])
    out = capsys.readouterr().out.splitlines()
    assert status == 1 and len(out) == len(rows) + 1  # a header, then one line per row
    assert out[0].split() == ["node", "address", "port", "proto", "service", "name", "access",
                              "from"]
    column = out[0].index("port")
    assert all(line[column - 2 : column] == "  " for line in out[1:])
    assert "\x1b[" not in "".join(out)
    conflicts = [line for line in out if "✖ conflict" in line]
    assert len(conflicts) == sum(row.conflict for row in rows) > 0
    coloured = aligned_lines(rows, Locator(varied), colour=True).splitlines()
    assert sum(line.startswith("\x1b[1;31m") for line in coloured) == len(conflicts)


def test_an_origin_copies_and_pickles_with_its_line() -> None:
    import copy
    import pickle

    origin = Origin("a.json", "k", None, False, True, lines={("k",): 7}, source=("k",))
    assert copy.deepcopy(origin) == origin == pickle.loads(pickle.dumps(origin))
    assert copy.copy(origin).line == 7

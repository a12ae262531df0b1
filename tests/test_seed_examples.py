"""Every example configuration of the seed pages passes `check --strict`: the pages'
recommended configurations are never reported as wrong (the brief). The Clace page's
examples are its ```toml blocks, read from the page itself; the LEAP Ports page has no
file to copy, so its example is a node per service at the page's defaults."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tui.cli import main
from tui.core.findings import Severity
from tui.core.port_catalog import PAGE_PORTS

_TOML_BLOCK = re.compile(r"^```toml\n(.*?)^```", re.M | re.S)


def page_examples(seeds_dir: Path) -> list[str]:
    return _TOML_BLOCK.findall((seeds_dir / "clace-networking.md").read_text(encoding="utf-8"))


def test_the_clace_page_has_its_three_examples(seeds_dir: Path) -> None:
    examples = page_examples(seeds_dir)
    assert len(examples) == 3
    assert "port = 443" in examples[2] and 'service_email = "MY_EMAIL@example.com"' in (
        examples[2])


@pytest.mark.parametrize("number", [0, 1, 2])
def test_each_clace_example_passes_check_strict(
        number: int, seeds_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "clace.toml"
    path.write_text(page_examples(seeds_dir)[number], encoding="utf-8")
    status = main(["check", "--clace", str(path), "--strict"])
    assert status == 0, capsys.readouterr().out
    capsys.readouterr()
    main(["check", "--clace", str(path), "--format", "json"])
    found = json.loads(capsys.readouterr().out)["findings"]
    assert [f for f in found if f["severity"] != str(Severity.INFO)] == []


def test_the_lets_encrypt_example_points_at_the_pages_setup_step(
        seeds_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "clace.toml"
    path.write_text(page_examples(seeds_dir)[2], encoding="utf-8")
    main(["check", "--clace", str(path), "--format", "json"])
    (cl002,) = [f for f in json.loads(capsys.readouterr().out)["findings"]
                if f["code"] == "CL002"]
    assert cl002["severity"] == "info" and "Privileged Ports" in cl002["message"]
    assert "PF002" in cl002["message"]  # where the host's real capability is checked
    assert "sudo setcap cap_net_bind_service=+ep" in cl002["hint"]


def test_the_leap_pages_defaults_pass_check_strict(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "provider"
    (root / "nodes").mkdir(parents=True)
    (root / "provider.json").write_text(json.dumps({
        "domain": "example.org", "name": {"en": "Example"}, "description": {"en": "Example"},
        "contacts": {"default": ["root@example.org"]}}))
    (root / "common.json").write_text("{}\n")
    services = sorted({spec.service for spec in PAGE_PORTS if spec.service != "all"})
    needs = {"soledad": ["couchdb"], "monitor": ["webapp"]}
    for number, service in enumerate(services, start=1):
        node: dict[str, object] = {"ip_address": f"10.0.0.{number}",
                                   "services": [*needs.get(service, []), service]}
        if service == "openvpn":
            node["openvpn"] = {"gateway_address": f"10.0.1.{number}"}
        (root / "nodes" / f"n{number}.json").write_text(json.dumps(node))
    assert main(["check", "--provider", str(root), "--strict"]) == 0, capsys.readouterr().out

"""The benchmarks still run (tiny sizes): no figure is timed or asserted here."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from benchmarks import (
    Result,
    ansible_peer,
    fanout,
    gen_provider,
    keystroke,
    memory,
    recheck,
    rolling,
    roundtrip,
    run,
    startup,
)
from tests.plugins.sshd_hosts import SshdFarm, SshdHost
from tui.core.findings import Severity
from tui.core.leap_checks import check_provider
from tui.core.leap_provider import Provider


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_generator_is_deterministic(tmp_path: Path) -> None:
    first = gen_provider.generate_provider(tmp_path / "a", nodes=40, seed=3)
    second = gen_provider.generate_provider(tmp_path / "b", nodes=40, seed=3)
    gen_provider.generate_provider(tmp_path / "c", nodes=40, seed=4)
    assert first == second and len(first) == 40
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert _tree(tmp_path / "a") != _tree(tmp_path / "c")


def test_generated_provider_loads_and_checks_without_errors(tmp_path: Path) -> None:
    names = gen_provider.generate_provider(tmp_path, nodes=60, seed=6)
    provider = Provider.load(tmp_path)
    assert provider.node_names() == sorted(names)
    findings = check_provider(provider)
    assert [f for f in findings if f.severity is Severity.ERROR] == []
    services = {s for n in names for s in provider.effective(n).services}
    tags = {t for n in names for t in provider.effective(n).tags}
    assert {"webapp", "couchdb", "soledad", "openvpn"} <= services
    assert len(tags) > 5
    assert (tmp_path / "services" / "webapp.staging.json").is_file()


def test_generator_without_env_variants(tmp_path: Path) -> None:
    gen_provider.generate_provider(tmp_path, nodes=5, env_variants=False)
    assert not list(tmp_path.rglob("*.*.json"))


def _measured(results: list[Result]) -> None:
    assert results
    for result in results:
        assert result.figure and result.measured


def test_recheck_runs(tmp_path: Path) -> None:
    results = recheck.main(nodes=12, runs=2)
    _measured(results)
    assert any("warm" in r.figure for r in results)
    assert all(r.measured.endswith(" ms") for r in results)


def test_generated_toml_has_the_keys_asked_for() -> None:
    text = roundtrip.generate_toml(250)
    data = tomllib.loads(text)
    count = sum(len(v) if isinstance(v, dict) and k.startswith("section_") else 1
                for k, v in data.items())
    assert count == 250
    assert text == roundtrip.generate_toml(250)


def test_roundtrip_runs_and_says_when_the_corpus_is_absent(tmp_path: Path) -> None:
    results = roundtrip.main(keys=200, runs=1, corpus=tmp_path / "absent")
    assert results[0].measured == "skipped"
    assert results[1].met is True and results[1].measured.startswith("identical")


def test_roundtrip_on_the_corpus(corpus_dir: Path) -> None:
    results = roundtrip.main(keys=50, runs=1, corpus=corpus_dir / "toml-test" / "valid")
    assert results[0].met is True, results[0].notes


@pytest.mark.timeout(180)
def test_keystroke_runs() -> None:
    results = keystroke.main(nodes=10, presses=1)
    _measured(results)
    assert len(results) == 2


@pytest.mark.timeout(180)
def test_startup_and_memory_run() -> None:
    results = startup.main(runs=1)
    _measured(results)
    assert results[1].ratio.endswith("x")
    rows = memory.main(nodes=10, runs=1)
    _measured(rows)
    assert rows[0].measured.endswith("MiB")


@pytest.mark.timeout(180)
def test_fanout_runs(sshd_farm: SshdFarm) -> None:  # the fixture: sshd present, or skip
    results = fanout.main(sizes=(1, 2), runs=1)
    _measured(results)
    assert [r.figure.split(":")[0] for r in results] == ["floor", *["fan-out"] * 4]
    # Counted from the hosts' sshd logs: an apply runs remote commands on every host.
    assert float(results[-1].measured) >= 1


@pytest.mark.timeout(180)
def test_rolling_runs(sshd_farm: SshdFarm) -> None:  # the fixture: sshd present, or skip
    results = rolling.main(hosts=3, batch=2, runs=1)
    _measured(results)
    assert results[1].figure == "rolling: apply to 3 hosts, 2 waves of 2"


def test_rolling_checks_every_wave() -> None:
    rolling.check_waves("wave 1/2: 2 host(s): 2 applied\nwave 2/2: 1 host(s): 1 applied\n",
                        3, 2)
    with pytest.raises(RuntimeError, match="unexpected waves"):
        rolling.check_waves("wave 1/2: 2 host(s): 1 applied\n", 3, 2)


def test_ansible_peer_reports_when_ansible_is_missing(tmp_path: Path) -> None:
    results = ansible_peer.main(install=False, venv=tmp_path / "no-venv")
    assert results[0].measured == "not measured"


def test_ansible_files_name_each_host(tmp_path: Path) -> None:
    farm = SshdFarm(tmp_path, tmp_path / "client", "ssh-ed25519 AAAA test")
    for number, port in ((1, 2201), (2, 2202)):
        farm.running.append(SshdHost(f"host{number}", port, tmp_path, "ssh-ed25519 AAAA x",
                                     tmp_path / "authorized_keys"))
    world = fanout.make_world(tmp_path / "world", farm)
    config = ansible_peer.write_ansible_files(world, hosts=2).read_text()
    inventory = (tmp_path / "world" / "inventory.ini").read_text()
    assert "forks = 16" in config and "host_key_checking = False" in config
    assert "host2 ansible_host=127.0.0.1 ansible_port=2202" in inventory


def test_render_explains_a_missed_target() -> None:
    rows = [Result("full re-check, cold", "how", "<= 20 ms", "30.0 ms", "1.50x", False,
                   ["cold: 3 runs"], module="recheck"),
            Result("round trip", "how", "byte-identical", "identical", met=True,
                   module="roundtrip")]
    text = run.render(rows, ["- Machine: test"], 1.0, ["fan-out: RuntimeError: no sshd"])
    assert "| full re-check, cold | how | <= 20 ms | 30.0 ms | 1.50x | **no** |" in text
    assert "Cold check." in text and "Not measured: fan-out" in text
    assert "Keystroke." not in text


def test_sizes_runs_on_small_files() -> None:
    from benchmarks import sizes

    results = sizes.main(megabytes=0.05, keys=300, runs=1)
    assert [r.figure for r in results] == ["check a 0.05 MB comment-only TOML",
                                           "check a 300-key TOML"]
    assert all(r.met is not None and "new key" in r.measured for r in results)
    assert sizes.comment_toml(0.01).count("\n") > 100


@pytest.mark.timeout(180)
def test_cli_scale_runs_on_small_inputs() -> None:
    from benchmarks import cli_scale

    results = cli_scale.main(small_nodes=3, large_nodes=12, keys=50, runs=1, big_files=False)
    assert [r.figure.split(" ")[0] for r in results] == ["`check`", "`ports`", "`ports`",
                                                         "`check`", "imports"]
    assert all(r.ratio.endswith(")") for r in results[:4])
    assert all(r.met is not None for r in results[:4]) and results[4].met is None

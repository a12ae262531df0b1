"""Shell completion: the candidates, and the bash, zsh and fish scripts run by those shells."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.plugins.requirements import missing
from tui.commands.completion_cmd import DIRS, FILES, SCRIPTS, complete

MINIMAL = Path(__file__).parent / "data" / "leap_minimal"


@pytest.fixture
def provider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "provider"
    shutil.copytree(MINIMAL, root)
    (tmp_path / "hosts.toml").write_text('[[host]]\nname = "edge"\naddress = "10.0.0.9"\n')
    monkeypatch.chdir(tmp_path)
    return root


def test_candidates(provider: Path) -> None:
    assert {"check", "apply", "help", "completion"} <= set(complete(["leap-tui", ""]))
    assert "--format" in complete(["leap-tui", "check", "--"])
    assert "--strict" in complete(["leap-tui", "check", "--"])
    assert complete(["leap-tui", "check", "--format", ""]) == ["text", "json", "github", "sarif"]
    assert complete(["leap-tui", "check", "--clace", ""]) == [FILES]
    assert complete(["leap-tui", "--provider", ""]) == [DIRS]
    # Host names: those of the inventory in effect, as apply finds it. With --provider and
    # no --inventory, the provider's nodes: the hosts.toml here is not used, so not offered.
    hosts = complete(["leap-tui", "apply", "--provider", str(provider), "--yes", ""])
    assert hosts == ["db1", "mx1", "vpn1", "web1"]
    assert complete(["leap-tui", "rollback", "--host", ""]) == []  # no inventory, no provider
    assert complete(["leap-tui", "rollback", "--inventory", "hosts.toml", "--host", ""]) == [
        "edge"]
    assert "AP014" in complete(["leap-tui", "rules", ""])
    assert {"json", "ssh", "CL006", "check"} <= set(complete(["leap-tui", "help", ""]))
    assert complete(["leap-tui", "certs", ""])[:1] == ["new"]
    assert complete(["leap-tui", "completion", ""]) == ["bash", "fish", "zsh"]


def test_limit_completes_hosts_groups_tags_services_and_environments(provider: Path) -> None:
    limit = complete(["leap-tui", "apply", "--provider", str(provider), "--limit", ""])
    assert {"web1", "vpn1", "service:openvpn", "service:webapp"} <= set(limit)
    assert not [c for c in limit if c == "edge"]  # hosts.toml here is not in effect
    (provider / "nodes" / "web1.json").write_text(
        '{"ip_address": "10.0.0.1", "services": ["webapp"], "tags": ["production"]}\n')
    limit = complete(["leap-tui", "rollback", "--provider", str(provider), "--limit",
                      "vpn1,!t"])
    assert "vpn1,!tag:production" in limit and "vpn1,!env:production" in limit
    (provider.parent / "hosts.toml").write_text(
        '[[host]]\nname = "edge"\naddress = "10.0.0.9"\ngroups = ["front"]\n')
    assert complete(["leap-tui", "apply", "--inventory", "hosts.toml", "-l", ""]) == [
        "edge", "front"]


def test_the_hidden_command_never_fails(capsys: pytest.CaptureFixture[str]) -> None:
    from tui.cli import main

    assert main(["__complete", "--", "leap-tui", "apply", "--inventory", "/nope/x.toml",
                 "--host", ""]) == 0
    assert capsys.readouterr().err == ""


def shell_env(provider: Path) -> dict[str, str]:
    """PATH with this venv's leap-tui first."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
            "HOME": str(provider.parent)}


def run_shell(command: list[str], provider: Path) -> str:
    done = subprocess.run(command, cwd=provider.parent, env=shell_env(provider), text=True,
                          capture_output=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_bash_completes_commands_options_and_nodes(provider: Path) -> None:
    if shutil.which("bash") is None:
        missing("bash not found")
    script = provider.parent / "leap-tui.bash"
    script.write_text(SCRIPTS["bash"])

    def completions(*words: str) -> list[str]:
        # As bash calls it: the line up to the cursor (COMP_WORDS, split at ':' too, unused).
        line = " ".join(words)
        out = run_shell(["bash", "-c", f"source {script}; COMP_LINE='{line}'; "
                         f"COMP_POINT={len(line)}; _leap_tui; "
                         "printf '%s\\n' \"${COMPREPLY[@]}\""], provider)
        return out.split()

    assert completions("leap-tui", "ch") == ["check"]
    assert completions("leap-tui", "check", "--for") == ["--format"]
    assert completions("leap-tui", "check", "--format", "s") == ["sarif"]
    assert completions("leap-tui", "apply", "--provider", "provider", "w") == ["web1"]
    assert completions("leap-tui", "--clace", "hosts") == ["hosts.toml"]
    # bash replaces the part after the last ':' of the word: that part is what it gets.
    assert completions("leap-tui", "apply", "--provider", "provider", "--limit",
                       "service:o") == ["openvpn"]
    assert completions("leap-tui", "apply", "--provider", "provider", "--limit", "v") == [
        "vpn1"]


def test_fish_completes(provider: Path) -> None:
    if shutil.which("fish") is None:
        missing("fish not found (apt-get install fish)")
    script = provider.parent / "leap-tui.fish"
    script.write_text(SCRIPTS["fish"])
    out = run_shell(["fish", "--no-config", "-c",
                     f"source {script}; complete -C 'leap-tui rules AP01'"], provider)
    assert [line.split("\t")[0] for line in out.splitlines()] == [
        "AP010", "AP012", "AP013", "AP014", "AP015", "AP016", "AP017", "AP018"]


def test_zsh_script_parses_and_completes(provider: Path) -> None:
    if shutil.which("zsh") is None:
        missing("zsh not found (apt-get install zsh)")
    script = provider.parent / "_leap-tui"
    script.write_text(SCRIPTS["zsh"])
    run_shell(["zsh", "-n", str(script)], provider)
    # The completion system's builtins stubbed: what the function hands them.
    out = run_shell(["zsh", "-f", "-c",
                     "compdef() { :; }; compadd() { shift; print -l -- $@; }; "
                     "_files() { print FILES $@; }; "
                     f"source {script}; words=(leap-tui help ''); CURRENT=3; _leap_tui; "
                     "words=(leap-tui --inventory ''); CURRENT=3; _leap_tui"], provider)
    lines = out.splitlines()
    assert "check" in lines and "json" in lines and "CL006" in lines
    assert lines[-1] == "FILES"

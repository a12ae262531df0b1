"""{path} and {target} in validate/reload: one quoted word whatever quotes surround them."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.plugins.sshd_hosts import RemoteEnv, SshdHost
from tests.test_remote_apply import NEW, OLD
from tui.core.errors import ConfigError
from tui.core.inventory import parse_inventory
from tui.core.remote.fleet import apply_fleet
from tui.core.remote.placeholders import PlaceholderError, check, substitute
from tui.core.remote.plan import plan

Hosts = Callable[[int], list[SshdHost]]
MARK = "INJECTED"

# Directory names a hostile (or careless) host could hold; none may run as a command.
HOSTILE = [
    f"$(touch {MARK})", f"`touch {MARK}`", f"a;touch {MARK};b", f"a|touch {MARK}",
    f"a&&touch {MARK}", f"'$(touch {MARK})'", f'"$(touch {MARK})"', f"a\\\"$(touch {MARK})\\\"",
    f"x'; touch {MARK}; echo '", f'x"; touch {MARK}; echo "', "a b  c", "*", "-rf", "a\\b",
    "$HOME", "~", "!", "{path}", "{target}", "%s", "é ü", f"${{IFS}}touch${{IFS}}{MARK}",
]
# How an operator may write a placeholder: every one must give the very value, one word.
FORMS = ["{p}", '"{p}"', "'{p}'", "--file={p}", '"--file={p}"', "'--file={p}'",
         '"$(printf %s {p})"', '"$(printf %s "{p}")"', '"$(printf %s \'{p}\')"', '"a"{p}"b"']


def printed(command: str, cwd: Path) -> str:
    done = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, cwd=cwd,
                          check=True)
    return done.stdout


@pytest.mark.parametrize("name", ["path", "target"])
def test_every_form_gives_exactly_the_value_in_a_real_shell(tmp_path: Path, name: str) -> None:
    tried = 0
    for hostile in HOSTILE:
        value = f"/srv/{hostile}/clace.toml"
        for form in FORMS:
            command = "printf '<%s>\\n' " + form.replace("{p}", "{" + name + "}")
            expected = form.replace('"', "").replace("'", "").replace("$(printf %s ", "")
            expected = expected.replace(")", "").replace("{p}", value)
            out = printed(substitute(command, {"path": value, "target": value}), tmp_path)
            assert out == f"<{expected}>\n", (form, hostile)
            tried += 1
    assert not list(tmp_path.iterdir())  # nothing ran: no INJECTED file
    assert tried == len(HOSTILE) * len(FORMS)


def test_a_placeholder_inside_a_placeholder_value_is_not_substituted_again() -> None:
    assert substitute("cat {path} {target}", {"path": "{target}", "target": "/t"}) == (
        "cat '{target}' /t")


@pytest.mark.parametrize(("command", "why"), [
    ("test -s `echo {path}`", "backquotes"),
    ("test -s \"`echo {path}`\"", "backquotes"),
    ("grep -q $'x{path}'", "$'...'"),
    ("cat <<EOF\n{path}\nEOF", "here-document"),
    ("x=$(case a in a) echo {path};; esac)", "case"),
    ("test -s \"{path}", "unbalanced"),
])
def test_unsafe_places_are_refused(command: str, why: str) -> None:
    with pytest.raises(PlaceholderError, match=why.replace("$", r"\$").replace("(", r"\(")):
        check(command)


def test_commands_without_placeholders_are_never_refused() -> None:
    for command in ["awk '{print $1}' x", "echo `date`", "cat <<EOF\nx\nEOF", "echo \"unclosed",
                    "case $x in a) true;; esac"]:
        check(command)


def test_the_inventory_refuses_an_unsafe_placeholder_naming_the_line(tmp_path: Path) -> None:
    text = ('[[host]]\nname = "h"\naddress = "127.0.0.1"\n[[host.file]]\nsource = "clace"\n'
            'target = "/srv/clace.toml"\nreload = "systemctl reload `echo {target}`"\n')
    with pytest.raises(ConfigError) as caught:
        parse_inventory(text, tmp_path / "hosts.toml")
    assert caught.value.line == 7
    assert "reload: {target} inside backquotes" in str(caught.value)
    newline = text.replace("/srv/clace.toml", "/srv/a\\nb").replace("`echo {target}`", "x")
    with pytest.raises(ConfigError, match="control character"):
        parse_inventory(newline, tmp_path / "hosts.toml")


def hostile_host(env: RemoteEnv, host: SshdHost, hostile: str, seen: Path) -> tuple[Path, Path]:
    """An inventory whose target sits in directory ``hostile``; every placeholder in every
    quoting in validate and reload copies the file it names into ``seen``."""
    directory = env.remote / hostile
    directory.mkdir()
    target = directory / "clace.toml"
    target.write_bytes(OLD)
    copies = []
    for field in ("validate", "reload"):
        for name in ("path", "target"):
            for number, form in enumerate(['{p}', '"{p}"', "'{p}'", '"$(printf %s "{p}")"']):
                copy = seen / f"{field}-{name}-{number}"
                copies.append(f"cp -- {form.replace('{p}', '{' + name + '}')} {copy}")
    validate = " && ".join(c for c in copies if "/validate-" in c)
    reload = " && ".join(c for c in copies if "/reload-" in c)
    env.trust(host)
    return env.inventory(env.host_toml(host, "h1", [
        {"source": "clace", "target": str(target), "validate": validate, "reload": reload}])
    ), target


def test_hostile_directory_names_never_run_over_ssh(remote_env: RemoteEnv,
                                                    sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    names = [h for h in HOSTILE if "/" not in h]
    tried = 0
    for number, hostile in enumerate(names):
        seen = remote_env.root / f"seen{number}"
        seen.mkdir()
        inventory, target = hostile_host(remote_env, host, hostile, seen)
        options = remote_env.options(inventory)

        (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

        assert result.status == "applied", (hostile, result.message)
        assert target.read_bytes() == NEW
        copies = sorted(seen.iterdir())
        assert len(copies) == 16
        # validate's {path} is the upload, its {target} the live file still old; reload's
        # both are the live file, new by then.
        assert {c.name: c.read_bytes() for c in copies} == {
            c.name: OLD if c.name.startswith("validate-target") else NEW for c in copies}
        tried += 16
        (remote_env.remote / hostile / "clace.toml").unlink()
        for leftover in (remote_env.remote / hostile).iterdir():
            leftover.unlink()
        (remote_env.remote / hostile).rmdir()
    injected = [p for base in (remote_env.root, host.directory) for p in base.rglob(MARK)]
    assert injected == []
    assert tried == 16 * len(names)

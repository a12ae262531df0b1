"""leap-tui in a real terminal: tmux runs it, send-keys types, capture-pane reads the screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.plugins.requirements import missing

pytestmark = pytest.mark.timeout(60)


def tmux() -> str:
    path = shutil.which("tmux")
    if path is None:
        missing("tmux is not installed (make test installs it)")
    return path


def capture(tmux_bin: str, session: str) -> str:
    return subprocess.run(
        [tmux_bin, "capture-pane", "-p", "-t", session], capture_output=True, text=True,
        check=False,
    ).stdout


def wait_for(tmux_bin: str, session: str, text: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = capture(tmux_bin, session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


def start_session(tmux_bin: str, command: str, size: tuple[int, int] = (100, 30)) -> str:
    """A detached tmux session running ``command`` at ``size``; its name."""
    session = f"leap-tui-{uuid.uuid4().hex[:8]}"
    subprocess.run([tmux_bin, "new-session", "-d", "-s", session, "-x", str(size[0]),
                    "-y", str(size[1]), command], check=True)
    return session


def test_runs_in_a_real_terminal(samples: Path, tmp_path: Path) -> None:
    tmux_bin = tmux()
    command = (
        f"TERM=xterm-256color LEAP_TUI_CONFIG_DIR={tmp_path / 'cfg'} "
        f"{sys.executable} -m tui --clace {samples / 'clace.toml'} "
        f"--provider {samples / 'provider'}; echo EXITED-$?; sleep 30"
    )
    session = start_session(tmux_bin, command)
    try:
        wait_for(tmux_bin, session, "Findings")
        screen = wait_for(tmux_bin, session, "mx1")
        assert "HTTPS" in screen and "LEAP" in screen and "25223" in screen
        subprocess.run([tmux_bin, "send-keys", "-t", session, "F2"], check=True)
        screen = wait_for(tmux_bin, session, "bindings")
        assert "vpn1" in screen
        subprocess.run([tmux_bin, "send-keys", "-t", session, "Escape"], check=True)
        time.sleep(0.5)
        subprocess.run([tmux_bin, "send-keys", "-t", session, "q"], check=True)
        wait_for(tmux_bin, session, "EXITED-0")
    finally:
        subprocess.run([tmux_bin, "kill-session", "-t", session], check=False)


def test_dropped_terminal_exits_cleanly_and_writes_nothing(samples: Path, tmp_path: Path) -> None:
    """The SSH session drops: the pane's process gets SIGHUP, exits, and no file is touched."""
    tmux_bin = tmux()
    before = {p: p.read_bytes() for p in samples.rglob("*") if p.is_file()}
    command = (
        f"TERM=xterm LEAP_TUI_CONFIG_DIR={tmp_path / 'cfg'} exec {sys.executable} -m tui "
        f"--clace {samples / 'clace.toml'} --provider {samples / 'provider'}"
    )
    session = start_session(tmux_bin, command, (80, 24))
    try:
        wait_for(tmux_bin, session, "Findings")
        pid = int(subprocess.run(
            [tmux_bin, "display-message", "-p", "-t", session, "#{pane_pid}"],
            capture_output=True, text=True, check=True,
        ).stdout.strip())
        # Edit without saving, then drop the terminal.
        for key in ("Down", "Down", "Enter", "Tab", "End", "BSpace", "1"):
            subprocess.run([tmux_bin, "send-keys", "-t", session, key], check=True)
            time.sleep(0.1)
    finally:
        subprocess.run([tmux_bin, "kill-session", "-t", session], check=False)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        raise AssertionError("leap-tui kept running after its terminal went away")
    after = {p: p.read_bytes() for p in samples.rglob("*") if p.is_file()}
    assert after == before


def test_keys_sent_in_one_burst_edit_in_order(samples: Path, tmp_path: Path) -> None:
    """Backspace and the cursor keys keep their place among typed digits (Textual #6605).

    With Textual's own Input, "80" then backspace, backspace, "25223" sent in one burst
    became "80252": the backspaces, run as bindings, overtook the queued digits.
    """
    tmux_bin = tmux()
    command = (
        f"TERM=xterm-256color LEAP_TUI_CONFIG_DIR={tmp_path / 'cfg'} "
        f"{sys.executable} -m tui --clace {samples / 'clace.toml'}; sleep 30"
    )
    session = start_session(tmux_bin, command)

    def keys(*names: str) -> None:
        subprocess.run([tmux_bin, "send-keys", "-t", session, *names], check=True)
        time.sleep(0.8)

    def port_row() -> str:
        return next(line for line in capture(tmux_bin, session).splitlines()
                    if "● port" in line or "  port" in line)

    try:
        wait_for(tmux_bin, session, "redirect_to_https")
        keys("Enter")  # the HTTP section's first field (host)
        keys("Tab")  # its port
        keys("End", *["BSpace"] * 5, "8", "0")
        assert " 80 " in port_row()
        keys("BSpace", "BSpace", "2", "5", "2", "2", "3")  # one burst
        assert " 25223 " in port_row()
        keys("Home", "Delete", "1", "End", "BSpace", "4")
        assert " 15224 " in port_row()
    finally:
        subprocess.run([tmux_bin, "kill-session", "-t", session], check=False)


def wait_for_file(path: Path, old: bytes, timeout: float = 20.0) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = path.read_bytes()
        if data != old:
            return data
        time.sleep(0.2)
    raise AssertionError(f"{path} was not saved")


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
def test_a_burst_with_line_editing_keys_saves_what_it_means(
        samples: Path, tmp_path: Path, size: tuple[int, int]) -> None:
    """ctrl+u, ctrl+w, ctrl+a, ctrl+k, ctrl+e and the save itself, all in one send-keys:
    the file holds what those keys mean, byte for byte, and Escape+letter types nothing."""
    from tui.core.clace_config import ClaceConfig

    tmux_bin = tmux()
    clace = samples / "clace.toml"
    # Started once the pane has its size: a busy machine once let the app draw 80x24
    # into the 60x20 pane (the terminal scrolled the top away).
    command = (
        f"sleep 0.5; TERM=xterm-256color LEAP_TUI_CONFIG_DIR={tmp_path / 'cfg'} "
        f"{sys.executable} -m tui --clace {clace}; sleep 30"
    )
    session = start_session(tmux_bin, command, size)

    def keys(*names: str) -> None:  # one send-keys: the keys arrive as one burst
        subprocess.run([tmux_bin, "send-keys", "-t", session, *names], check=True)

    try:
        wait_for(tmux_bin, session, "redirect_to")
        keys("Enter")  # the HTTP section's first field (host), its text selected
        wait_for(tmux_bin, session, "Emptying it saves")  # the help line of the focused field
        before = clace.read_bytes()
        keys("C-u", *"abc def", "C-w", *"xy", "C-a", "C-k", *"10.0.0.1", "C-e", "BSpace",
             "9", "Down", *"8081", "C-s")
        try:
            saved = wait_for_file(clace, before)
        except AssertionError:
            raise AssertionError(capture(tmux_bin, session)) from None
        want = ClaceConfig.parse(before.decode(), clace)
        want.set("http.host", "10.0.0.9")
        want.set("http.port", 8081)
        assert saved == want.text.encode()
        keys("Up", "Escape", "j")  # Escape and j at once: leave the field, move the tree
        screen = wait_for(tmux_bin, session, "HTTPS  ·")
        assert "10.0.0.9j" not in screen
        keys("q")
        time.sleep(1)
        assert clace.read_bytes() == saved  # nothing typed, nothing left to save
    finally:
        subprocess.run([tmux_bin, "kill-session", "-t", session], check=False)


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
def test_the_help_line_follows_the_port_field_after_a_burst(
        samples: Path, tmp_path: Path, size: tuple[int, int]) -> None:
    """As seen in tmux: a burst empties the HTTPS port, types a valid one and saves; the
    file holds it, and the help line under the editor no longer says "Emptied"."""
    tmux_bin = tmux()
    clace = samples / "clace.toml"
    command = (
        f"sleep 0.5; TERM=xterm-256color LEAP_TUI_CONFIG_DIR={tmp_path / 'cfg'} "
        f"{sys.executable} -m tui --clace {clace}; sleep 30"
    )
    session = start_session(tmux_bin, command, size)

    def keys(*names: str) -> None:
        subprocess.run([tmux_bin, "send-keys", "-t", session, *names], check=True)

    try:
        wait_for(tmux_bin, session, "redirect_to")
        keys("Down")  # the tree: HTTPS
        wait_for(tmux_bin, session, "HTTPS  ·")
        keys("Enter")  # its first field (the tree's keys are not ordered with a field's)
        wait_for(tmux_bin, session, "https.host  ←")
        keys("Down")  # the port
        wait_for(tmux_bin, session, "https.port  ←")
        before = clace.read_bytes()
        keys("C-u", "4", "4", "3", "BSpace", "BSpace", "4", "3", "C-a", "C-k", "8", "4", "4",
             "3", "C-s")
        saved = wait_for_file(clace, before)
        assert b"\nport = 8443 " in saved
        screen = wait_for(tmux_bin, session, "Emptying it stops")
        assert "Emptied" not in screen and "cannot be saved" not in screen, screen
    finally:
        subprocess.run([tmux_bin, "kill-session", "-t", session], check=False)

"""First interactive frame: leap-tui on sample_configs/ vs a hello-world Textual app.

Each app runs as a child process on a pseudo-terminal (80x24, the issue's tmux size). The
hello-world app exits after its first refresh. leap-tui paints its frame first (header,
empty tree, "loading …", footer: it takes keys from then on, holding them until the files
are in) and loads the files in a worker; it exits after the frame that shows them (tree,
fields and findings). The child writes the CLOCK_MONOTONIC time of each moment to an
inherited pipe; the parent took the same clock just before starting it, so "first frame"
is process start (interpreter, imports) to painted frame, and "complete screen" is process
start to the painted screen with the files. leap-tui goes through its real entry point
(`tui.cli.main`), with only the app class swapped for a subclass that stamps and exits.

``run_child`` is shared with the memory benchmark: it also returns the child's peak RSS.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import resource
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import REPO_ROOT, SAMPLES, Result, median, spread

TARGET_RATIO = 1.25
STAMP_FD_ENV = "LEAP_BENCH_STAMP_FD"
CHILD_TIMEOUT = 60.0
FRAME = "first frame"
COMPLETE = "complete screen"
SIZE = (80, 24)  # columns, lines: the tmux 80x24
# wait4()'s ru_maxrss would not do: Linux carries the pre-exec high-water mark of the forked
# copy of this (large) benchmark process into it. VmHWM belongs to the exec'd program alone.
PEAK_RSS = "vmhwm"


@dataclass
class ChildRun:
    first_frame: float  # seconds from spawn to the painted first screen
    complete: float  # seconds from spawn to the painted screen with the files (= first_frame
    # for the hello-world app)
    phases: dict[str, float]  # seconds from spawn to the end of each phase, in order
    total: float  # seconds from spawn to exit
    max_rss_kib: int  # the child's own peak resident set (VmHWM), KiB
    returncode: int


def sample_args() -> list[str]:
    return ["--clace", str(SAMPLES / "clace.toml"), "--provider", str(SAMPLES / "provider"),
            "--inventory", str(SAMPLES / "hosts.toml")]


def _controlling_tty() -> None:
    """In the child: a session of its own, with the pty as its controlling terminal."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def run_child(kind: str, app_args: list[str], size: tuple[int, int] = SIZE) -> ChildRun:
    """Run ``python -m benchmarks.startup --child KIND APP_ARGS`` on a fresh pty."""
    master, slave = os.openpty()
    columns, rows = size
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    stamp_read, stamp_write = os.pipe()
    os.set_inheritable(stamp_write, True)
    with tempfile.TemporaryDirectory(prefix="leap-bench-home-") as home:
        env = {**os.environ, "TERM": "xterm-256color", STAMP_FD_ENV: str(stamp_write),
               "LEAP_TUI_CONFIG_DIR": f"{home}/config", "LEAP_TUI_STATE_DIR": f"{home}/state"}
        env.pop("NO_COLOR", None)
        start = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.startup", "--child", kind, *app_args],
            stdin=slave, stdout=slave, stderr=slave, cwd=REPO_ROOT, env=env,
            pass_fds=(stamp_write,), preexec_fn=_controlling_tty, close_fds=True)
        os.close(slave)
        os.close(stamp_write)
        status, _, tail = _drain_until_exit(process.pid, master)
        end = time.monotonic()
        process.returncode = os.waitstatus_to_exitcode(status)
    os.close(master)
    with os.fdopen(stamp_read, "rb") as stamps:
        lines = stamps.read().decode().splitlines()
    pairs = [line.rpartition(" ") for line in lines]
    phases = {name: float(value) - start for name, _, value in pairs if name != PEAK_RSS}
    peak = max((int(value) for name, _, value in pairs if name == PEAK_RSS), default=0)
    if process.returncode != 0 or FRAME not in phases:
        raise RuntimeError(f"{kind} child failed (exit {process.returncode}, no first frame): "
                           f"{tail[-400:]!r}")
    return ChildRun(phases[FRAME], phases.get(COMPLETE, phases[FRAME]), phases, end - start,
                    peak, process.returncode)


def _drain_until_exit(pid: int, master: int) -> tuple[int, resource.struct_rusage, bytes]:
    """Read the child's screen output so that it never blocks on a full pty.

    Returns the exit status, the child's resource usage and the last bytes it wrote.
    """
    deadline = time.monotonic() + CHILD_TIMEOUT
    tail = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.02)
        if ready:
            with contextlib.suppress(OSError):  # EIO: the child closed the terminal
                tail = (tail + os.read(master, 1 << 16))[-4096:]
        done, status, rusage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, rusage, tail
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            _, status, rusage = os.wait4(pid, 0)
            raise RuntimeError(f"child {pid} did not exit within {CHILD_TIMEOUT:.0f} s")


# -- the child side ------------------------------------------------------------------------


def _stamp(phase: str) -> None:
    """Tell the parent the CLOCK_MONOTONIC time at which ``phase`` ended."""
    os.write(int(os.environ[STAMP_FD_ENV]), f"{phase} {time.monotonic()!r}\n".encode())


def _child_hello() -> int:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static

    _stamp("imports")

    class HelloApp(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Static("Hello, world")
            yield Footer()

        def on_mount(self) -> None:
            self.call_after_refresh(self._first_frame)

        def _first_frame(self) -> None:
            _stamp(FRAME)
            self.exit()

    HelloApp().run()
    return 0


def _child_leap(app_args: list[str]) -> int:
    import tui.app
    from tui import cli

    _stamp("imports")

    class FirstFrameApp(tui.app.LeapTuiApp):
        """Stamps its first frame (the shell: header, tree, "loading …", footer) and exits
        after the frame that shows the loaded files and their findings."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            _stamp("app made")

        def on_mount(self) -> None:
            # Only the stamp: Textual calls LeapTuiApp.on_mount itself (handlers of the base
            # classes run too), and calling it here as well mounted a second main screen.
            self.call_after_refresh(_stamp, FRAME)

        async def files_loaded(self, loaded: Any) -> None:
            _stamp("files loaded and checked (worker)")
            await super().files_loaded(loaded)
            _stamp("screen filled")
            self.call_after_refresh(self._complete)

        def _complete(self) -> None:
            _stamp(COMPLETE)
            self.exit()

    # open_tui imports the class at call time: the real entry point runs the subclass.
    tui.app.LeapTuiApp = FirstFrameApp  # type: ignore[misc]
    return cli.main(app_args)


def _peak_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def child_main(kind: str, app_args: list[str]) -> int:
    _stamp("interpreter")
    status = _child_hello() if kind == "hello" else _child_leap(app_args)
    os.write(int(os.environ[STAMP_FD_ENV]), f"{PEAK_RSS} {_peak_rss_kib()}\n".encode())
    return status


# -- the benchmark ---------------------------------------------------------------------------


def phase_breakdown(label: str, runs: list[ChildRun]) -> str:
    """Median time spent in each phase (from the end of the one before), in order."""
    names = list(runs[0].phases)
    parts = []
    previous = [0.0] * len(runs)
    for name in names:
        ends = [r.phases[name] for r in runs]
        spent = median([e - p for e, p in zip(ends, previous, strict=True)])
        parts.append(f"{name} {spent * 1000:.0f}")
        previous = ends
    return f"{label}, where the time goes (median ms per phase): " + ", ".join(parts)


def main(runs: int = 7, app_args: list[str] | None = None) -> list[Result]:
    args = sample_args() if app_args is None else app_args
    hello: list[ChildRun] = []
    leap: list[ChildRun] = []
    run_child("hello", [])  # warm the page cache once: the first run of all is an outlier
    for _ in range(runs):
        # Interleaved, so that a slow moment of the machine hits both alike.
        hello.append(run_child("hello", []))
        leap.append(run_child("leap", args))
    hello_frame = median([r.first_frame for r in hello])
    leap_frame = median([r.first_frame for r in leap])
    leap_complete = median([r.complete for r in leap])
    ratio = leap_frame / hello_frame
    hello_total = median([r.total for r in hello])
    leap_total = median([r.total for r in leap])
    size = f"pty {SIZE[0]}x{SIZE[1]}"
    return [
        Result("first interactive frame (hello-world Textual app)",
               f"Header+Static+Footer, exits after its first refresh, {size}, subprocess",
               "reference", f"{hello_frame * 1000:.0f} ms",
               notes=[f"hello-world: {runs} runs, first frame "
                      f"{spread([r.first_frame for r in hello])}, to exit "
                      f"{hello_total * 1000:.0f} ms", phase_breakdown("hello-world", hello)]),
        Result("first interactive frame (leap-tui, sample_configs/)",
               "`leap-tui --clace --provider --inventory` on sample_configs/: the frame "
               "before the files are loaded (header, empty tree, \"loading …\", footer; keys "
               f"typed from then on are held and replayed), {size}, subprocess",
               f"<= {TARGET_RATIO}x hello-world", f"{leap_frame * 1000:.0f} ms",
               f"{ratio:.2f}x", ratio <= TARGET_RATIO,
               notes=[f"leap-tui: {runs} runs, first frame "
                      f"{spread([r.first_frame for r in leap])}, complete screen "
                      f"{spread([r.complete for r in leap])}, to exit "
                      f"{leap_total * 1000:.0f} ms", phase_breakdown("leap-tui", leap)]),
        Result("complete screen (leap-tui, sample_configs/)",
               "the same run: the frame with the files loaded in the worker (tree, fields, "
               f"findings), {size}",
               "reported", f"{leap_complete * 1000:.0f} ms",
               f"{leap_complete / hello_frame:.2f}x"),
    ]


def _parse(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    """The options of this module; what follows is leap-tui's own command line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=("hello", "leap"))
    parser.add_argument("--runs", type=int, default=7)
    return parser.parse_known_args(argv)


if __name__ == "__main__":
    options, rest = _parse(None)
    if options.child:
        raise SystemExit(child_main(options.child, rest))
    for result in main(options.runs):
        print(f"{result.figure:55} {result.measured:>8} {result.ratio:>6} {result.met_text}")
        for note in result.notes:
            print("   ", note)

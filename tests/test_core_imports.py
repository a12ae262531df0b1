"""The core is a library: importing it must not pull in the UI toolkit (as harlequin checks)."""

from __future__ import annotations

import subprocess
import sys

CORE_MODULES = [
    "tui.core.findings",
    "tui.core.errors",
    "tui.core.atomic",
    "tui.core.clace_config",
    "tui.core.clace_checks",
    "tui.core.leap_provider",
    "tui.core.leap_checks",
    "tui.core.portmap",
    "tui.core.workspace",
    "tui.core.inventory",
    "tui.core.remote",
    "tui.core.certs",
    "tui.cli",
]


def test_core_does_not_import_textual() -> None:
    code = (
        "import sys, importlib\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_check_command_path_does_not_import_ssh_or_crypto() -> None:
    """`leap-tui check` and the TUI's startup stay fast: paramiko/cryptography load lazily."""
    code = (
        "import sys\n"
        "from tui.commands.parser import build_parser\n"
        "import tui.core.clace_checks, tui.core.leap_checks, tui.core.workspace\n"
        "build_parser()\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('paramiko', 'cryptography'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""

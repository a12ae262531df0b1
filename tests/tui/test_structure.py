"""The TUI's structure: screens and widgets never import the app (no import circle), and
the app only composes: each module of the face stays small."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.plugins.shared_corpus import REPO_ROOT

APP_MODULES = ("tui.app", "tui.app_base", "tui.app_editing", "tui.app_remote",
               "tui.app_commands", "tui.key_routing")
FACE = [*sorted((REPO_ROOT / "tui" / "screens").glob("*.py")),
        *sorted((REPO_ROOT / "widgets").glob("*.py")),
        REPO_ROOT / "tui" / "session.py", REPO_ROOT / "tui" / "settings_check.py"]
MOST_LINES = 400


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_screens_and_widgets_do_not_import_the_app() -> None:
    for path in FACE:
        bad = {name for name in imported(path) if name in APP_MODULES}
        assert not bad, f"{path.relative_to(REPO_ROOT)} imports {sorted(bad)}"


def test_importing_the_main_screen_leaves_the_app_out() -> None:
    code = ("import sys, tui.screens.main, tui.screens.remote_run, tui.screens.ports\n"
            f"print(sorted(m for m in sys.modules if m in {APP_MODULES!r}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=REPO_ROOT)
    assert result.stdout.strip() == "[]"


def test_every_module_of_the_face_is_small() -> None:
    modules = [*FACE, *(REPO_ROOT / "tui").glob("app*.py"), REPO_ROOT / "tui" / "key_routing.py"]
    sizes = {p.relative_to(REPO_ROOT).as_posix(): len(p.read_text().splitlines())
             for p in modules}
    assert not {name: size for name, size in sizes.items() if size > MOST_LINES}

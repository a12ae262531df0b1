from __future__ import annotations

from pathlib import Path

from tests.plugins.shared_corpus import REPO_ROOT
from tui.cli import main
from tui.core.rules import all_rules, rules_markdown


def test_docs_rules_page_is_current() -> None:
    """docs/rules.md is `leap-tui rules`: regenerate it when a rule is added."""
    assert (REPO_ROOT / "docs" / "rules.md").read_text() == rules_markdown()


def test_every_required_code_is_known() -> None:
    codes = all_rules()
    required = [f"CL{n:03}" for n in range(1, 18)] + [f"LP{n:03}" for n in range(1, 13)]
    required += [f"CE{n:03}" for n in range(1, 10)]
    assert [code for code in required if code not in codes] == []


def test_rules_command_prints_every_code(capsys: object, tmp_path: Path) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert all(f"| {code} |" in out for code in all_rules())

from __future__ import annotations

from pathlib import Path

from tests.plugins.shared_corpus import REPO_ROOT
from tui.cli import main
from tui.core.rule_sources import CLACE_PAGE, LEAP_PAGE, RULE_SOURCES, SOURCE
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


def _page_text(seeds_dir: Path, name: str) -> str:
    text = (seeds_dir / name).read_text(encoding="utf-8")
    return " ".join(text.replace("<code>", "").replace("</code>", "").split())


def test_every_rule_names_what_it_enforces(seeds_dir: Path) -> None:
    """Each rule has a seed sentence (verbatim in its page) or the source it comes from."""
    pages = {
        CLACE_PAGE: _page_text(seeds_dir, "clace-networking.md"),
        LEAP_PAGE: _page_text(seeds_dir, "leap-ports.md"),
    }
    assert set(RULE_SOURCES) == set(all_rules())
    for code, source in RULE_SOURCES.items():
        if source.kind == SOURCE:
            assert source.text, code
        else:
            assert " ".join(source.text.split()) in pages[source.kind], code
    doc = (REPO_ROOT / "docs" / "rules.md").read_text()
    assert all(source.markdown() in doc for source in RULE_SOURCES.values())

"""Every rule code the product knows, grouped by what it checks (for `?`, docs and `rules`)."""

from __future__ import annotations

from tui.core.certs.checks import CERT_RULES
from tui.core.clace_checks import CLACE_RULES
from tui.core.leap_checks import LEAP_RULES
from tui.core.remote.rules import APPLY_RULES, PREFLIGHT_RULES
from tui.core.rule_sources import RULE_SOURCES

RULE_GROUPS: dict[str, dict[str, str]] = {
    "Clace server TOML (CL)": CLACE_RULES,
    "LEAP provider (LP)": LEAP_RULES,
    "Certificates (CE)": CERT_RULES,
    "Apply over SSH (AP)": APPLY_RULES,
    "Remote preflight (PF)": PREFLIGHT_RULES,
}


def all_rules() -> dict[str, str]:
    return {code: text for group in RULE_GROUPS.values() for code, text in group.items()}


def rules_markdown() -> str:
    lines = [
        "# Rules",
        "",
        "Every finding carries one of these stable codes (`leap-tui rules` prints this page).",
        "The last column is what the rule enforces: a sentence of the seed pages, quoted",
        "verbatim (`../shared/seeds/`), or the source it comes from where the pages are silent.",
    ]
    for title, rules in RULE_GROUPS.items():
        lines += ["", f"## {title}", "", "| code | rule | enforces |", "| --- | --- | --- |"]
        lines += [
            f"| {code} | {_cell(text)} | {_cell(RULE_SOURCES[code].markdown())} |"
            for code, text in sorted(rules.items())
        ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "/")

"""`--limit`: Ansible's host pattern language over leap-tui's hosts.

As Ansible documents it (Patterns: targeting hosts and groups): terms separated by ``:``
(or by ``,``, which then is the only separator), each a host or group name, ``all`` or
``*``, a wildcard (``web*``), a regular expression (``~web\\d+``) or a subscript of what a
name selects (``web[0]``, ``web[1:3]``, inclusive); ``&term`` keeps only hosts it also
selects, ``!term`` drops the hosts it selects. Unions first, then intersections, then
exclusions, whatever their order in the pattern; with no plain term the start is ``all``.

leap-tui adds three kinds of term for LEAP nodes: ``tag:NAME``, ``service:NAME`` and
``env:NAME`` (wildcards allowed), matched against the node's effective tags, services and
environment. A host that is no LEAP node has none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

FACT_PREFIXES = ("tag", "service", "env")
_WILDCARD = re.compile(r"[*?\[]")
_SUBSCRIPT = re.compile(r"^(?P<base>.+)\[(?P<start>-?\d+)?(?P<colon>:)?(?P<end>-?\d+)?\]$")


class LimitError(ValueError):
    """A pattern that cannot be used: bad syntax, or it selects no host."""


@dataclass(frozen=True, slots=True)
class HostFacts:
    """What a pattern can match a host by. ``groups`` holds every group the host is in,
    parents included (not ``all``, which every host is in)."""

    name: str
    groups: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    environment: str | None = None


@dataclass(frozen=True, slots=True)
class Term:
    op: str  # "" union, "&" intersection, "!" exclusion
    text: str

    def __str__(self) -> str:
        return self.op + self.text


@dataclass(slots=True)
class Selection:
    names: list[str]
    unmatched: list[str] = field(default_factory=list)  # terms that selected nothing


def split_pattern(pattern: str) -> list[str]:
    """The terms of ``pattern``: on commas when it has any, else on colons outside
    brackets, keeping ``tag:``/``service:``/``env:`` with the name after them."""
    pattern = pattern.strip()
    if "," in pattern:
        return [t.strip() for t in pattern.split(",") if t.strip()]
    parts: list[str] = []
    depth = 0
    current = ""
    for char in pattern:
        if char == "[":
            depth += 1
        elif char == "]":
            depth = max(0, depth - 1)
        if char == ":" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    terms: list[str] = []
    for part in parts:
        part = part.strip()
        if terms and terms[-1].lstrip("!&") in FACT_PREFIXES and terms[-1].count(":") == 0:
            terms[-1] = f"{terms[-1]}:{part}"
        elif part:
            terms.append(part)
    return terms


def parse_pattern(pattern: str) -> list[Term]:
    terms: list[Term] = []
    for raw in split_pattern(pattern):
        op = raw[0] if raw[0] in "!&" else ""
        text = raw[len(op):].strip()
        if not text:
            raise LimitError(f"--limit {pattern!r}: {raw!r} names nothing")
        if text.startswith("~"):
            try:
                re.compile(text[1:])
            except re.error as exc:
                raise LimitError(f"--limit {pattern!r}: {text!r} is not a regular expression: "
                                 f"{exc}") from None
        elif text.split(":", 1)[0] in FACT_PREFIXES and not text.split(":", 1)[1:]:
            raise LimitError(f"--limit {pattern!r}: {text!r} needs a name after the colon")
        terms.append(Term(op, text))
    if not terms:
        raise LimitError("--limit needs a pattern (e.g. web*, tag:production, all:!db1)")
    return terms


def _subscript(text: str) -> tuple[str, slice | int | None]:
    """``web[1:3]`` -> ("web", slice(1, 4)); ``web[-1]`` -> ("web", -1)."""
    match = _SUBSCRIPT.match(text)
    if match is None or (match["start"] is None and match["end"] is None):
        return text, None
    start = int(match["start"]) if match["start"] is not None else None
    if match["colon"] is None:
        assert start is not None
        return match["base"], start
    end = int(match["end"]) if match["end"] is not None else None
    # Ansible's slices include their end: web[0:2] is three hosts.
    return match["base"], slice(start, None if end is None or end == -1 else end + 1)


def _names_matching(text: str, names: Sequence[str]) -> list[str]:
    if text.startswith("~"):
        regex = re.compile(text[1:])
        return [n for n in names if regex.match(n)]
    if _WILDCARD.search(text):
        return [n for n in names if fnmatchcase(n, text)]
    return [n for n in names if n == text]


def _match_term(text: str, hosts: Sequence[HostFacts]) -> list[str]:
    """The host names ``text`` selects, in inventory order (a group's order for subscripts)."""
    if text in ("all", "*"):
        return [h.name for h in hosts]
    prefix, _, rest = text.partition(":")
    if prefix in FACT_PREFIXES and rest:
        def values(host: HostFacts) -> Sequence[str]:
            if prefix == "tag":
                return sorted(host.tags)
            if prefix == "service":
                return sorted(host.services)
            return [host.environment] if host.environment else []
        return [h.name for h in hosts if _names_matching(rest, values(h))]
    base, index = _subscript(text)
    if index is not None and not base.startswith("~"):
        selected = _match_term(base, hosts)
        try:
            picked = selected[index] if isinstance(index, slice) else [selected[index]]
        except IndexError:
            return []
        return list(picked)
    groups = sorted({g for h in hosts for g in h.groups} | {"ungrouped"})
    matched_groups = set(_names_matching(text, groups))
    chosen = {h.name for h in hosts if h.groups & matched_groups
              or ("ungrouped" in matched_groups and not h.groups)}
    # As Ansible: host names are tried when no group matched, or for a wildcard or regex.
    if not matched_groups or text.startswith("~") or _WILDCARD.search(text) or "." in text:
        chosen |= set(_names_matching(text, [h.name for h in hosts]))
    return [h.name for h in hosts if h.name in chosen]


def select(pattern: str, hosts: Sequence[HostFacts]) -> Selection:
    """The hosts ``pattern`` selects, in inventory order; LimitError when none."""
    terms = parse_pattern(pattern)
    ordered = ([t for t in terms if t.op == ""] or [Term("", "all")]) + \
        [t for t in terms if t.op == "&"] + [t for t in terms if t.op == "!"]
    chosen: set[str] = set()
    unmatched: list[str] = []
    for term in ordered:
        matched = set(_match_term(term.text, hosts))
        if not matched and term.text != "all":
            unmatched.append(str(term))
        if term.op == "":
            chosen |= matched
        elif term.op == "&":
            chosen &= matched
        else:
            chosen -= matched
    names = [h.name for h in hosts if h.name in chosen]
    if not names:
        why = (f"; nothing matches {', '.join(repr(t) for t in unmatched)}" if unmatched
               else "")
        raise LimitError(f"--limit {pattern!r} selects no host (of {len(hosts)}){why}")
    return Selection(names, unmatched)

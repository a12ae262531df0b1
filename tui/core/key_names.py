"""Key names leap-tui knows, and the near misses of them: what `set` refuses for Clace and
what LP019 reports for LEAP.

Clace reads a fixed set of keys (clace_schema.KNOWN_KEYS, from the server's default
configurations across versions) and ignores every other one silently, so a key outside it
written by `set` is a change with no effect: `set` refuses it unless --force. LEAP's files
are open-ended (leap_platform's templates read keys leap-tui does not know), so only a key
one edit away from a property leap-tui knows (``ssh.prot`` for ``ssh.port``) is reported,
as a warning.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Protocol

from tui.core.clace_keys import join_key, split_key
from tui.core.clace_schema import ANY_KEY, KNOWN_KEYS, is_known_key, is_known_section
from tui.core.findings import Finding, Severity
from tui.core.leap_defaults import BUILTIN_COMMON, BUILTIN_SERVICES, BUILTIN_TAGS
from tui.core.port_catalog import PORT_CATALOG

if TYPE_CHECKING:
    from tui.core.leap_provider import Provider, ProviderFile


class _KnownCache(Protocol):
    known: frozenset[str] | None

# -- Clace -------------------------------------------------------------------------------------


def clace_key_problem(key: str) -> str | None:
    """Why Clace would not read ``key`` (a dotted path), with a did-you-mean; None when
    some version of the server reads it."""
    # An index into an array of tables ("1" of permissions.allow.1.method) names no key.
    parts = tuple(part for part in split_key(key) if not part.isdigit())
    for cut in range(len(parts) - 1, -1, -1):
        section = tuple(parts[:cut])
        if is_known_section(section) and is_known_key(section, join_key(parts[cut:])):
            return None
    close = difflib.get_close_matches(key, sorted(_clace_paths(parts)), n=1, cutoff=0.75)
    cut = max(c for c in range(len(parts)) if c == 0 or is_known_section(tuple(parts[:c])))
    if cut == 0 and len(parts) > 1:
        what = f"[{join_key(parts[:1])}] is not a Clace section"
    else:
        where = f"[{join_key(parts[:cut])}]" if cut else "the top level"
        what = f"{where} has no key {join_key(parts[cut:])!r}"
    guess = f"; did you mean {close[0]}?" if close else ""
    return f"Clace does not read {key}: {what}, and the server ignores unknown keys{guess}"


def _clace_paths(parts: tuple[str, ...]) -> Iterator[str]:
    """Every key path of the schema; a ``*`` segment reads as the user's own segment."""
    for pattern, keys in KNOWN_KEYS.items():
        segments = pattern.split(".") if pattern else []
        if len(segments) >= len(parts):
            continue
        section = [parts[i] if s == ANY_KEY else s for i, s in enumerate(segments)]
        for name in keys:
            if name != ANY_KEY:
                yield join_key([*section, *name.split(".")])


# -- LEAP --------------------------------------------------------------------------------------

NEAR_MISS_CODE = "LP019"
NEAR_MISS_RULE = "a key one edit away from a LEAP property leap-tui knows (ssh.prot for " \
    "ssh.port): LEAP keeps it, and the property keeps its value"


def one_edit_apart(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with one character added, removed, replaced, or two
    neighbours swapped (``prot``/``port``)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        i = diffs[0]
        return len(diffs) == 2 and diffs[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((i for i, (x, y) in enumerate(zip(short, long, strict=False)) if x != y),
             len(short))
    return short[i:] == long[i + 1:]


def _paths(value: object, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            path = (*prefix, str(key))
            yield path
            yield from _paths(item, path)


@functools.lru_cache(maxsize=1)
def builtin_leap_paths() -> frozenset[str]:
    """Key paths of the built-in provider_base defaults and of the Ports page's properties
    (with every prefix: ``ssh`` for ``ssh.port``)."""
    found: set[str] = set()
    for layer in (BUILTIN_COMMON, *BUILTIN_SERVICES.values(), *BUILTIN_TAGS.values()):
        found.update(".".join(p) for p in _paths(layer))
    for spec in PORT_CATALOG:
        for key in (spec.property, *spec.fixed_keys):
            if key:
                segments = key.split(".")
                found.update(".".join(segments[:i]) for i in range(1, len(segments) + 1))
    return frozenset(found)


def leap_paths(*layers: object) -> frozenset[str]:
    """The built-in paths and those of the given layers (a platform's provider_base)."""
    extra = {".".join(p) for layer in layers for p in _paths(layer)}
    return builtin_leap_paths() | extra


def near_misses(value: object, known: frozenset[str]) -> list[tuple[tuple[str, ...], str]]:
    """(path, meant) for each key path of ``value`` that is not known but one edit away
    from a known path of the same depth; nothing below a near miss is reported again."""
    found: list[tuple[tuple[str, ...], str]] = []
    if isinstance(value, Mapping):
        _near(value, (), "", known, found)
    return found


def _near(value: Mapping[object, object], prefix: tuple[str, ...], parent: str,
          known: frozenset[str], found: list[tuple[tuple[str, ...], str]]) -> None:
    """The keys of ``value``, the table at ``prefix`` (dotted: ``parent``, known)."""
    for raw_key, item in value.items():
        key = str(raw_key)
        dotted = f"{parent}.{key}" if prefix else key
        if dotted not in known:
            # Only a known table is descended into, so the parent is right: the key is not.
            meant = sorted(k for k in known if k.rpartition(".")[0] == parent
                           and one_edit_apart(key, k.rpartition(".")[2]))
            if meant and len(key) >= 3:  # "ip" against "id" says nothing
                found.append(((*prefix, key), meant[0]))
            continue  # an unknown table: its keys are the user's own
        if item.__class__ is dict or (item.__class__ not in _JSON_LEAVES
                                      and isinstance(item, Mapping)):
            _near(item, (*prefix, key), dotted, known, found)


# JSON values that are not tables, told apart without the slower ABC check
_JSON_LEAVES = frozenset({str, int, float, bool, list, type(None)})


def near_miss_findings(p: Provider, pf: ProviderFile, cache: _KnownCache) -> list[Finding]:
    """LP019 for one file of the provider (provider.json has keys of its own: not checked);
    ``cache.known`` keeps the provider's known paths between calls."""
    if pf.kind not in ("common", "services", "tags", "nodes"):
        return []
    if cache.known is None:
        base = p.base
        cache.known = leap_paths(base.common, *base.services.values(), *base.tags.values())
    node = pf.name if pf.kind == "nodes" else None
    return [_near_miss(pf.rel, path, meant, pf.doc.line_of(path), node)
            for path, meant in near_misses(pf.doc.value, cache.known)]


def _near_miss(file: str, path: tuple[str, ...], meant: str, line: int | None,
               node: str | None) -> Finding:
    dotted = ".".join(path)
    return Finding(NEAR_MISS_CODE, Severity.WARNING,
                   f"{dotted} is not a property leap-tui knows: did you mean {meant}?",
                   file, dotted, line, f"LEAP keeps {dotted} as written and {meant} keeps "
                   "its value; rename the key if you meant it", node)

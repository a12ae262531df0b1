"""LEAP's inheritance, with provenance: every effective value knows the file it came from.

Merge rules are those of leap_cli's ``Config::Object#deep_merge!`` (the version with the
"Merging rules" comment):

- hashes merge recursively; a null child keeps the parent, a null parent takes the child;
- scalars replace scalars and arrays replace arrays (the child wins);
- an array meeting a scalar (either way round) becomes the array with the scalar appended,
  nulls and duplicates dropped, and the "REQUIRED" placeholder removed;
- the strings "true" and "false" are booleans;
- two values of different classes (an integer and a string, a hash and a scalar) are a type
  mismatch, which stops ``leap compile``; booleans match booleans, and an expression
  (a string starting with "= " or "=> ", see ``is_expression``) matches anything, since its
  type is known only once evaluated.
  We record the mismatch (LP010) and keep the child's value, so checks can go on;
- a key ending in "!" replaces the inherited value instead of merging with it.

Merging never mutates a layer nor a value another node shares: a dict is copied (shallowly)
only where a layer changes something below it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

from tui.core.jsonc import Path, get_path
from tui.core.leap_defaults import REQUIRED
from tui.core.leap_origin import Origin as Origin
from tui.core.leap_values import EXPRESSION_PREFIXES as EXPRESSION_PREFIXES
from tui.core.leap_values import describe_value as describe_value
from tui.core.leap_values import dotted as dotted
from tui.core.leap_values import expression_source as expression_source
from tui.core.leap_values import is_expression as is_expression
from tui.core.leap_values import is_required_placeholder as is_required_placeholder
from tui.core.leap_values import lookup
from tui.core.leap_values import resolve_key as resolve_key

_REQUIRED_LIST = [REQUIRED]


@dataclass(frozen=True)
class MergeMismatch:
    """Two values of different types met at ``key``: ``leap compile`` stops there."""

    key: str
    parent: Origin | None
    child: Origin
    types: tuple[str, str]
    values: tuple[object, object] = (None, None)


_NO_LINES: Mapping[Path, int] = MappingProxyType({})


class Layer(NamedTuple):
    """One file's contribution to a node: its value and the lines of its keys.

    A named tuple (immutable, as a frozen dataclass, but built in a fraction of the time:
    every node's merge makes one)."""

    file: str
    value: Mapping[str, object]
    builtin: bool = False
    lines: Mapping[Path, int] = _NO_LINES


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return {int: "integer", float: "number", str: "string", list: "array", dict: "hash"}.get(
        type(value), type(value).__name__
    )


def _mismatch(old: object, new: object) -> bool:
    if type(old) is type(new):
        return False  # the common case, first: the same class never mismatches
    if isinstance(old, bool) and isinstance(new, bool):
        return False
    return not (is_expression(old) or is_expression(new))


def _append(array: list[object], scalar: object) -> list[object]:
    result: list[object] = []
    for item in [*array, scalar]:
        if item is None or item == REQUIRED or item in result:
            continue
        result.append(item)
    return result


_Ref = tuple[Layer, Path, Path, object] | Layer
"""An origin not yet built: (layer, path, path in the layer, the value set there), or
just the layer when the value sits at the same path in it (no "!" key on the way): the
common case, recorded without a tuple per key.

Most origins are never looked at; building the Origin (and asking whether the value is an
expression) only on demand keeps merging cheap.
"""


def _materialize(ref: _Ref, at: Path) -> Origin:
    """The origin recorded as ``ref`` for the merged path ``at``."""
    if isinstance(ref, Layer):
        layer, path, src_path, value = ref, at, at, get_path(ref.value, at)
    else:
        layer, path, src_path, value = ref
    return Origin(layer.file, dotted(path), None, layer.builtin, is_expression(value),
                  lines=layer.lines, source=src_path)


_TOP_PATHS: dict[str, Path] = {}
"""One path tuple per top-level key: merging every node makes one for each of its keys."""


def _top_path(key: str) -> Path:
    path = _TOP_PATHS.get(key)
    if path is None:
        if len(_TOP_PATHS) > 4096:
            _TOP_PATHS.clear()
        path = _TOP_PATHS[key] = (key,)
    return path


class MergeState:
    """A merged tree under construction, with the origin of each value.

    ``parent_origins`` is a read-only origins map this state builds on (shared between the
    nodes with the same services and tags); lookups fall through to it.
    """

    __slots__ = ("errors", "family", "memo", "origins", "parent_origins", "required",
                 "values")

    def __init__(
        self,
        values: dict[str, object] | None = None,
        origins: dict[Path, _Ref] | None = None,
        parent_origins: Mapping[Path, _Ref] | None = None,
        required: set[Path] | None = None,
        errors: list[MergeMismatch] | None = None,
        family: dict[object, object] | None = None,
    ) -> None:
        self.values: dict[str, object] = dict(values or {})
        self.origins: dict[Path, _Ref] = origins if origins is not None else {}
        self.parent_origins: Mapping[Path, _Ref] = parent_origins or {}
        self.required: set[Path] = set(required or ())
        self.errors: list[MergeMismatch] = list(errors or ())
        # lookups in a state no longer merged into, shared by the nodes built on it
        self.memo: dict[object, object] = {}
        # derived data shared by every state forked from the same first one (keys must say
        # which values they were derived from)
        self.family: dict[object, object] = {} if family is None else family

    def fork(self, *, share_origins: bool) -> MergeState:
        """A copy to merge more layers into; this state stays as it is.

        With ``share_origins`` the copy reads this state's origins without copying them
        (cheap, for one node); otherwise it gets its own flat copy (for a shared prefix).
        """
        # built slot by slot: a node's merge makes one, and __init__'s defaults cost more
        child = MergeState.__new__(MergeState)
        child.values = self.values.copy()
        if share_origins:
            child.origins = {}
            child.parent_origins = self.all_origins()
        else:
            child.origins = dict(self.all_origins())
            child.parent_origins = {}
        child.required = self.required.copy()
        child.errors = self.errors.copy()
        child.memo = {}
        child.family = self.family
        return child

    def all_origins(self) -> Mapping[Path, _Ref]:
        if not self.parent_origins:
            return self.origins
        if not self.origins:
            return self.parent_origins
        return {**self.parent_origins, **self.origins}

    def origin(self, path: Path) -> Origin | None:
        found = self.origins.get(path)
        if found is None:
            found = self.parent_origins.get(path)
        return None if found is None else _materialize(found, path)

    def merge(self, layer: Layer) -> None:
        self._merge_dict(self.values, layer.value, (), (), layer)

    # -- the rules --------------------------------------------------------------------------

    def _set_leaf(
        self, target: dict[str, object], key: str, value: object, path: Path, origin: _Ref
    ) -> None:
        target[key] = value
        self.origins[path] = origin
        if value in (REQUIRED, _REQUIRED_LIST):
            self.required.add(path)
        elif self.required and path in self.required:
            self.required.discard(path)

    def _adopt(
        self, target: dict[str, object], key: str, value: object, path: Path, src_path: Path,
        layer: Layer,
    ) -> None:
        """Put a layer's value where nothing was (or where it replaces everything)."""
        if isinstance(value, dict):
            child: dict[str, object] = {}
            self._merge_dict(child, value, path, src_path, layer)
            target[key] = child
            self.origins[path] = (layer, path, src_path, value)
            self.required.discard(path)
        else:
            self._set_leaf(target, key, value, path, (layer, path, src_path, value))

    def _prune(self, path: Path) -> None:
        """Forget what was known below ``path`` (its subtree was replaced)."""
        depth = len(path)
        for known in [p for p in self.origins if len(p) > depth and p[:depth] == path]:
            del self.origins[known]
        for known in [p for p in self.required if len(p) > depth and p[:depth] == path]:
            self.required.discard(known)

    def _merge_dict(
        self,
        target: dict[str, object],
        source: Mapping[str, object],
        prefix: Path,
        src_prefix: Path,
        layer: Layer,
    ) -> None:
        # The hot loop of a provider's first check (once per key of every layer of every
        # node): helpers inlined, the layer path shared with the merged one unless a key
        # ends in "!", and an origin kept as a plain tuple.
        origins, required = self.origins, self.required
        for raw_key, new in source.items():
            if raw_key[-1:] == "!":
                force = True
                key = raw_key[:-1]
                path: Path = (*prefix, key)
                src_path: Path = (*src_prefix, raw_key)
            else:
                force = False
                key = raw_key
                path = (*prefix, key) if prefix else _top_path(key)
                src_path = path if src_prefix is prefix else (*src_prefix, key)
            if new.__class__ is str and (new == "true" or new == "false"):
                new = new == "true"
            old = target.get(key)
            if old.__class__ is str and (old == "true" or old == "false"):
                old = old == "true"
            if not force and new is not None and new.__class__ is not dict and (
                    old is None or old.__class__ is new.__class__):
                # the common case, first: a scalar or an array where nothing was, or over
                # one of its class (what the last branch does)
                target[key] = new
                origins[path] = layer if src_path is path else (layer, path, src_path, new)
                if new in (REQUIRED, _REQUIRED_LIST):
                    required.add(path)
                elif required and path in required:
                    required.discard(path)
            elif force:
                if isinstance(old, dict):
                    self._prune(path)
                self._adopt(target, key, new, path, src_path, layer)
            elif isinstance(old, dict) and isinstance(new, dict):
                child = dict(old)
                self._merge_dict(child, new, path, src_path, layer)
                target[key] = child
                origins[path] = layer if src_path is path else (layer, path, src_path, new)
            elif new is None:
                if key not in target:
                    self._set_leaf(target, key, None, path, (layer, path, src_path, None))
            elif old is None:
                self._adopt(target, key, new, path, src_path, layer)
            elif isinstance(old, list) and not isinstance(new, (list, dict)):
                self._set_leaf(target, key, _append(old, new), path,
                               (layer, path, src_path, new))
            elif isinstance(new, list) and not isinstance(old, (list, dict)):
                self._set_leaf(target, key, _append(new, old), path,
                               (layer, path, src_path, new))
            elif _mismatch(old, new):
                child_origin: _Ref = (layer, path, src_path, new)
                self.errors.append(
                    MergeMismatch(
                        dotted(path), self.origin(path), _materialize(child_origin, path),
                        (_type_name(old), _type_name(new)), (old, new),
                    )
                )
                if isinstance(old, dict):
                    self._prune(path)
                self._adopt(target, key, new, path, src_path, layer)
            else:  # _set_leaf, inlined
                target[key] = new
                origins[path] = (layer, path, src_path, new)
                if new in (REQUIRED, _REQUIRED_LIST):
                    required.add(path)
                elif required and path in required:
                    required.discard(path)


def merge_layers(layers: Iterable[Layer], start: MergeState | None = None,
                 family: dict[object, object] | None = None) -> MergeState:
    """``layers`` merged onto a copy of ``start`` (or onto nothing, the new state sharing
    derived data in ``family``)."""
    state = start.fork(share_origins=False) if start is not None else MergeState(
        family=family)
    for layer in layers:
        state.merge(layer)
    return state


def _origin_of(state: MergeState, path: Path) -> Origin | None:
    while path:
        found = state.origin(path)
        if found is not None:
            return found
        path = path[:-1]
    return None


class EffectiveNode:
    """One node as ``leap compile`` sees it before evaluating expressions.

    ``file`` is the node's rel path. ``cache`` holds data derived from this object (its
    bound ports, its check results): it lives exactly as long as this merge is current.
    """

    __slots__ = (
        "_base", "_own", "_state", "cache", "environment", "file", "layer", "merge_errors",
        "name", "services", "tags", "values",
    )

    def __init__(
        self, name: str, file: str, services: list[str], tags: list[str],
        environment: str | None, state: MergeState, *, base: MergeState | None = None,
        own_keys: frozenset[str] = frozenset(), layer: Mapping[str, object] | None = None,
    ) -> None:
        """``base``: the state ``state`` was forked from before the node's own layer, whose
        top-level keys (before any "." and "!") are ``own_keys``; under every other key the
        node reads what ``base`` reads, so those lookups are shared (``base.memo``).
        ``layer`` is the value of the node's own file, as merged."""
        self.name = name
        self.file = file
        self.services = services
        self.tags = tags
        self.environment = environment
        self._state = state
        self._base = base
        self._own = own_keys
        self.layer: Mapping[str, object] = layer if layer is not None else {}
        self.values: dict[str, object] = state.values
        self.merge_errors: list[MergeMismatch] = state.errors
        self.cache: dict[str, object] = {}

    @property
    def has_required(self) -> bool:
        return bool(self._state.required)

    @property
    def required_paths(self) -> list[Path]:
        """Paths still holding the "REQUIRED" placeholder, in a stable order."""
        return sorted(self._state.required, key=dotted)

    def shared_base(self, keys: frozenset[str]) -> MergeState | None:
        """The base state, when the node's own file sets none of ``keys`` (top-level): what
        is read under them is then the same for every node built on that base."""
        if self._base is None or not self._own.isdisjoint(keys):
            return None
        return self._base

    @property
    def base(self) -> MergeState | None:
        """The state the node's own layer was merged onto (None when not built that way)."""
        return self._base

    @property
    def own_keys(self) -> frozenset[str]:
        """The top-level keys the node's own file sets (before any "." and "!")."""
        return self._own

    def _shared(self, top: object) -> MergeState | None:
        base = self._base
        if base is None or not isinstance(top, str) or not top or (
                top.partition(".")[0] in self._own):
            return None  # "" is the node's whole values, its own
        return base

    def lookup(self, key: str) -> tuple[Path | None, object]:
        """(path, value) of a dotted key, ``(None, None)`` when absent (see ``lookup``)."""
        base = self._shared(key)
        if base is None:
            return lookup(self.values, key)
        found = base.memo.get(key)
        if found is None:
            found = base.memo[key] = lookup(base.values, key)
        return found  # type: ignore[return-value]

    def get(self, key: str, default: object = None) -> object:
        path, value = self.lookup(key)
        return default if path is None else value

    def get_path(self, path: Path, default: object = None) -> object:
        return get_path(self.values, path, default)

    def origin(self, key: str) -> Origin | None:
        path = resolve_key(self.values, key)
        return None if path is None else self.origin_of(path)

    def origin_of(self, path: Path) -> Origin | None:
        """The origin of the value at ``path``; an array item has its array's origin."""
        base = self._shared(path[0]) if path else None
        if base is not None:
            memo_key = ("origin", path)
            if memo_key not in base.memo:
                base.memo[memo_key] = _origin_of(base, path)
            return base.memo[memo_key]  # type: ignore[return-value]
        return _origin_of(self._state, path)

    def __repr__(self) -> str:
        return f"EffectiveNode({self.name!r}, services={self.services}, tags={self.tags})"

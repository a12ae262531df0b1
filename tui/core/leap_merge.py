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
from dataclasses import dataclass, field

from tui.core.jsonc import Path, get_path
from tui.core.leap_defaults import REQUIRED

EXPRESSION_PREFIXES = ("= ", "=> ")


def is_expression(value: object) -> bool:
    """A Ruby expression that ``leap compile`` evaluates (never evaluated here)."""
    return isinstance(value, str) and value.startswith(EXPRESSION_PREFIXES)


def expression_source(value: object) -> str | None:
    if isinstance(value, str):
        for prefix in EXPRESSION_PREFIXES:
            if value.startswith(prefix):
                return value[len(prefix) :]
    return None


def describe_value(value: object) -> str:
    """How a UI shows a value: expressions as computed, never as if they were literal."""
    source = expression_source(value)
    if source is not None:
        return f"computed by leap compile: {source}"
    if value == REQUIRED or value == [REQUIRED]:
        return "REQUIRED (a placeholder each node must replace)"
    return repr(value) if not isinstance(value, str) else value


def is_required_placeholder(value: object) -> bool:
    return value == REQUIRED or value == [REQUIRED]


def dotted(path: Path) -> str:
    return ".".join(str(part) for part in path)


class Origin:
    """Where an effective value was set: a provider file (rel path) and key, or a default.

    ``builtin`` is true for provider_base values (platform files or our built-in facts);
    ``expression`` when the value there is a Ruby expression ``leap compile`` computes.
    ``line`` is looked up in the file's line map when first read: most origins are built
    for a merge and never shown, and a file's lines cost a parse of its positions.
    Immutable, and equal when all five fields are, as a frozen dataclass.
    """

    __slots__ = ("_line", "_lines", "_source", "builtin", "expression", "file", "key")
    file: str
    key: str
    builtin: bool
    expression: bool
    _line: int | None
    _lines: Mapping[Path, int] | None
    _source: Path

    def __init__(self, file: str, key: str, line: int | None, builtin: bool,
                 expression: bool = False, *, lines: Mapping[Path, int] | None = None,
                 source: Path = ()) -> None:
        for name, value in (("file", file), ("key", key), ("_line", line),
                            ("builtin", builtin), ("expression", expression),
                            ("_lines", lines), ("_source", source)):
            object.__setattr__(self, name, value)

    @property
    def line(self) -> int | None:
        if self._lines is not None:
            object.__setattr__(self, "_line", self._lines.get(self._source))
            object.__setattr__(self, "_lines", None)
        return self._line

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Origin is immutable: cannot set {name}")

    def _fields(self) -> tuple[str, str, int | None, bool, bool]:
        return (self.file, self.key, self.line, self.builtin, self.expression)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Origin)
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (f"Origin(file={self.file!r}, key={self.key!r}, line={self.line!r}, "
                f"builtin={self.builtin!r}, expression={self.expression!r})")

    def __str__(self) -> str:
        if self.builtin:
            name = self.file.removeprefix("provider_base/").removesuffix(".json")
            return f"(built-in default: {name})"
        return f"{self.file}:{self.line}" if self.line is not None else self.file


@dataclass(frozen=True)
class MergeMismatch:
    """Two values of different types met at ``key``: ``leap compile`` stops there."""

    key: str
    parent: Origin | None
    child: Origin
    types: tuple[str, str]
    values: tuple[object, object] = (None, None)


@dataclass(frozen=True)
class Layer:
    """One file's contribution to a node: its value and the lines of its keys."""

    file: str
    value: Mapping[str, object]
    builtin: bool = False
    lines: Mapping[Path, int] = field(default_factory=dict)


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return {int: "integer", float: "number", str: "string", list: "array", dict: "hash"}.get(
        type(value), type(value).__name__
    )


def _mismatch(old: object, new: object) -> bool:
    if isinstance(old, bool) and isinstance(new, bool):
        return False
    if is_expression(old) or is_expression(new):
        return False
    return type(old) is not type(new)


def _clean_bool(value: object) -> object:
    if value == "true":
        return True
    if value == "false":
        return False
    return value


def _append(array: list[object], scalar: object) -> list[object]:
    result: list[object] = []
    for item in [*array, scalar]:
        if item is None or item == REQUIRED or item in result:
            continue
        result.append(item)
    return result


_Ref = tuple[Layer, Path, Path, bool]
"""An origin not yet built: (layer, path, path in the layer, is an expression).

Most origins are never looked at; building the Origin only on demand keeps merging cheap.
"""


def _materialize(ref: _Ref) -> Origin:
    layer, path, src_path, expression = ref
    return Origin(layer.file, dotted(path), None, layer.builtin, expression,
                  lines=layer.lines, source=src_path)


class MergeState:
    """A merged tree under construction, with the origin of each value.

    ``parent_origins`` is a read-only origins map this state builds on (shared between the
    nodes with the same services and tags); lookups fall through to it.
    """

    __slots__ = ("errors", "origins", "parent_origins", "required", "values")

    def __init__(
        self,
        values: dict[str, object] | None = None,
        origins: dict[Path, _Ref] | None = None,
        parent_origins: Mapping[Path, _Ref] | None = None,
        required: set[Path] | None = None,
        errors: list[MergeMismatch] | None = None,
    ) -> None:
        self.values: dict[str, object] = dict(values or {})
        self.origins: dict[Path, _Ref] = origins if origins is not None else {}
        self.parent_origins: Mapping[Path, _Ref] = parent_origins or {}
        self.required: set[Path] = set(required or ())
        self.errors: list[MergeMismatch] = list(errors or ())

    def fork(self, *, share_origins: bool) -> MergeState:
        """A copy to merge more layers into; this state stays as it is.

        With ``share_origins`` the copy reads this state's origins without copying them
        (cheap, for one node); otherwise it gets its own flat copy (for a shared prefix).
        """
        if share_origins:
            merged: Mapping[Path, _Ref] = self.all_origins()
            return MergeState(self.values, {}, merged, self.required, self.errors)
        return MergeState(
            self.values, dict(self.all_origins()), None, self.required, self.errors
        )

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
        return None if found is None else _materialize(found)

    def merge(self, layer: Layer) -> None:
        self._merge_dict(self.values, layer.value, (), (), layer)

    # -- the rules --------------------------------------------------------------------------

    def _origin(self, layer: Layer, path: Path, src_path: Path, value: object) -> _Ref:
        return (layer, path, src_path, is_expression(value))

    def _set_leaf(
        self, target: dict[str, object], key: str, value: object, path: Path, origin: _Ref
    ) -> None:
        target[key] = value
        self.origins[path] = origin
        if is_required_placeholder(value):
            self.required.add(path)
        elif path in self.required:
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
            self.origins[path] = self._origin(layer, path, src_path, value)
            self.required.discard(path)
        else:
            self._set_leaf(target, key, value, path, self._origin(layer, path, src_path, value))

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
        for raw_key, raw_new in source.items():
            force = raw_key.endswith("!")
            key = raw_key[:-1] if force else raw_key
            path = (*prefix, key)
            src_path = (*src_prefix, raw_key)
            new = _clean_bool(raw_new)
            old = _clean_bool(target.get(key))
            if force:
                if isinstance(old, dict):
                    self._prune(path)
                self._adopt(target, key, new, path, src_path, layer)
            elif isinstance(old, dict) and isinstance(new, dict):
                child = dict(old)
                self._merge_dict(child, new, path, src_path, layer)
                target[key] = child
                self.origins[path] = self._origin(layer, path, src_path, new)
            elif new is None:
                if key not in target:
                    self._set_leaf(target, key, None, path,
                                   self._origin(layer, path, src_path, None))
            elif old is None:
                self._adopt(target, key, new, path, src_path, layer)
            elif isinstance(old, list) and not isinstance(new, (list, dict)):
                self._set_leaf(target, key, _append(old, new), path,
                               self._origin(layer, path, src_path, new))
            elif isinstance(new, list) and not isinstance(old, (list, dict)):
                self._set_leaf(target, key, _append(new, old), path,
                               self._origin(layer, path, src_path, new))
            elif _mismatch(old, new):
                child_origin = self._origin(layer, path, src_path, new)
                self.errors.append(
                    MergeMismatch(
                        dotted(path), self.origin(path), _materialize(child_origin),
                        (_type_name(old), _type_name(new)), (old, new),
                    )
                )
                if isinstance(old, dict):
                    self._prune(path)
                self._adopt(target, key, new, path, src_path, layer)
            else:
                self._set_leaf(target, key, new, path, self._origin(layer, path, src_path, new))


def merge_layers(layers: Iterable[Layer], start: MergeState | None = None) -> MergeState:
    state = start.fork(share_origins=False) if start is not None else MergeState()
    for layer in layers:
        state.merge(layer)
    return state


def resolve_key(values: object, key: str) -> Path | None:
    """The path of a dotted key in ``values``; keys that contain dots ("example.org") too."""
    if not key:
        return ()
    parts = key.split(".")
    path: list[str | int] = []
    current = values
    i, n = 0, len(parts)
    while i < n:
        part = parts[i]
        if isinstance(current, dict):
            if part in current:
                path.append(part)
                current = current[part]
                i += 1
                continue
            for j in range(i + 2, n + 1):
                candidate = ".".join(parts[i:j])
                if candidate in current:
                    path.append(candidate)
                    current = current[candidate]
                    i = j
                    break
            else:
                return None
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            path.append(int(part))
            current = current[int(part)]
            i += 1
        else:
            return None
    return tuple(path)


class EffectiveNode:
    """One node as ``leap compile`` sees it before evaluating expressions.

    ``file`` is the node's rel path. ``cache`` holds data derived from this object (its
    bound ports, its check results): it lives exactly as long as this merge is current.
    """

    __slots__ = (
        "_state", "cache", "environment", "file", "merge_errors", "name", "services", "tags",
        "values",
    )

    def __init__(
        self, name: str, file: str, services: list[str], tags: list[str],
        environment: str | None, state: MergeState,
    ) -> None:
        self.name = name
        self.file = file
        self.services = services
        self.tags = tags
        self.environment = environment
        self._state = state
        self.values: dict[str, object] = state.values
        self.merge_errors: list[MergeMismatch] = state.errors
        self.cache: dict[str, object] = {}

    @property
    def required_paths(self) -> list[Path]:
        """Paths still holding the "REQUIRED" placeholder, in a stable order."""
        return sorted(self._state.required, key=dotted)

    def get(self, key: str, default: object = None) -> object:
        path = resolve_key(self.values, key)
        return default if path is None else get_path(self.values, path, default)

    def get_path(self, path: Path, default: object = None) -> object:
        return get_path(self.values, path, default)

    def origin(self, key: str) -> Origin | None:
        path = resolve_key(self.values, key)
        return None if path is None else self.origin_of(path)

    def origin_of(self, path: Path) -> Origin | None:
        """The origin of the value at ``path``; an array item has its array's origin."""
        while path:
            found = self._state.origin(path)
            if found is not None:
                return found
            path = path[:-1]
        return None

    def __repr__(self) -> str:
        return f"EffectiveNode({self.name!r}, services={self.services}, tags={self.tags})"

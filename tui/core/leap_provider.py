"""A LEAP provider directory: its files, their byte-exact edits, and each node's merge.

Inheritance, as leap_cli applies it to a node whose environment is ENV (our reading of
``Config::Manager``: provider services/tags/common inherit from provider_base's first,
then the node inherits from them in this order; ``X.ENV.json`` comes right after ``X.json``):

    provider_base/common.json  <- common.json  <- common.ENV.json
    for each service of the node, in the order listed:
        provider_base/services/S.json <- services/S.json <- services/S.ENV.json
    for each tag of the node, in the order listed:
        provider_base/tags/T.json <- tags/T.json <- tags/T.ENV.json
    <- nodes/NODE.json

``services`` and ``tags`` are read from the node file itself (a list or one string), as
LEAP does. The environment that picks the ``.ENV.json`` variants is LEAP's guess: the
node file's own ``environment``, else the last of its tags whose name is an environment
name (a value of ``environment`` in some tag file), else none. ``EffectiveNode.environment``
is the merged ``environment`` value (what the node ends up saying), or that guess.

Provider files: provider.json, common.json, services/*.json, tags/*.json, nodes/*.json and
their ``X.ENV.json`` variants. Each must hold a JSON object.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.errors import ConfigError
from tui.core.jsonc import JsoncDocument
from tui.core.jsonc import Path as KeyPath
from tui.core.leap_defaults import (
    BaseLayers,
    builtin_layers,
    find_platform,
    json_files,
    load_platform,
)
from tui.core.leap_files import ProviderFile as ProviderFile
from tui.core.leap_files import names_error as names_error
from tui.core.leap_files import names_of, parse_object, split_rel
from tui.core.leap_merge import (
    EffectiveNode,
    Layer,
    MergeState,
    is_expression,
    merge_layers,
    resolve_key,
)
from tui.core.textfile import read_text

_GROUPS = ("services", "tags", "nodes")


@dataclass
class _Caches:
    effective: dict[str, EffectiveNode] = field(default_factory=dict)
    combos: dict[tuple[str | None, tuple[str, ...], tuple[str, ...]], MergeState] = field(
        default_factory=dict
    )
    # (env, services): common merged with those service files, in order
    services: dict[tuple[str | None, tuple[str, ...]], MergeState] = field(
        default_factory=dict
    )
    layers: dict[tuple[str, str, str | None], list[Layer]] = field(default_factory=dict)
    # services and tags values -> (names, the same as a tuple)
    names: dict[object, tuple[list[str], tuple[str, ...]]] = field(default_factory=dict)
    # data derived from the merged states, shared by the nodes of every environment
    family: dict[object, object] = field(default_factory=dict)
    prefix: dict[str | None, MergeState] = field(default_factory=dict)
    provider: dict[str | None, MergeState] = field(default_factory=dict)
    environments: frozenset[str] | None = None
    known_services: frozenset[str] | None = None
    known_tags: frozenset[str] | None = None


class Provider:
    """The provider directory ``root``; ``base`` is provider_base (platform or built-in)."""

    def __init__(self, root: Path, base: BaseLayers, files: dict[str, ProviderFile]) -> None:
        self.root = root
        self.base = base
        self.files: dict[str, ProviderFile] = {}
        self.nodes: dict[str, ProviderFile] = {}
        self.services: dict[str, ProviderFile] = {}
        self.tags: dict[str, ProviderFile] = {}
        self.provider_file: ProviderFile | None = None
        self.common: ProviderFile | None = None
        self._variants: dict[tuple[str, str, str], ProviderFile] = {}
        self._caches = _Caches()
        self.revision = 0
        for pf in files.values():
            self._register(pf)

    # -- loading ----------------------------------------------------------------------------

    @classmethod
    def load(cls, root: Path, platform: Path | None = None) -> Provider:
        """Read every provider file under ``root``; ConfigError on the first bad one, with
        the other bad files in its ``more``.

        ``platform`` is a LEAP platform directory (or a provider_base directory); without
        it, the one the Leapfile names is used when it exists, else built-in defaults.
        """
        root = Path(root)
        if not root.is_dir():
            raise ConfigError(str(root), "not a directory (expected a LEAP provider)")
        if platform is None:
            platform = find_platform(root)
        base = load_platform(platform) if platform is not None else builtin_layers()
        candidates = [(path.name, path) for path in json_files(root)]
        errors: list[ConfigError] = []
        for group in _GROUPS:
            directory = root / group
            if directory.is_dir():
                candidates += [(f"{group}/{path.name}", path) for path in json_files(directory)]
            elif os.path.lexists(directory):
                errors.append(ConfigError(
                    str(directory), f"not a directory: LEAP reads {group}/*.json from a "
                    f"{group} directory here"))
        files: dict[str, ProviderFile] = {}
        for rel, path in candidates:
            parts = split_rel(rel)
            if parts is None:
                continue
            label = str(path)
            try:
                text = read_text(path, label)
                files[rel] = ProviderFile(rel, path, parse_object(text, label), text, *parts)
            except ConfigError as error:
                errors.append(error)  # go on: the operator fixes every file in one round
        if errors:
            errors[0].more = errors[1:]
            raise errors[0]
        return cls(root, base, files)

    def _register(self, pf: ProviderFile) -> None:
        self.files[pf.rel] = pf
        if pf.env is not None:
            self._variants[(pf.kind, pf.name, pf.env)] = pf
        elif pf.kind == "provider":
            self.provider_file = pf
        elif pf.kind == "common":
            self.common = pf
        else:
            getattr(self, pf.kind)[pf.name] = pf

    # -- reading ----------------------------------------------------------------------------

    def node_names(self) -> list[str]:
        return sorted(self.nodes)

    def node_file(self, node: str) -> str:
        return self.nodes[node].rel

    def text(self, rel: str) -> str:
        return self.files[rel].doc.text

    def original_text(self, rel: str) -> str:
        return self.files[rel].original

    def modified_files(self) -> list[str]:
        return sorted(rel for rel, pf in self.files.items() if pf.doc.text != pf.original)

    def get_raw(self, rel: str, key: str) -> object | None:
        pf = self.files.get(rel)
        if pf is None:
            return None
        path = resolve_key(pf.doc.value, key)
        return None if path is None else pf.doc.get(path)

    def variant(self, kind: str, name: str, env: str | None) -> ProviderFile | None:
        """The ``X.ENV.json`` file of ``kind``/``name`` for ``env`` (None when absent)."""
        return None if env is None else self._variants.get((kind, name, env))

    def environment_names(self) -> frozenset[str]:
        """Every value of ``environment`` in a tag file (provider_base's included)."""
        if self._caches.environments is None:
            names: set[str] = set()
            values = [*self.base.tags.values(), *(pf.doc.value for pf in self.tags.values())]
            for value in values:
                env = value.get("environment") if isinstance(value, dict) else None
                if isinstance(env, str) and not is_expression(env):
                    names.add(env)
            self._caches.environments = frozenset(names)
        return self._caches.environments

    def known_services(self) -> frozenset[str]:
        if self._caches.known_services is None:
            self._caches.known_services = self.base.service_names | frozenset(self.services)
        return self._caches.known_services

    def known_tags(self) -> frozenset[str]:
        if self._caches.known_tags is None:
            self._caches.known_tags = self.base.tag_names | frozenset(self.tags)
        return self._caches.known_tags

    # -- merging ----------------------------------------------------------------------------

    def _file_layer(self, pf: ProviderFile | None) -> list[Layer]:
        if pf is None or not isinstance(pf.doc.value, dict):
            return []
        return [Layer(pf.rel, pf.doc.value, False, pf.doc.line_map())]

    def _base_layer(self, rel: str, value: dict[str, object] | None) -> list[Layer]:
        if value is None:
            return []
        label = f"provider_base/{rel}"
        doc = self.base.docs.get(label)
        return [Layer(label, value, True, doc.line_map() if doc is not None else {})]

    def _group_layers(self, kind: str, name: str, env: str | None) -> list[Layer]:
        layers = self._caches.layers.get((kind, name, env))
        if layers is None:
            base = self.base.services if kind == "services" else self.base.tags
            own = self.services if kind == "services" else self.tags
            layers = [
                *self._base_layer(f"{kind}/{name}.json", base.get(name)),
                *self._file_layer(own.get(name)),
                *self._file_layer(self.variant(kind, name, env)),
            ]
            self._caches.layers[(kind, name, env)] = layers
        return layers

    def _prefix_state(self, env: str | None) -> MergeState:
        state = self._caches.prefix.get(env)
        if state is None:
            layers = [
                *self._base_layer("common.json", self.base.common),
                *self._file_layer(self.common),
                *self._file_layer(self.variant("common", "", env)),
            ]
            state = merge_layers(layers, family=self._caches.family)
            self._caches.prefix[env] = state
        return state

    def _combo_state(
        self, env: str | None, services: tuple[str, ...], tags: tuple[str, ...]
    ) -> MergeState:
        """common <- each service <- each tag, merged once per distinct (services, tags):
        the services part once per distinct services, the tags onto one copy of it."""
        key = (env, services, tags)
        state = self._caches.combos.get(key)
        if state is None:
            state = self._services_state(env, services)
            if tags:
                state = merge_layers(
                    [layer for tag in tags for layer in self._group_layers("tags", tag, env)],
                    start=state)
            self._caches.combos[key] = state
        return state

    def _services_state(self, env: str | None, services: tuple[str, ...]) -> MergeState:
        state = self._caches.services.get((env, services))
        if state is None:
            state = self._prefix_state(env)
            if services:
                state = merge_layers([layer for service in services
                                      for layer in self._group_layers("services", service, env)],
                                     start=state)
            self._caches.services[(env, services)] = state
        return state

    def guess_environment(self, node: str) -> str | None:
        raw = self.nodes[node].doc.value
        assert isinstance(raw, dict)
        return self._guess_environment(raw, names_of(raw.get("tags")))

    def _guess_environment(self, raw: dict[str, object], tags: list[str]) -> str | None:
        own = raw.get("environment")
        if isinstance(own, str) and not is_expression(own):
            return own
        env_names = self.environment_names()
        guess: str | None = None
        for tag in tags:
            if tag in env_names:
                guess = tag
        return guess

    def _names(self, value: object) -> tuple[list[str], tuple[str, ...]]:
        """``names_of(value)``, and as a tuple; one list per distinct value, shared by the
        nodes that write it (read only, as every list an EffectiveNode holds)."""
        names = self._caches.names
        try:
            key = (value.__class__, tuple(value) if value.__class__ is list else value)
            found = names.get(key)
        except TypeError:  # an unhashable item: not a name, and not worth a memo
            listed = names_of(value)
            return listed, tuple(listed)
        if found is None:
            listed = names_of(value)
            found = names[key] = (listed, tuple(listed))
        return found

    def effective(self, node: str) -> EffectiveNode:
        """The merged configuration of ``node`` (KeyError for an unknown node); cached."""
        cached = self._caches.effective.get(node)
        if cached is not None:
            return cached
        pf = self.nodes[node]
        raw = pf.doc.value
        assert isinstance(raw, dict)
        services, service_key = self._names(raw.get("services"))
        tags, tag_key = self._names(raw.get("tags"))
        env = self._guess_environment(raw, tags)
        base = self._combo_state(env, service_key, tag_key)
        state = base.fork(share_origins=True)
        state.merge(Layer(pf.rel, raw, False, pf.doc.line_map()))
        merged_env = state.values.get("environment")
        environment = merged_env if isinstance(merged_env, str) else env
        own = frozenset(raw)
        written = "".join(raw)
        if "." in written or "!" in written:  # "ssh.port" or "ssh!" are "ssh" keys too
            own = frozenset(key.partition(".")[0].rstrip("!") for key in raw)
        result = EffectiveNode(node, pf.rel, services, tags, environment, state, base=base,
                               own_keys=own, layer=raw)
        self._caches.effective[node] = result
        return result

    def provider_state(self, env: str | None = None) -> MergeState:
        """provider_base/provider.json <- provider.json (<- provider.ENV.json), with origins."""
        state = self._caches.provider.get(env)
        if state is None:
            layers = [
                *self._base_layer("provider.json", self.base.provider),
                *self._file_layer(self.provider_file),
                *self._file_layer(self.variant("provider", "", env)),
            ]
            state = merge_layers(layers)
            self._caches.provider[env] = state
        return state

    def provider_settings(self, env: str | None = None) -> dict[str, object]:
        return self.provider_state(env).values

    # -- editing ----------------------------------------------------------------------------

    def _key_path(self, doc: JsoncDocument, key: str) -> KeyPath:
        found = resolve_key(doc.value, key)
        if found is not None:
            return found
        path: list[str | int] = []
        current: object = doc.value
        for part in key.split("."):
            if isinstance(current, list) and part.isdigit():
                path.append(int(part))
                current = current[int(part)] if int(part) < len(current) else None
            else:
                path.append(part)
                current = current.get(part) if isinstance(current, dict) else None
        return tuple(path)

    def _file_for_edit(self, rel: str) -> ProviderFile:
        pf = self.files.get(rel)
        if pf is not None:
            return pf
        parts = split_rel(rel)
        if parts is None:
            raise ConfigError(str(self.root / rel), "not a provider file (provider.json, "
                              "common.json, services/, tags/ or nodes/ *.json)")
        # a new file: nothing on disk yet, so its original text is empty
        path = self.root / rel
        pf = ProviderFile(rel, path, parse_object("{\n}\n", str(path)), "", *parts)
        self._register(pf)
        self._invalidate(rel)
        return pf

    def set_value(self, rel: str, key: str, value: object) -> None:
        """Set dotted ``key`` in file ``rel`` (created when absent); only that text changes."""
        pf = self._file_for_edit(rel)
        pf.doc.set(self._key_path(pf.doc, key), value)
        self._invalidate(rel)

    def unset_value(self, rel: str, key: str) -> None:
        pf = self.files.get(rel)
        if pf is None:
            return
        path = resolve_key(pf.doc.value, key)
        if path is not None:
            pf.doc.remove(path)
            self._invalidate(rel)

    def replace_text(self, rel: str, text: str) -> None:
        """Swap a file's whole text (undo/redo); ConfigError leaves everything unchanged."""
        pf = self._file_for_edit(rel)
        doc = parse_object(text, str(pf.path))
        pf.doc = doc
        self._invalidate(rel)

    def save(self, rels: list[str] | None = None) -> None:
        """Write the given (default: every modified) file atomically."""
        from tui.core.atomic import atomic_write

        for rel in rels if rels is not None else self.modified_files():
            pf = self.files[rel]
            pf.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(pf.path, pf.doc.text.encode("utf-8"))
            pf.original = pf.doc.text

    def _invalidate(self, rel: str) -> None:
        self.revision += 1
        pf = self.files.get(rel)
        if pf is not None and pf.kind == "nodes":
            self._caches.effective.pop(pf.name, None)
        else:
            self._caches = _Caches()

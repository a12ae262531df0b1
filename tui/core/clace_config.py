"""The Clace server TOML file as a byte-exact, editable model.

tomlkit keeps every comment, blank line, quote and the aligned trailing comments of the
real files, so an unedited file renders to the bytes it was read from. Edits go through
:meth:`ClaceConfig.set` / :meth:`ClaceConfig.unset` and change only the lines they must:

* replacing a value keeps the key's spelling, its quoting style (a literal ``'...'`` string
  stays literal) and its trailing comment at the same column when the comments were aligned;
* a new key is written as one new line after the last key of its table, with that key's
  indentation and the file's newline style; a new table is appended at the end of the file.

Key paths are dotted (``"https.port"``); a segment holding a dot is quoted the TOML way
(``'plugin."store.in".db_connection'``); a run of digits indexes an array of tables
(``"permissions.allow.0.plugin"``).

Environment variables: ``$VAR`` and ``${VAR}`` are expanded by :meth:`ClaceConfig.expand`
for display and checks only, never written back, as the server expands them; ``$CL_HOME``
(and OpenRun's ``$OPENRUN_HOME``) default to this file's directory, as the server's do
(see :mod:`tui.core.clace_env`). Another unset variable stays as written.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from tui.core.clace_env import expand_value, server_env, server_path
from tui.core.clace_env import variables_in as variables_in
from tui.core.clace_items import (
    ACCEPTED_TYPES,
    MISSING,
    carry_trivia,
    check_index,
    child_of,
    existing_item,
    holder_key,
    inline_with,
    new_item,
    parse_document,
    plain,
)
from tui.core.clace_items import parse_field_value as parse_field_value
from tui.core.clace_items import toml_item as toml_item
from tui.core.clace_items import toml_literal as toml_literal
from tui.core.clace_keys import LineIndex, scan, with_new_key
from tui.core.clace_keys import join_key as join_key
from tui.core.clace_keys import split_key as split_key
from tui.core.clace_schema import CLACE_FIELDS, value_has_kind
from tui.core.errors import ConfigError
from tui.core.textfile import decode_utf8, read_bytes
from tui.core.toml10 import read_toml10

if TYPE_CHECKING:
    import tomlkit
    from tomlkit.items import Item

_BOM = "\ufeff"


@dataclass(frozen=True)
class HttpSettings:
    host: str
    port: int
    redirect_to_https: bool


@dataclass(frozen=True)
class HttpsSettings:
    host: str
    port: int
    enable_cert_lookup: bool
    service_email: str
    use_staging: bool
    cert_location: str
    storage_location: str
    mkcert_path: str
    disable_client_certs: bool


# --- decoding and parsing -------------------------------------------------------------------

def _split_bom(text: str) -> tuple[str, str]:
    """(bom, text): the BOM is kept aside so that saving writes it back."""
    if text.startswith(_BOM):
        return _BOM, text[1:]
    return "", text


class ClaceConfig:
    """One Clace server TOML file: load, read typed settings, edit byte-exact, save."""

    def __init__(self, path: Path, text: str, *, bom: str = "") -> None:
        self.path = Path(path)
        self._bom = bom
        # Read once, as plain values, by the TOML 1.0 reader; tomlkit's editable document
        # (ten times slower to build on a large file) only for the first edit.
        self._inline: set[int] = set()  # the ids of inline tables among the values
        self._values: dict[str, object] = read_toml10(text, str(path), self._inline)
        self._tomlkit: tomlkit.TOMLDocument | None = None
        self._original = text  # as opened or last saved
        self._source = text  # what the values were read from, while there is no document
        # Every edit bumps _version; only an edit that may move lines bumps _layout, so
        # that replacing a value in place keeps the line index (and checks stay cheap).
        self._version = 0
        self._layout = 0
        self._text_version = -1
        self._values_version = -1
        self._index_layout = -1
        self._text_cache = ""
        self._index_cache: LineIndex | None = None
        self._settings_cache: tuple[HttpSettings, HttpsSettings] | None = None
        self._nodes: dict[str, Any] = {}

    # -- construction ----------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> ClaceConfig:
        file = str(path)
        bom, text = _split_bom(decode_utf8(read_bytes(Path(path), file), file))
        return cls(Path(path), text, bom=bom)

    @classmethod
    def parse(cls, text: str, path: Path) -> ClaceConfig:
        bom = _BOM if text.startswith(_BOM) else ""
        return cls(Path(path), text[len(bom) :], bom=bom)

    # -- text --------------------------------------------------------------------------------

    def _changed(self, *, layout: bool) -> None:
        self._version += 1
        if layout:
            self._layout += 1

    @property
    def _doc(self) -> tomlkit.TOMLDocument:
        """The editable document, parsed at the first edit (or read of it)."""
        if self._tomlkit is None:
            self._tomlkit = parse_document(self._source, str(self.path), checked=True)
            self._nodes.clear()  # found in the values read: from now on, in the document
        return self._tomlkit

    def _root(self) -> Any:
        """What reads start from: the document once there is one, else the values read."""
        return self._values if self._tomlkit is None else self._tomlkit

    def _refresh(self) -> None:
        if self._text_version != self._version:
            # no document yet: the text the values were read from
            doc = self._tomlkit
            self._text_cache = self._source if doc is None else doc.as_string()
            self._text_version = self._version

    def _refresh_values(self) -> None:
        if self._values_version != self._version:
            self._settings_cache = None
            self._nodes.clear()
            self._values_version = self._version

    @property
    def text(self) -> str:
        """The current rendering (without a leading BOM, which :meth:`save` restores)."""
        self._refresh()
        return self._text_cache

    @property
    def original_text(self) -> str:
        return self._original

    @property
    def is_modified(self) -> bool:
        return self.text != self._original

    def _index(self) -> LineIndex:
        if self._index_cache is None or self._index_layout != self._layout:
            self._index_cache = scan(self.text)
            self._index_layout = self._layout
        return self._index_cache

    def _newline(self) -> str:
        return "\r\n" if "\r\n" in self.text else "\n"

    # -- typed settings ------------------------------------------------------------------------

    def _settings(self) -> tuple[HttpSettings, HttpsSettings]:
        self._refresh_values()
        if self._settings_cache is None:
            e = self._effective
            http = HttpSettings(
                host=str(e("http.host")),
                port=cast(int, e("http.port")),
                redirect_to_https=bool(e("http.redirect_to_https")),
            )
            https = HttpsSettings(
                host=str(e("https.host")),
                port=cast(int, e("https.port")),
                enable_cert_lookup=bool(e("https.enable_cert_lookup")),
                service_email=str(e("https.service_email")),
                use_staging=bool(e("https.use_staging")),
                cert_location=str(e("https.cert_location")),
                storage_location=str(e("https.storage_location")),
                mkcert_path=str(e("https.mkcert_path")),
                disable_client_certs=bool(e("https.disable_client_certs")),
            )
            self._settings_cache = (http, https)
        return self._settings_cache

    @property
    def http(self) -> HttpSettings:
        """Effective [http] settings: a missing or wrongly typed value reads as its default."""
        return self._settings()[0]

    @property
    def https(self) -> HttpsSettings:
        """Effective [https] settings: a missing or wrongly typed value reads as its default."""
        return self._settings()[1]

    def _effective(self, key: str) -> object:
        spec = CLACE_FIELDS[key]
        value = self.raw(key)
        return value if value_has_kind(spec.kind, value) else spec.default

    # -- reading -------------------------------------------------------------------------------

    def _node(self, segments: Sequence[str]) -> Any:
        node: Any = self._root()
        for segment in segments:
            node = child_of(node, segment)
            if node is MISSING:
                return MISSING
        return node

    def _lookup(self, key: str) -> Any:
        """The tomlkit node at ``key`` (or MISSING), memoised until the next edit."""
        self._refresh_values()
        node = self._nodes.get(key, None)
        if node is None:
            node = self._node(split_key(key))
            self._nodes[key] = node
        return node

    def get(self, key: str) -> object:
        """The effective value: for a modelled field its default when absent or wrongly
        typed; for any other key the value as written, ``None`` when absent."""
        if key in CLACE_FIELDS:
            return self._effective(key)
        return self.raw(key)

    def raw(self, key: str) -> object | None:
        """The plain Python value as written (dict for a table), ``None`` if absent."""
        node = self._lookup(key)
        if node is MISSING:
            return None
        if isinstance(node, (dict, list)):
            return copy.deepcopy(node)  # the values read stay as read (tomlkit copies too)
        return plain(node)

    def is_set(self, key: str) -> bool:
        return self._lookup(key) is not MISSING

    def is_table(self, key: str) -> bool:
        """Whether ``key`` holds a table (``[https]``, an inline table or dotted keys)."""
        return isinstance(self._lookup(key), MutableMapping)

    def line_of(self, key: str) -> int | None:
        """1-based line of the key; when it is absent, of its nearest table that exists."""
        segments = split_key(key)
        lines = self._index().lines
        for length in range(len(segments), 0, -1):
            line = lines.get(segments[:length])
            if line is not None:
                return line
        return None

    def keys_of(self, section: str) -> list[str]:
        """The keys written directly in a table (``"https"``; ``""`` the root), in order."""
        node = self._lookup(section) if section else self._root()
        return list(node) if isinstance(node, MutableMapping) else []

    # -- editing -------------------------------------------------------------------------------

    def set(self, key: str, value: object) -> None:
        """Write ``value`` at ``key``, creating the key (and its table) when absent.

        Raises ValueError for an empty key, a path through a value that is not a table or
        a key that cannot be added where its table is written; TypeError for a value TOML
        cannot hold. The model is unchanged when it raises.
        """
        if not isinstance(value, ACCEPTED_TYPES):
            raise TypeError(f"{key}: cannot write a {type(value).__name__} to TOML")
        segments = split_key(key)
        if not segments or not all(segments):
            raise ValueError(f"not a key path: {key!r}")
        if self._tomlkit is None and self._is_new_line(segments):
            self._insert_text(segments, value)  # a new line: no document needed before it
            return
        parent: Any = self._doc
        grand: Any = None
        for depth, segment in enumerate(segments[:-1]):
            check_index(parent, segments, depth)
            child = child_of(parent, segment)
            if child is MISSING:
                self._insert_text(segments, value)
                return
            if not isinstance(child, (MutableMapping, list)):
                raise ValueError(f"{join_key(segments[: depth + 1])} is not a table")
            grand, parent = parent, child
        last = segments[-1]
        if isinstance(parent, list):
            self._set_item(parent, segments, value)
            return
        if last not in parent:
            from tomlkit.items import InlineTable

            if isinstance(parent, InlineTable):
                self._add_to_inline(grand, segments, value)
                return
            self._insert_text(segments, value)
            return
        old = existing_item(parent, last)
        new = new_item(value, old)
        in_place = False
        if old is not None and not isinstance(old, (MutableMapping, list)):
            carry_trivia(new, old, keep_column=self._comment_aligned(segments, old))
            in_place = "\n" not in old.as_string() and "\n" not in new.as_string()
        parent[last] = new
        self._changed(layout=not in_place)

    def _is_new_line(self, segments: tuple[str, ...]) -> bool:
        """Whether ``set`` would add ``segments`` as a new line of text, judged on the values
        read as ``set`` judges it on the document (the same errors raised): a table on the
        way is absent, or the key is absent from a table that is not inline."""
        parent: Any = self._values
        for depth, segment in enumerate(segments[:-1]):
            check_index(parent, segments, depth)
            child = child_of(parent, segment)
            if child is MISSING:
                return True
            if not isinstance(child, (MutableMapping, list)):
                raise ValueError(f"{join_key(segments[: depth + 1])} is not a table")
            parent = child
        if isinstance(parent, list):
            return False
        return segments[-1] not in parent and id(parent) not in self._inline

    def _set_item(self, array: Any, segments: tuple[str, ...], value: object) -> None:
        """``arr.N = value``: replace an element of an array (or add one at its end)."""
        from tomlkit.items import AoT

        where = join_key(segments[:-1])
        if isinstance(array, AoT):
            raise ValueError(f"{where} is an array of tables: set a key of one of them "
                             f"({where}.0.KEY)")
        check_index(array, segments, len(segments) - 1, allow_end=True)
        index = int(segments[-1])
        if index == len(array):
            array.append(value)
        else:
            array[index] = toml_item(value)
        self._changed(layout=True)

    def _add_to_inline(self, holder: Any, segments: tuple[str, ...], value: object) -> None:
        """A new key in an inline table, keeping its spacing (``{ a = 1 }`` stays spaced)."""
        inline = holder[holder_key(holder, segments[-2])]
        import tomlkit

        text = inline_with(inline.as_string(), join_key(segments[-1:]), toml_literal(value))
        item = cast("Item", tomlkit.parse(f"x = {text}\n").item("x"))
        carry_trivia(item, inline, keep_column=False)
        holder[holder_key(holder, segments[-2])] = item
        self._changed(layout=True)

    def _comment_aligned(self, segments: tuple[str, ...], old: Item) -> bool:
        """Whether the key's trailing comment lines up with a neighbour's (a column to keep)."""
        comment, padding = old.trivia.comment, old.trivia.comment_ws
        if not comment:
            return False
        if len(padding) > 1:
            return True
        line = self._index().lines.get(segments)
        if line is None:
            return False
        lines = self.text.split("\n")
        column = lines[line - 1].rfind(comment)
        neighbours = lines[max(line - 2, 0) : line - 1] + lines[line : line + 1]
        return column > 0 and any(n.find("#") == column for n in neighbours)

    def _insert_text(self, segments: tuple[str, ...], value: object) -> None:
        """Add a key that does not exist as one new line (or a new table at the end)."""
        new_text = with_new_key(self.text, self._index(), segments, toml_literal(value),
                                self._newline())
        try:
            self.replace_text(new_text)
        except ConfigError as exc:
            raise ValueError(f"cannot add {join_key(segments)} here: {exc.message}") from None

    def unset(self, key: str) -> None:
        """Remove the key and its line; absent keys are left alone."""
        segments = split_key(key)
        doc = self._doc  # edits go to the document (parsed now if it was not yet)
        parent = self._node(segments[:-1]) if len(segments) > 1 else doc
        if isinstance(parent, MutableMapping) and segments and segments[-1] in parent:
            del parent[segments[-1]]
            self._changed(layout=True)

    def replace_text(self, text: str) -> None:
        """Take ``text`` as the new content (a key added as a line, undo, redo); ConfigError
        leaves the model as is. Read as at load, by the TOML 1.0 reader: tomlkit's document
        is built again only when an edit needs it (seconds, on a file of megabytes)."""
        inline: set[int] = set()
        values = read_toml10(text, str(self.path), inline)
        self._values, self._inline, self._source = values, inline, text
        self._tomlkit = None
        self._changed(layout=True)

    def save(self) -> None:
        from tui.core.atomic import atomic_write

        text = self.text
        atomic_write(self.path, (self._bom + text).encode("utf-8"))
        self._original = text

    # -- display -------------------------------------------------------------------------------

    def expand(self, value: str, *, env: Mapping[str, str] | None = None) -> str:
        """``$VAR``/``${VAR}`` expanded as the server does; unset variables stay as written.

        Without ``env``: our environment, with $CL_HOME defaulted to this file's directory
        as the server defaults it. With ``env`` (another host's, a test's): that mapping as
        it is.
        """
        return expand_value(value, server_env(self.path) if env is None else env)

    def server_path(self, value: str) -> Path:
        """A path setting as the server started on this file resolves it here: $CL_HOME
        defaulted, a relative path taken from $CL_HOME."""
        return server_path(value, server_env(self.path))

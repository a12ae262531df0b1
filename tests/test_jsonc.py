"""jsonc: LEAP's JSON with // comment lines, parsed with spans and edited byte-exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core.errors import ConfigError
from tui.core.jsonc import JsoncDocument, parse_jsonc

NS1 = '//\n// this is a comment\n//\n{\n  "services": "dns",\n  "ip_address": "1.1.1.1",\n' \
      '  "tags": "seattle"\n}'


def test_comment_lines_are_dropped_and_value_parsed() -> None:
    assert parse_jsonc(NS1, "ns1.json") == {
        "services": "dns", "ip_address": "1.1.1.1", "tags": "seattle",
    }


def test_comment_line_inside_an_object_is_whitespace() -> None:
    text = '{\n  "a": {\n     // note\n    "b": 1\n  }\n}\n'
    assert parse_jsonc(text) == {"a": {"b": 1}}


def test_comments_json_pure_ignores_are_whitespace() -> None:
    """leap_cli parses with json_pure, whose grammar skips // and /* */ comments."""
    text = '{\n  "a": 1, // trailing\n  /* block */ "b": [2 /* in */, 3]\n}\n'
    assert parse_jsonc(text) == {"a": 1, "b": [2, 3]}
    assert parse_jsonc('{"a": 1} // last line\n') == {"a": 1}


def test_escapes_as_json_pure_reads_them() -> None:
    assert parse_jsonc('{"a": "\\q\\/\\u00e9\\ud83d\\ude00"}') == {"a": "q/\u00e9\U0001f600"}


def test_a_number_of_4300_digits_still_reads() -> None:
    assert parse_jsonc('{"a": ' + "7" * 4300 + "}")["a"] % 10 == 7  # type: ignore[index]


def test_slashes_inside_strings_are_not_comments() -> None:
    assert parse_jsonc('{"u": "http://x//y"}') == {"u": "http://x//y"}


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ('{"a": 1} // trailing', 1, 10, "line break"),
        ('{"a": 1 /* open', 1, 9, "unterminated /*"),
        ('\ufeff{"a": 1}', 1, 1, "byte order mark"),
        ('{"a": "\\ud800"}', 1, 8, "surrogate"),
        ('{"a": "\\udc00x"}', 1, 8, "surrogate"),
        ('{"a": "\\u12"}', 1, 8, "\\u"),
        ('{"a": ' + "7" * 4301 + "}", 1, 7, "4301 digits"),
        ("[" * 101 + "]" * 101, 1, 101, "100 levels"),
        ('{\n  "a": 1,\n}', 3, 1, "key"),
        ('{\n  "a" 1\n}', 2, 7, "':'"),
        ('{"a": tru}', 1, 7, "value"),
        ('{"a": "x', 1, 9, "unterminated"),
        ("", 1, 1, "empty"),
        ('{"a": 1} x', 1, 10, "after"),
        ('{"a": "\\\x01"}', 1, 8, "escape"),
    ],
)
def test_syntax_errors_name_file_line_and_column(
    text: str, line: int, column: int, words: str
) -> None:
    with pytest.raises(ConfigError) as info:
        JsoncDocument.parse(text, "nodes/x.json")
    err = info.value
    assert (err.file, err.line, err.column) == ("nodes/x.json", line, column)
    assert words in err.message


def test_values_match_json_module() -> None:
    text = '{"a": [1, -2.5, 3e2, true, false, null, "\\u00e9\\n"], "b": {}}'
    assert parse_jsonc(text) == json.loads(text)


def test_line_of_keys_and_items() -> None:
    doc = JsoncDocument.parse(NS1)
    assert doc.line_of(("services",)) == 5
    assert doc.line_of(("tags",)) == 7
    assert doc.line_of(("nope",)) is None
    doc = JsoncDocument.parse('{\n "p": [\n  "80",\n  "443"\n ]\n}')
    assert doc.line_of(("p", 1)) == 4


def test_duplicate_keys_last_wins_and_are_recorded() -> None:
    doc = JsoncDocument.parse('{\n "a": 1,\n "a": 2\n}')
    assert doc.value == {"a": 2}
    assert [(d.path, d.first_line, d.line) for d in doc.duplicates] == [(("a",), 2, 3)]
    doc.set(("a",), 5)
    assert doc.text == '{\n "a": 1,\n "a": 5\n}'


def test_set_existing_changes_only_the_value() -> None:
    text = '// c\n{\n  "ssh": {\n    "port": 22\n  },\n  "x": [1, 2]\n}\n'
    doc = JsoncDocument.parse(text)
    doc.set(("ssh", "port"), 2222)
    assert doc.text == text.replace("22\n", "2222\n")
    doc.set(("x",), ["80", "443"])
    assert '"x": ["80", "443"]' in doc.text


def test_set_absent_creates_nested_objects_with_file_indent() -> None:
    doc = JsoncDocument.parse(NS1)
    doc.set(("ssh", "port"), 2222)
    assert doc.text == NS1[:-2] + ',\n  "ssh": {\n    "port": 2222\n  }\n}'
    assert doc.value == {**json.loads(NS1.split("//\n")[-1]), "ssh": {"port": 2222}}


def test_set_absent_uses_four_space_indent_of_the_file() -> None:
    doc = JsoncDocument.parse('{\n    "a": {\n        "b": 1\n    }\n}\n')
    doc.set(("a", "c"), "x")
    assert doc.text == '{\n    "a": {\n        "b": 1,\n        "c": "x"\n    }\n}\n'


def test_set_in_empty_objects() -> None:
    doc = JsoncDocument.parse("{}")
    doc.set(("ssh", "port"), 22)
    assert doc.text == '{\n  "ssh": {\n    "port": 22\n  }\n}'
    doc = JsoncDocument.parse('{\n  "s": {}\n}\n')
    doc.set(("s", "k"), True)
    assert doc.text == '{\n  "s": {\n    "k": true\n  }\n}\n'
    doc = JsoncDocument.parse("{\n}\n")
    doc.set(("k",), 1)
    assert doc.text == '{\n  "k": 1\n}\n'


def test_set_in_inline_object_stays_inline() -> None:
    doc = JsoncDocument.parse('{"a": {"b": 1}}')
    doc.set(("a", "c"), 2)
    assert doc.text == '{"a": {"b": 1, "c": 2}}'


def test_set_through_a_scalar_is_refused() -> None:
    doc = JsoncDocument.parse('{"a": 1}')
    with pytest.raises(ConfigError):
        doc.set(("a", "b"), 2)
    assert doc.text == '{"a": 1}'


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ('{\n  "a": 1,\n  "b": 2,\n  "c": 3\n}', ("b",), '{\n  "a": 1,\n  "c": 3\n}'),
        ('{\n  "a": 1,\n  "b": 2\n}', ("b",), '{\n  "a": 1\n}'),
        ('{\n  "a": 1,\n  "b": 2\n}', ("a",), '{\n  "b": 2\n}'),
        ('{\n  "a": 1\n}', ("a",), "{\n}"),
        ('{"a": 1, "b": 2}', ("b",), '{"a": 1}'),
        ('{"a": 1, "b": 2}', ("a",), '{"b": 2}'),
        ('{"p": ["80", "443", "53"]}', ("p", 1), '{"p": ["80", "53"]}'),
        ('{\n  // keep me\n  "a": 1,\n  "b": 2\n}', ("a",), '{\n  // keep me\n  "b": 2\n}'),
        ('{\n  "a": {\n    "x": 1\n  },\n  "b": 2\n}', ("a",), '{\n  "b": 2\n}'),
    ],
)
def test_remove_fixes_commas(text: str, path: tuple[str | int, ...], expected: str) -> None:
    doc = JsoncDocument.parse(text)
    doc.remove(path)
    assert doc.text == expected
    assert doc.value == parse_jsonc(expected)


def test_remove_last_key_of_created_object_leaves_empty_object() -> None:
    doc = JsoncDocument.parse('{\n  "a": 1\n}\n')
    doc.set(("ssh", "port"), 2)
    doc.remove(("ssh", "port"))
    assert doc.value == {"a": 1, "ssh": {}}


def test_trailing_newline_and_crlf_kept() -> None:
    text = '{\r\n  "a": 1\r\n}'
    doc = JsoncDocument.parse(text)
    doc.set(("a",), 2)
    assert doc.text == '{\r\n  "a": 2\r\n}'


def test_replace_text_error_keeps_document() -> None:
    doc = JsoncDocument.parse('{"a": 1}')
    with pytest.raises(ConfigError):
        doc.replace_text('{"a": }')
    assert doc.text == '{"a": 1}' and doc.value == {"a": 1}


def test_corpus_files_parse_like_leap(corpus_dir: Path) -> None:
    """Every corpus JSON parses; with comment lines dropped it equals json.loads."""
    files = sorted((corpus_dir / "leap").rglob("*.json"))
    assert len(files) > 30
    for path in files:
        text = path.read_text(encoding="utf-8")
        stripped = "".join(
            line for line in text.splitlines(keepends=True) if not line.lstrip().startswith("//")
        )
        assert parse_jsonc(text, str(path)) == json.loads(stripped), path


# -- properties ---------------------------------------------------------------------------------

_keys = st.text(alphabet="abcdefgh_.-é", min_size=1, max_size=6)
_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=8),
)
_values: st.SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(_keys, children, max_size=4)
    ),
    max_leaves=12,
)
_objects = st.dictionaries(_keys, _values, max_size=5)


def _render(value: dict[str, Any], indent: int | None, comments: bool) -> str:
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    if comments and indent is not None:
        lines = text.split("\n")
        text = "\n".join(
            line + ("\n" + " " * indent + "// note" if i % 2 == 0 else "")
            for i, line in enumerate(lines)
        )
        text = "// head\n" + text
    return text


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, (*prefix, i))
    return found


def _apply(expected: Any, op: str, path: tuple[Any, ...], new: Any) -> None:
    parent = expected
    for part in path[:-1]:
        parent = parent[part]
    if op == "remove":
        del parent[path[-1]]
    else:
        parent[path[-1]] = new


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    _objects, st.sampled_from([None, 2, 4]), st.booleans(), st.data(),
)
def test_random_edits_reparse_to_expected(
    value: dict[str, Any], indent: int | None, comments: bool, data: st.DataObject
) -> None:
    text = _render(value, indent, comments)
    doc = JsoncDocument.parse(text)
    assert doc.text == text and doc.value == value  # unedited text round-trips
    expected = json.loads(json.dumps(value))
    for _ in range(data.draw(st.integers(1, 4))):
        paths = _paths(expected)
        op = data.draw(st.sampled_from(["set", "remove", "add"]))
        if op in ("set", "remove") and paths:
            path = data.draw(st.sampled_from(paths))
            new = data.draw(_values)
            getattr(doc, op)(path, *([new] if op == "set" else []))
            _apply(expected, op, path, new)
        else:
            containers = [p for p in paths if isinstance(_get(expected, p), dict)]
            base = data.draw(st.sampled_from([(), *containers]))
            key = data.draw(_keys)
            if key in _get(expected, base):
                continue
            new = data.draw(_values)
            doc.set((*base, key), new)
            _apply(expected, "set", (*base, key), new)
        assert doc.value == expected
        assert parse_jsonc(doc.text) == expected


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value

"""The fast ways of reading files say exactly what the exact readers say.

Provider files are read by the C JSON decoder when that is certain to give Parser's value,
their key lines by a token scan; a Clace TOML by the TOML 1.0 reader, with tomlkit's
document only for the first edit. Each is compared here with the slow reader it stands in
for, on tricky texts and on the corpus.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
from pathlib import Path

import pytest
import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.clace_config import ClaceConfig
from tui.core.clace_keys import scan
from tui.core.errors import ConfigError
from tui.core.jsonc import JsoncDocument
from tui.core.jsonc_lines import scan_lines
from tui.core.jsonc_parser import Parser, fast_value
from tui.core.toml10 import check_toml10, read_toml10


def parsed(text: str) -> tuple[Parser, object]:
    parser = Parser(text, "x.json")
    value, _ = parser.parse_document()
    return parser, value


# -- LEAP JSON ---------------------------------------------------------------------------------

TRICKY = [
    '{"a": 1}',
    '//\n// comment lines\n//\n{\n  "a": [1, 2, {"b": null}],\n  "c": "http://x//y"\n}\n',
    '{"a": 1, /* block */ "b": [2 /* in */, 3]}\n',
    '{\n  "a": "/* not a comment */", // trailing\n  "b": -0.5e3\n}\n',
    '{"a": {"b": {"c": [[], {}, "", true, false]}}}',
    '[1, {"a": 2}, [3, {"b": 4}]]',
    '  {"x": "tab\\tnewline\\n quote\\" slash\\/ back\\\\"}  ',
]
SLOW_ONLY = [
    '{"a": 1} // no line break after this comment',  # an error for LEAP
    '{"a": "\\ud800"}',  # a lone surrogate: an error for LEAP
    '{"a": "\\u00e9"}',  # \u escapes: Parser's own rules
    '{"a": 1, "a": 2}',  # a repeated key: its lines are reported
    '{"a": NaN}',
    '{"a": 1,}',
    '{"a": "\\q"}',  # json_pure reads \q as q; json.loads refuses it
    '{"a": 1} // x\r\n',  # a bare CR may end a // comment in Parser
    "[" * 101 + "]" * 101,
    '\ufeff{"a": 1}',
]


@pytest.mark.parametrize("text", TRICKY)
def test_the_decoder_reads_what_the_parser_reads(text: str) -> None:
    fast = fast_value(text)
    assert fast is not None
    parser, value = parsed(text)
    doc = JsoncDocument.parse(text, "x.json")
    assert fast[0] == doc.value == value
    assert list(scan_lines(text).items()) == list(parser.lines.items())
    assert doc._root is None  # positions not parsed until asked for...
    assert doc.lines == parser.lines and doc.duplicates == []
    _, root = Parser(text, "x.json").parse_document()
    assert doc.line_of(()) == text.count("\n", 0, root.start) + 1


@pytest.mark.parametrize("text", SLOW_ONLY)
def test_what_only_the_parser_can_judge_goes_to_it(text: str) -> None:
    assert fast_value(text) is None
    try:
        parser, _ = parsed(text)
    except ConfigError as error:
        with pytest.raises(ConfigError) as raised:
            JsoncDocument.parse(text, "x.json")
        assert str(raised.value) == str(error)
        return
    doc = JsoncDocument.parse(text, "x.json")
    assert doc._root is not None and doc.duplicates == parser.duplicates


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(value=JSON_VALUES, indent=st.sampled_from([None, 2, "\t"]), seed=st.integers(0, 99))
def test_decoder_and_scan_agree_with_the_parser(value: object, indent: object,
                                               seed: int) -> None:
    rng = random.Random(seed)
    text = json.dumps(value, indent=indent, ensure_ascii=rng.random() < 0.5)  # type: ignore[arg-type]
    # comments where blanks may go: after punctuation outside strings
    out, in_string, escaped = [], False, False
    for char in text:
        out.append(char)
        if in_string:
            escaped = not escaped and char == "\\"
            in_string = escaped or char != '"'
        elif char == '"':
            in_string = True
        elif char in ",:[{" and rng.random() < 0.3:
            out.append(rng.choice(["\n", " // c\n", "/* x\n */", "\n// dropped\n"]))
    text = "".join(out) + "\n"
    fast = fast_value(text)
    if fast is None:
        return  # left to the parser: nothing to compare
    parser, parsed_value = parsed(text)
    assert json.dumps(fast[0]) == json.dumps(parsed_value)
    assert list(scan_lines(text).items()) == list(parser.lines.items())


def test_every_corpus_file_reads_the_same_both_ways(corpus_dir: Path) -> None:
    files = sorted((corpus_dir / "leap").rglob("*.json"))
    compared = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast = fast_value(text)
        if fast is None:
            continue
        parser, value = parsed(text)
        assert fast[0] == value, path
        assert list(scan_lines(text).items()) == list(parser.lines.items()), path
        compared += 1
    assert compared > len(files) // 2


# -- Clace TOML ----------------------------------------------------------------------------------


def same_values(mine: object, theirs: object) -> bool:
    if type(mine) is not type(theirs):
        return False
    if isinstance(mine, dict):
        assert isinstance(theirs, dict)
        return list(mine) == list(theirs) and all(
            same_values(mine[k], theirs[k]) for k in mine)
    if isinstance(mine, list):
        assert isinstance(theirs, list)
        return len(mine) == len(theirs) and all(map(same_values, mine, theirs))
    if isinstance(mine, float):
        return repr(mine) == repr(theirs) or (math.isnan(mine) and math.isnan(theirs))  # type: ignore[arg-type]
    return mine == theirs and str(mine) == str(theirs)


def test_the_toml_reader_reads_what_tomlkit_reads(corpus_dir: Path) -> None:
    files = sorted((corpus_dir / "toml-test" / "valid").rglob("*.toml"))
    files += sorted((corpus_dir / "clace").glob("*.toml"))
    compared = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        for variant in (text, text.replace("\r\n", "\n").replace("\n", "\r\n")):
            try:
                mine = read_toml10(variant, str(path))
            except ConfigError:
                continue  # TOML 1.1 only: refused as Clace refuses it
            assert same_values(mine, tomlkit.parse(variant).unwrap()), path
            compared += 1
    assert compared > 100


@pytest.mark.parametrize("text", [
    'a = """\\\n   folded \\\n  text"""\nb = \'\'\'\nraw\\n\'\'\'\n',
    'a = "\\u00e9\\t\\"q\\""\nb = 0x1_F\n',
    'd = 1979-05-27 07:32:00.123456789-08:00\nt = 07:32:00\nday = 1979-05-27\n',
    'f = [+inf, -nan, 1_000.5e-3, -0.0]\n[[x]]\ny = {z.w = 1}\n[[x]]\n',
    "[a.b]\nc = 1\n[a]\nd = 2\n",
])
def test_the_toml_reader_decodes_values_as_tomlkit(text: str) -> None:
    check_toml10(text, "x.toml")
    assert same_values(read_toml10(text, "x.toml"), tomlkit.parse(text).unwrap())


def test_checking_a_clace_file_leaves_tomlkit_unimported(tmp_path: Path) -> None:
    path = tmp_path / "clace.toml"
    path.write_text('[http]\nport = 80\n\n[https]\nport = 8443 # comment\n')
    code = (
        "import sys\nfrom pathlib import Path\n"
        "from tui.core.clace_config import ClaceConfig\n"
        "from tui.core.clace_checks import check_clace\n"
        f"cfg = ClaceConfig.load(Path({str(path)!r}))\n"
        "found = [f.code for f in check_clace(cfg)]\n"
        "before = 'tomlkit' in sys.modules\n"
        "cfg.set('https.port', 443)\n"
        "print(found, before, 'tomlkit' in sys.modules, cfg.text.count('443'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["['CL002']", "False", "True", "1"]


def test_reads_before_and_after_the_first_edit_agree(tmp_path: Path) -> None:
    path = tmp_path / "clace.toml"
    path.write_text('[http]\nport = 80\n[https]\nport = 443\nextra = {a = [1, 2]}\n')
    cfg = ClaceConfig.load(path)
    table = cfg.raw("https.extra")
    assert table == {"a": [1, 2]} and cfg.keys_of("https") == ["port", "extra"]
    table["a"].append(3)  # type: ignore[index]
    assert cfg.raw("https.extra") == {"a": [1, 2]}  # a copy: what was read stays as read
    assert not cfg.is_modified and cfg.text == path.read_text()
    cfg.unset("http.port")
    assert cfg.is_set("https.extra") and not cfg.is_set("http.port") and cfg.is_modified


def test_the_line_scan_skips_values_that_span_lines() -> None:
    text = ('[t]\na = [\n  "x = 1",\n]\nb = """\nc = 2\n"""\nd = 1\n'
            "[[arr]]\ne = 'single'\n  f = {g = 1}\n")
    index = scan(text)
    assert index.lines == {("t",): 1, ("t", "a"): 2, ("t", "b"): 5, ("t", "d"): 8,
                           ("arr",): 9, ("arr", "0"): 9, ("arr", "0", "e"): 10,
                           ("arr", "0", "f"): 11}
    assert index.table_end[("t",)] == (8, "") and index.table_end[("arr", "0")] == (11, "  ")

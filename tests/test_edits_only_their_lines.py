"""Edits touch only their lines: line breaks, arrays of tables, inline tables, and `set`
refusing only a change that adds an error (compared by code and location)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tui.cli import main
from tui.core.clace_config import ClaceConfig
from tui.core.edit_target import new_findings
from tui.core.findings import Finding, Severity
from tui.core.jsonc import JsoncDocument

MINIMAL = Path(__file__).parent / "data" / "leap_minimal"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def only_crlf(text: str) -> bool:
    return "\n" not in text.replace("\r\n", "") and "\r" not in text.replace("\r\n", "")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[http]\r\nport = 1 # c\r\n\r\n[https]\r\nhost = "x"\r\n', "http.host"),
        ("[http]\r\nport = 1\r\n", "logging.level"),
        ("[http]\r\nport = 1\r\n", "http.x.y"),
        ("[http]\r\nport = 1", "http.host"),  # no line break at the end
        ("[http]\r\nlist = [\r\n  1,\r\n]\r\n", "http.host"),
        ("[[permissions]]\r\na = 1\r\n[[permissions]]\r\na = 2\r\n", "permissions.0.b"),
    ],
)
def test_a_new_toml_key_in_a_crlf_file_is_crlf(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "clace.toml"
    path.write_bytes(text.encode())
    cfg = ClaceConfig.load(path)
    cfg.set(key, "v")
    cfg.save()
    written = path.read_bytes().decode()
    assert only_crlf(written), repr(written)
    old_lines, new_lines = text.split("\r\n"), iter(written.split("\r\n"))
    # every old line is still there, in order, unchanged (the last may have gained "\r\n")
    assert all(line in new_lines for line in old_lines[:-1])
    assert len(written.split("\r\n")) - len(old_lines) in (1, 2, 3)


def test_a_new_json_member_in_a_crlf_file_is_crlf() -> None:
    text = '{\n  "a": 1,\n  "b": {\n    "c": 2\n  },\n  "e": {}\n}\n'.replace("\n", "\r\n")
    doc = JsoncDocument.parse(text)
    doc.set(("b", "d"), 3)
    doc.set(("x",), {"f": {"g": 1}})
    doc.set(("e", "h"), 1)
    doc.set(("a",), {"z": 1})
    assert only_crlf(doc.text)
    assert json.loads(doc.text) == {"a": {"z": 1}, "b": {"c": 2, "d": 3}, "e": {"h": 1},
                                    "x": {"f": {"g": 1}}}


AOT = "[http]\nport = 1\n\n[[permissions]]\na = 1\n\n[[permissions]]\na = 2\n"


def test_set_inside_an_array_of_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "clace.toml"
    path.write_text(AOT)
    # Keys Clace does not read (permissions holds allow/disallow): --force writes them.
    assert run(capsys, "set", str(path), "permissions.1.a", "5", "--force")[0] == 0
    assert run(capsys, "set", str(path), "permissions.0.b", "true", "--force")[0] == 0
    assert path.read_text() == (
        "[http]\nport = 1\n\n[[permissions]]\na = 1\nb = true\n\n[[permissions]]\na = 5\n"
    )
    status, out, _ = run(capsys, "get", str(path), "permissions.1.a")
    assert status == 0 and "5" in out
    status, _, err = run(capsys, "set", str(path), "permissions.2.a", "1")
    assert status == 2 and "permissions has 2 elements: no element 2" in err
    status, _, err = run(capsys, "set", str(path), "permissions.a", "1")
    assert status == 2 and "array of tables" in err and "permissions.0" in err


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("tbl = { a = 1, b = 2 }  # note", "tbl = { a = 1, b = 2, c = 9 }  # note"),
        ("tbl = {a=1,b=2}", "tbl = {a=1,b=2,c=9}"),
        ("tbl = { }", "tbl = { c = 9 }"),
        ("tbl = {}", "tbl = {c = 9}"),
    ],
)
def test_a_key_added_to_an_inline_table_keeps_its_spacing(
    tmp_path: Path, line: str, expected: str
) -> None:
    path = tmp_path / "clace.toml"
    path.write_text(f"[http]\nport = 1\n{line}\n[https]\n")
    cfg = ClaceConfig.load(path)
    cfg.set("http.tbl.c", 9)
    assert cfg.text == f"[http]\nport = 1\n{expected}\n[https]\n"


def test_set_refuses_only_a_change_that_adds_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "provider"
    shutil.copytree(MINIMAL, root)
    web = root / "nodes" / "web1.json"
    web.write_text('{\n  "ip_address": "10.0.0.1",\n  "services": ["webapp", "soledad", '
                   '"couchdb"],\n  "api": {"port": 6425}\n}\n')
    status, out, _ = run(capsys, "check", "--provider", str(root))
    assert status == 1 and "LP002" in out and "nickserver.port 6425" in out
    # Still one LP002 at api.port, now against soledad.port: the same error, other words.
    assert run(capsys, "set", str(web), "api.port", "2323")[0] == 0
    assert '"port": 2323' in web.read_text()
    # LP011 against couch.port is an error the file did not have: refused, file unchanged.
    status, out, err = run(capsys, "set", str(web), "api.port", "5984")
    assert status == 1 and "LP011" in out and "adds an error" in err
    assert '"port": 2323' in web.read_text()


def test_new_findings_ignore_messages_but_count() -> None:
    def lp(message: str, path: str = "api.port") -> Finding:
        return Finding("LP002", Severity.ERROR, message, "nodes/web1.json", path, 3, "", "web1")

    before = [lp("api.port 6425/tcp collides with nickserver.port 6425/tcp")]
    reworded = [lp("api.port 2323/tcp collides with soledad.port 2323/tcp")]
    assert new_findings(before, reworded) == []
    assert new_findings(before, [*reworded, lp("another")]) == [lp("another")]
    assert new_findings(before, [lp("x", "soledad.port")]) == [lp("x", "soledad.port")]

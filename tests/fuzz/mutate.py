"""Seeded mutations of real configuration files: the fuzz suite's inputs.

A seeded generator rather than hypothesis: the suite runs a fixed, known number of cases
per CI run (a steady time budget), every case is replayed from (seed, index) alone, and
the mutations are the ones that broke the tool before (huge numbers, deep nesting, odd
encodings, BOMs, NULs, truncation) applied to the real corpus files, which hypothesis's
structured strategies would not start from. Shrinking is not needed: a failing case
prints its mutation steps, short by construction (at most three).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

TOKENS: tuple[bytes, ...] = (
    b"[", b"]", b"[[", b"]]", b"{", b"}", b'"', b"'", b"'''", b'"""', b"\\", b"=", b",", b":",
    b".", b"//", b"/*", b"*/", b"#", b"\n", b"\r", b"\r\n", b"\t", b"\x00", b"\x7f",
    b"\xef\xbb\xbf", b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"inf", b"nan",
    b"-", b"+", b"_", b"1e999", b"-0", b"0x", b"\\u", b"\\ud800", b"\\e", b"\\x41", b"$CL_HOME",
    b"${CL_HOME}", b"~", b"..", b"./fifo", b"true", b"null", b"1979-05-27T07:32", b"= x",
    b"REQUIRED", b"\xe2\x80\xa8", b"\xe2\x80\x8b", b"[http]\n", b"[[host]]\n", b'"ssh": {',
)
HUGE_DIGITS = (19, 20, 400, 4301, 5000, 100_000)
DEPTHS = (10, 99, 100, 101, 1000, 50_000)


@dataclass(frozen=True)
class Mutation:
    data: bytes
    steps: tuple[str, ...]


def _pos(rng: random.Random, data: bytes) -> int:
    return rng.randrange(len(data) + 1)


def _flip(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    if not data:
        return bytes([rng.randrange(256)]), "flip@0"
    pos = rng.randrange(len(data))
    return data[:pos] + bytes([rng.randrange(256)]) + data[pos + 1 :], f"flip@{pos}"


def _truncate(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    pos = _pos(rng, data)
    return data[:pos], f"truncate@{pos}"


def _delete(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    start = _pos(rng, data)
    end = min(len(data), start + rng.randrange(1, 40))
    return data[:start] + data[end:], f"delete@{start}:{end}"


def _duplicate(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    start = _pos(rng, data)
    piece = data[start : start + rng.randrange(1, 80)]
    at = _pos(rng, data)
    return data[:at] + piece + data[at:], f"duplicate {len(piece)}B@{at}"


def _token(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    token = rng.choice(TOKENS)
    at = _pos(rng, data)
    return data[:at] + token + data[at:], f"insert {token!r}@{at}"


def _huge_number(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    digits = rng.choice(HUGE_DIGITS)
    number = (b"-" if rng.random() < 0.3 else b"") + b"9" * digits
    spots = [i for i, b in enumerate(data) if 0x30 <= b <= 0x39]
    if not spots:
        at = _pos(rng, data)
        return data[:at] + number + data[at:], f"number {digits} digits@{at}"
    at = rng.choice(spots)
    end = at
    while end < len(data) and 0x30 <= data[end] <= 0x39:
        end += 1
    return data[:at] + number + data[end:], f"number {digits} digits@{at}"


def _deep(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    depth = rng.choice(DEPTHS)
    if rng.random() < 0.5:
        nest = b"[" * depth + b"]" * depth
    else:
        nest = b'{"a": ' * depth + b"1" + b"}" * depth
    if rng.random() < 0.2:
        nest = nest[: len(nest) // 2]  # never closed
    spots = [i + 1 for i, b in enumerate(data) if b in b"=:"]
    at = rng.choice(spots) if spots else _pos(rng, data)
    return data[:at] + b" " + nest + data[at:], f"nest {depth}@{at}"


def _encoding(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    text = data.decode("utf-8", errors="replace")
    kind = rng.choice(("utf-16", "utf-16-be", "utf-32", "latin-1", "bom", "crlf", "cr"))
    if kind == "bom":
        return b"\xef\xbb\xbf" + data, kind
    if kind == "crlf":
        return data.replace(b"\n", b"\r\n"), kind
    if kind == "cr":
        return data.replace(b"\n", b"\r"), kind
    return text.encode(kind, errors="replace"), kind


def _nul(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    at = _pos(rng, data)
    return data[:at] + b"\x00" * rng.randrange(1, 4) + data[at:], f"nul@{at}"


def _lines(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    lines = data.split(b"\n")
    if len(lines) < 2:
        return data, "lines (too few)"
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    kind = rng.choice(("swap", "drop", "repeat"))
    if kind == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "drop":
        del lines[i]
    else:
        lines.insert(j, lines[i])
    return b"\n".join(lines), f"lines {kind} {i},{j}"


OPERATORS: tuple[Callable[[random.Random, bytes], tuple[bytes, str]], ...] = (
    _flip, _flip, _truncate, _delete, _duplicate, _token, _token, _token, _huge_number,
    _deep, _encoding, _nul, _lines,
)


def mutate(data: bytes, rng: random.Random) -> Mutation:
    steps: list[str] = []
    for _ in range(rng.randint(1, 3)):
        data, step = rng.choice(OPERATORS)(rng, data)
        steps.append(step)
    return Mutation(data, tuple(steps))


def corpus_files(shared: Path, repo: Path) -> dict[str, list[tuple[str, bytes]]]:
    """Seed files per kind: real Clace files, LEAP JSON files, the sample inventory."""
    toml_test = shared / "corpus" / "toml-test" / "valid"
    clace = [*(shared / "corpus" / "clace").glob("*.toml"), repo / "sample_configs" / "clace.toml",
             *sorted(toml_test.rglob("*.toml"))]
    leap = sorted((shared / "corpus" / "leap").rglob("*.json"))
    leap += sorted((repo / "sample_configs" / "provider").rglob("*.json"))
    return {
        "clace": [(str(p), p.read_bytes()) for p in clace],
        "json": [(str(p), p.read_bytes()) for p in leap],
        "inventory": [("hosts.toml", (repo / "sample_configs" / "hosts.toml").read_bytes())],
    }

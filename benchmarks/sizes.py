"""Big Clace files: a 5 MB comment-only TOML and a 50,000-key TOML (target: seconds each).

Measured in process, as `leap-tui check --clace FILE` spends it: ClaceConfig.load (read,
and the TOML 1.0 reader, which checks and reads in one pass) plus check_clace; then two
edits: a new key (a line added to the text, which the TOML 1.0 reader reads again whole) and a
value changed in place (the first such edit builds tomlkit's document). Medians of a few runs.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks import Result, median, spread
from tui.core.clace_checks import check_clace
from tui.core.clace_config import ClaceConfig
from tui.core.toml10 import check_toml10

TARGET = 5.0
COMMENT_LINE = "# " + "x" * 76 + "\n"


def comment_toml(megabytes: float = 5.0) -> str:
    lines = int(megabytes * 1024 * 1024) // len(COMMENT_LINE)
    return "[http]\nport = 25223\n" + COMMENT_LINE * lines


def keys_toml(keys: int = 50_000) -> str:
    body = "".join(f"key_{i} = {i}\n" for i in range(keys))
    return "[http]\nport = 25223\n\n[extra]\n" + body


def _measure(path: Path, text: str, runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"check": [], "toml10": [], "insert": [], "change": []}
    for _ in range(runs):
        path.write_text(text)
        start = time.perf_counter()
        check_clace(ClaceConfig.load(path))
        times["check"].append(time.perf_counter() - start)
        start = time.perf_counter()
        check_toml10(text, str(path))
        times["toml10"].append(time.perf_counter() - start)
        config = ClaceConfig.load(path)
        start = time.perf_counter()
        config.set("https.port", 8443)
        check_clace(config)
        times["insert"].append(time.perf_counter() - start)
        config = ClaceConfig.load(path)
        start = time.perf_counter()
        config.set("http.port", 8080)
        check_clace(config)
        times["change"].append(time.perf_counter() - start)
    return times


def main(megabytes: float = 5.0, keys: int = 50_000, runs: int = 3) -> list[Result]:
    results: list[Result] = []
    files = (
        (f"{megabytes:g} MB comment-only TOML", comment_toml(megabytes)),
        (f"{keys:,}-key TOML", keys_toml(keys)),
    )
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files:
            times = _measure(Path(tmp) / "clace.toml", text, runs)
            check, insert = median(times["check"]), median(times["insert"])
            change = median(times["change"])
            worst = max(check, insert, change)
            results.append(Result(
                figure=f"check a {name}",
                how=f"ClaceConfig.load + check_clace ({len(text) / 1024 / 1024:.1f} MiB), "
                "a new key set (a line added, the text read again), and a value changed in "
                "place (tomlkit's document built)",
                target=f"<= {TARGET:.0f} s",
                measured=f"{check:.2f} s; new key {insert:.2f} s; value changed {change:.2f} s",
                ratio=f"{worst / TARGET:.2f}x of target",
                met=worst <= TARGET,
                notes=[f"{name}: {runs} runs, check {spread(times['check'])}, of which the "
                       f"TOML 1.0 check alone {median(times['toml10']) * 1000:.0f} ms; new key "
                       f"{spread(times['insert'])} (the text read again), value changed "
                       f"{spread(times['change'])} (tomlkit's document built)"],
            ))
    return results

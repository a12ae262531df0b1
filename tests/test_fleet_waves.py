"""How hosts are cut into waves: --canary, --batch N and N% (as Ansible's serial)."""

from __future__ import annotations

import pytest

from tui.core.remote.fleet import Batch, plan_waves

NAMES = [f"h{i}" for i in range(10)]


@pytest.mark.parametrize(("canary", "batch", "sizes"), [
    (0, None, [10]),
    (0, "3", [3, 3, 3, 1]),
    (0, "30%", [3, 3, 3, 1]),
    (0, "5%", [1] * 10),  # rounded down, but at least one host
    (0, "100%", [10]),
    (2, None, [2, 8]),
    (2, "4", [2, 4, 4]),
    (10, "4", [4, 4, 2]),  # a canary of every host is no canary
])
def test_waves(canary: int, batch: str | None, sizes: list[int]) -> None:
    waves = plan_waves(NAMES, canary=canary, batch=Batch.parse(batch) if batch else None)
    assert [len(w) for w in waves] == sizes
    assert [name for wave in waves for name in wave] == NAMES  # order kept, none lost


@pytest.mark.parametrize("text", ["0", "-1", "x", "0%", "101%", "%", "1.5"])
def test_bad_batches(text: str) -> None:
    with pytest.raises(ValueError, match="--batch"):
        Batch.parse(text)

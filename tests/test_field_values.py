"""Values typed into a field become the file's value only if the servers can read them."""

from __future__ import annotations

import pytest

from tui.core.field_values import INT64_MAX, INT64_MIN, parse_kind


@pytest.mark.parametrize("text", [str(INT64_MAX + 1), str(INT64_MIN - 1),
                                  "18315284660747543998080", "9" * 5000])
def test_an_integer_beyond_64_bits_is_refused_before_it_is_written(text: str) -> None:
    # Written, it would make the file one Clace's TOML 1.0 parser refuses to read.
    with pytest.raises(ValueError, match="out of range: the servers' parsers take 64-bit"):
        parse_kind("port", "https.port", text)


@pytest.mark.parametrize("text", [str(INT64_MAX), str(INT64_MIN), "-1", "0", "00443", "+80"])
def test_integers_within_64_bits_are_values(text: str) -> None:
    assert parse_kind("port", "https.port", text) == int(text)

"""The Certificates section of the TUI: pairs, findings, lookup resolution, a new pair."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from tests.test_certs_support import ec_key, make_cert, write_pair
from tests.tui.pilot_helpers import open_section
from tui.app import LeapTuiApp
from widgets.cert_panel import CertificatesPanel
from widgets.prompt import PromptDialog

pytestmark = pytest.mark.timeout(60)


def clace_with_certs(samples: Path, cert_dir: Path) -> Path:
    clace = samples / "clace.toml"
    text = clace.read_text().replace('"$CL_HOME/config/certificates"', f'"{cert_dir}"')
    clace.write_text(text)
    return clace


async def wait_loaded(pilot: object, panel: CertificatesPanel) -> None:
    for _ in range(100):
        await pilot.pause(0.05)  # type: ignore[attr-defined]
        if panel.cert_dir is not None:
            return
    raise AssertionError("the certificate directory was never shown")


async def test_pairs_findings_and_resolution(samples: Path, tmp_path: Path) -> None:
    cert_dir = tmp_path / "certs"
    cert_dir.mkdir()
    now = datetime.now(UTC)
    key = ec_key()
    soon = make_cert(key, names=("example.com",), not_before=now - timedelta(days=80),
                     not_after=now + timedelta(days=10))
    write_pair(cert_dir, "example.com", key, soon)
    clace = clace_with_certs(samples, cert_dir)
    app = LeapTuiApp(clace, samples / "provider", remember_theme=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_section(pilot, "clace:certs")
        panel = app.screen.query_one(CertificatesPanel)
        await wait_loaded(pilot, panel)
        table = panel.query_one("#cert-pairs", DataTable)
        assert table.row_count == 1
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[0] == "example.com" and "example.com" in row[1]
        assert row[3].startswith("▲ ")  # days left told by a glyph, not colour alone
        codes = {f.code for f in panel.findings}
        assert "CE002" in codes  # expires within 30 days
        assert "CE007" in codes  # no default.crt: one will be generated at first request
        domain = panel.query_one("#cert-domain", Input)
        domain.focus()
        await pilot.press(*"example.com", "enter")
        await pilot.pause()
        resolution = str(panel.query_one("#cert-resolution", Static).render())
        assert "example.com.crt" in resolution


async def test_new_pair_from_the_panel(samples: Path, tmp_path: Path) -> None:
    cert_dir = tmp_path / "certs"
    cert_dir.mkdir()
    clace = clace_with_certs(samples, cert_dir)
    app = LeapTuiApp(clace, samples / "provider", remember_theme=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_section(pilot, "clace:certs")
        panel = app.screen.query_one(CertificatesPanel)
        await wait_loaded(pilot, panel)
        # No pair yet: the empty table is no focus stop; n acts from the tree.
        assert not panel.query_one("#cert-pairs", DataTable).can_focus
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PromptDialog)
        await pilot.press(*"demo.example.org", "enter")
        for _ in range(100):
            await pilot.pause(0.05)
            if panel.cert_dir is not None and panel.cert_dir.pair("demo.example.org"):
                break
        pair = panel.cert_dir.pair("demo.example.org") if panel.cert_dir else None
        assert pair is not None and pair.usable
    key_file = cert_dir / "demo.example.org.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert (cert_dir / "demo.example.org.crt").exists()


def test_days_left_colour_agrees_with_the_ce002_warning() -> None:
    """The panel marks a pair ▲ exactly when CE002 warns (fewer than 30 whole days left)."""
    from tui.core.certs import EXPIRY_WARNING_DAYS
    from widgets.cert_panel import days_left_text
    from widgets.tones import TONES

    assert days_left_text(EXPIRY_WARNING_DAYS).plain == f"{EXPIRY_WARNING_DAYS}d"
    warned = days_left_text(EXPIRY_WARNING_DAYS - 1)
    assert warned.plain.startswith("▲") and str(warned.style) == TONES.warn
    assert days_left_text(-2, 1).plain == "✖ expired 1d ago"
    assert days_left_text(-1, 0).plain == "✖ expired today"  # minutes ago, not "1d ago"

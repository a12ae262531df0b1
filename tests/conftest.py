"""Fixtures for the whole suite live in tests/plugins/, one module per concern."""

from __future__ import annotations

import pytest

pytest_plugins = [
    "tests.plugins.shared_corpus",
    "tests.plugins.sshd_hosts",
]


@pytest.fixture(autouse=True)
def _no_system_ssh_files(tmp_path_factory: pytest.TempPathFactory,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads this machine's /etc/ssh (ssh_config, ssh_known_hosts): the system
    directory is one that does not exist, unless a test points it at its own."""
    from tui.core.remote import ssh_paths

    monkeypatch.setattr(ssh_paths, "SYSTEM_SSH_DIR",
                        tmp_path_factory.getbasetemp() / "no-system-ssh-dir")

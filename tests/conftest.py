"""Fixtures for the whole suite live in tests/plugins/, one module per concern."""

pytest_plugins = [
    "tests.plugins.shared_corpus",
    "tests.plugins.sshd_hosts",
]

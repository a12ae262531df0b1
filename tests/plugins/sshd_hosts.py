"""Filled by the SSH work (issue 4)."""

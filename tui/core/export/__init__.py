"""Exports of an apply for other engines (`leap-tui export`)."""

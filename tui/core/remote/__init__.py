"""Apply and roll back over SSH.

Importing this package loads nothing heavy: paramiko is imported only by ``ssh`` and
``hostkeys`` (and what imports them), which the commands load when they run.
"""

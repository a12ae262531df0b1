"""The apply's rule codes, like the checks' (APxxx): what each finding of a host run means."""

from __future__ import annotations

APPLY_RULES: dict[str, str] = {
    "AP001": "unknown host key: refused, its SHA256 fingerprint shown; accept it explicitly",
    "AP002": "changed or @revoked host key (or not the key the LEAP provider pins): always "
             "refused",
    "AP003": "drift: the live file changed since leap-tui applied it (three-way view; --force)",
    "AP004": "the validate command failed on the uploaded file: the live file is untouched",
    "AP005": "an earlier run's watchdog is still armed on the host: the host is skipped",
    "AP006": "the host reverted an earlier unconfirmed change by itself",
    "AP007": "cannot connect, or the connection was lost",
    "AP008": "reload failed: the previous files were restored and reloaded",
    "AP009": "not confirmed: reverted now, or by the host at the deadline",
    "AP010": "authentication failed, or a key needs its passphrase",
    "AP012": "a watchdog died before deciding (host rebooted?): refused unless --force",
    "AP013": "any other remote failure",
    "AP014": "an ssh_config or known_hosts setting leap-tui does not support, named (see "
             "docs/apply.md)",
    "AP015": "the local journal cannot be read or written: nothing is changed, or what was "
             "changed is named",
    "AP016": "a health probe after the reload failed (tcp, or tls with the names checked): "
             "reverted; info: what was not probed",
    "AP017": "another run holds the lock on a target: refused naming it (--wait waits); a stale "
             "lock (its holder gone) is broken and said so",
    "AP018": "nothing to roll back: no leap-tui backup left on the host (each rollback uses "
             "one up), or none matching --to",
}

PREFLIGHT_RULES: dict[str, str] = {
    "PF001": "a new Clace port is already bound by another process on the host",
    "PF002": "a port below 1024 the server may not bind: not root, no cap_net_bind_service",
    "PF003": "a certificate file of the new cert_location is not readable by the service "
             "user, or its pair's other half is missing",
    "PF004": "no space left on the host for the upload and its backup",
    "PF005": "a target directory is read-only or not writable by the SSH user",
    "PF006": "info: a preflight check could not be done on this host (a tool or /proc missing)",
    "PF007": "a target directory does not exist on the host (or is not a directory): leap-tui "
             "never creates directories",
}

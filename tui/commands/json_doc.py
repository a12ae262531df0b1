"""The JSON and machine-readable output, documented once: `leap-tui help json` prints it and
docs/json.md is this text (a test keeps them equal)."""

from __future__ import annotations

JSON_DOC = """\
# Machine-readable output

Every command that prints results takes `--format json`, and then prints exactly one JSON
document on stdout; progress, questions and notes stay on stderr. Without it, stdout holds
the data only, never wrapped: on a terminal as a table, on a pipe as one record per line.

## The document

Every document is an object with these keys, and the command's own:

| key | value |
| --- | --- |
| `schema_version` | `1`; raised when a key is removed or changes meaning (not for new keys) |
| `command` | `check`, `ports`, `history`, `certs`, `apply`, `rollback`, `export` or `rules` |

## Errors (exit 2)

A command that cannot use its input exits 2, prints one line per problem on stderr and,
under `--format json`, this document on stdout (a file named as findings name it:
relative to the current directory when it lies under it):

| key | value |
| --- | --- |
| `error` | the message (one line per file that does not parse) |
| `file`, `line`, `column` | where the first problem is, when it is in a file (else `null`) |

## Finding

`check`, `certs`, `apply` and `rollback` report findings as objects:

| key | value |
| --- | --- |
| `code` | the rule code, e.g. `CL006` (`leap-tui rules`) |
| `severity` | `error`, `warning` or `info` |
| `message`, `hint` | what is wrong; how to fix it (`""` when there is no hint) |
| `file` | relative to the current directory when under it, else absolute; `null`: none |
| `line`, `column` | 1-based, or `null` |
| `path` | the key path inside the file, e.g. `https.port` (`""` when none) |
| `node` | the LEAP node the finding is about, or `null` |

## check

`{"findings": [Finding...], "summary": {"error": N, "warning": N, "info": N}}`. Exit 0
without errors, 1 with errors (or warnings under `--strict`).

Besides `json`: `--format text` prints `path:line:column: CODE severity message (hint)`
(the counts go to stderr; a finding about a whole file, such as a missing `provider.json`,
has no line or column: `path: CODE severity message`, and `"line"`/`"column"` are null),
`--format github` prints GitHub Actions annotations
(`::error file=...,line=...,col=...,title=CODE::message`), `--format sarif` a SARIF 2.1.0
log for code scanning (file URIs relative to `%SRCROOT%`, the current directory). On exit
2 these formats still say why where CI looks: an `::error ...,title=leap-tui::` annotation
per problem, or a SARIF run with no results whose `invocations[0]` has
`"executionSuccessful": false` and a `toolExecutionNotifications` entry per problem
(located when it is in a file).

## ports

`{"ports": [Port...]}`, a Port being `node`, `address`, `port` (a number, or a text such as
`"60000-61000"`), `protocol`, `service`, `name`, `public` (bool), `property` (the provider
key, or `null`), `file`, `line`, `conflict` (bool), `note`. Exit 1 when a conflict exists.
Piped without `--format json`: one line per port, tab-separated: node, address, port,
proto, service, name, access, from, conflict (`-` for an empty field).

## history

`{"journal": PATH, "entries": [Entry...]}`, an Entry being `time` (UTC, ISO 8601), `run`,
`action` (`apply`, `rollback`, `watchdog`), `host`, `path`, `before` and `after` (SHA-256 of
the file, `null` when absent), `backup` (its remote path, or `null`), `backup_restored`
(bool: a rollback used it up), `result`, `detail`. Newest first; `--all`: every entry,
oldest first. Piped: one line per entry, tab-separated: time, host, action, file, result,
before, after, backup, detail.

## certs

`{"cert_dir", "cert_location", "enable_cert_lookup", "service_email", "pairs", "served",
"findings"}`. A pair: `name`, `crt` (`path`, `mode`, `error`, `subject`, `issuer`,
`self_signed`, `sans`, `not_before`, `not_after`, `days_left`, `serial` (hex), `key_type`,
`key_bits`, `fingerprint_sha256`) or `null`, `key` (`path`, `mode`, `error`, `key_type`,
`key_bits`) or `null`, `key_matches`, `problem`. `served`, one per `--domain` and one for
no server name: `domain`, `server_name`, `source`, `crt`, `key`, `reason`,
`handshake_fails`, `covers_name`.

## apply, rollback

`{"dry_run": BOOL, "hosts": [Host...], "waves": [Wave...], "stopped": TEXT}`, a Host
being `host`, `status` (`applied`, `unchanged`, `dry-run`, `rolled-back`, `failed`,
`reverted`, `skipped`), `wave` (the wave it was in, from 1; `null` for a host left out
after its dry run), `ok` (bool), `message`, `seconds`, `files` (`target`, `status`,
`before`, `after`, `backup`, `diff`), `patch` (the host's diffs with `--- HOST/TARGET`
headers), `findings` (Finding...; `AP` codes), `lockout` (the lock-out risks the change
carried), `certificates` (the preflight's report of the host's certificates, or `null`).
A Wave is `{"wave": N, "hosts": [NAME...]}`, in the order run (`--canary` is wave 1,
then `--batch` waves; without either, one wave); `stopped` says why later waves were not
started (`--max-fail`, a failed canary, a wave in which every host failed), else `null`.
Exit 1 when a host is not ok.

Without `--format json`, `apply --dry-run` prints the diffs only, as a patch whose headers
name `HOST/TARGET` (`--- web1/etc/clace.toml<TAB>(live on web1)`): `apply --dry-run |
patch -p0 --dry-run` checks it against a local copy of the hosts' files in that layout.
`apply` and `rollback` print the per-host result; piped, one line per host,
tab-separated: host, status, files, backup, detail, time, and, when the run had more than
one wave, the wave (`-` for a host left out after its dry run). A summary per wave goes
to stderr.

## export

`{"engine": "ansible", "directory": PATH, "files": [PATH...], "hosts": [NAME...]}`: the
files written (relative to the directory) and the hosts exported. Without `--format json`,
one path per line.

## rules

`{"rules": [{"code", "group", "text"}...]}`.
"""

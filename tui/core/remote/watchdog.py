"""The confirm-or-revert watchdog: a shell script left on the host beside the backups.

Armed before the swap, it waits out the window and then puts every backup back (rename, so
owner and mode are the original file's) and reruns the reload commands, unless leap-tui
has confirmed by then. Who decides is settled by ``mkdir`` of one directory: whichever of
leap-tui (confirm) and the watchdog (revert) creates it first wins, the other backs off.
Nothing of leap-tui runs on the host; the script needs a POSIX sh, date, sleep, mv, sync.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass

MANIFEST_TAG = "# leap-tui-manifest "
WATCHDOG_SUFFIX = ".watchdog"
_STAMP = r"\d{8}T\d{6}(?:\.\d{6})?Z"
WATCHDOG_RE = re.compile(rf"^(?P<base>.+\.leap-tui\.{_STAMP})\.watchdog$")
# The temporary upload ``.NAME.leap-tui.<stamp>.tmp`` (see HostOperation._upload).
UPLOAD_TMP_RE = re.compile(rf"^\..+\.leap-tui\.{_STAMP}\.tmp$")


def backup_name(target: str, stamp: str) -> str:
    return f"{target}.leap-tui.{stamp}"


def backup_stamp(backup: str) -> str | None:
    """The inverse of :func:`backup_name`: ``/x/clace.toml.leap-tui.20261124T101500.123456Z``
    -> ``20261124T101500.123456Z`` (what `rollback --to` takes a prefix of)."""
    _, sep, stamp = backup.rpartition(".leap-tui.")
    return stamp if sep and stamp else None


def backup_re(file_name: str) -> re.Pattern[str]:
    """Generation backups of ``file_name`` (not the watchdog's files beside them)."""
    return re.compile(rf"^{re.escape(file_name)}\.leap-tui\.(?P<stamp>{_STAMP})$")


@dataclass(frozen=True, slots=True)
class WatchedFile:
    target: str
    backup: str | None  # None: the file did not exist before, so reverting removes it
    before: str | None
    after: str | None


@dataclass(frozen=True, slots=True)
class Watchdog:
    """The files of one armed watchdog; ``base`` is ``<first target>.leap-tui.<stamp>``."""

    base: str
    run: str
    host: str
    action: str
    deadline: float
    files: tuple[WatchedFile, ...]
    reloads: tuple[str, ...]

    @property
    def script(self) -> str:
        return self.base + WATCHDOG_SUFFIX

    @property
    def pidfile(self) -> str:
        return self.base + ".pid"

    @property
    def decided(self) -> str:
        return self.base + ".decided"

    @property
    def unit(self) -> str:
        return "leap-tui-watchdog-" + re.sub(r"[^A-Za-z0-9]", "", self.base.rsplit(".", 2)[-1]
                                             + self.run)[:40]

    def manifest(self) -> str:
        return json.dumps({
            "run": self.run, "host": self.host, "action": self.action,
            "deadline": self.deadline, "reloads": list(self.reloads),
            "files": [[f.target, f.backup, f.before, f.after] for f in self.files],
        }, sort_keys=True)

    def script_text(self, window: int) -> str:
        q = shlex.quote
        lines = [
            "#!/bin/sh",
            "# leap-tui watchdog: puts the files below back and reloads, unless leap-tui",
            f"# confirms within {window} s. Remove {self.decided} only if you know why.",
            MANIFEST_TAG + self.manifest(),
            f"decided={q(self.decided)}",
            f"pidfile={q(self.pidfile)}",
            'if [ "${1:-}" = wait ]; then',
            '    echo $$ > "$pidfile"',
            f"    end=$(( $(date +%s) + {window} ))",
            '    while [ "$(date +%s)" -lt "$end" ]; do',
            # leap-tui claimed the decision (confirmed, or reverting itself), or settled it
            # and removed this script: nothing left to do.
            '        [ -d "$decided" ] && exit 0',
            '        [ -f "$0" ] || exit 0',
            "        sleep 1",
            "    done",
            '    [ -f "$0" ] || exit 0',
            "fi",
            'mkdir -- "$decided" 2>/dev/null || exit 0',
        ]
        for watched in self.files:
            if watched.backup is None:
                lines.append(f"rm -f -- {q(watched.target)}")
            else:
                # A file the swap never reached is still the backup's very inode, and a
                # rename onto the same file does nothing: drop the extra name instead.
                lines.append(f"if [ {q(watched.backup)} -ef {q(watched.target)} ]; "
                             f"then rm -f -- {q(watched.backup)}; "
                             f"else mv -f -- {q(watched.backup)} {q(watched.target)}; fi")
        lines.append("sync")
        for command in self.reloads:
            lines.append(f"sh -c {q(command)} </dev/null >/dev/null 2>&1")
        lines += [
            'date -u +%Y-%m-%dT%H:%M:%SZ > "$decided/reverted"',
            # Only the waiting copy owns the pid file: a revert run in the foreground must
            # leave it for revert_now_command, which stops the waiting copy with it.
            'if [ "${1:-}" = wait ]; then rm -f -- "$pidfile"; fi',
            "",
        ]
        return "\n".join(lines)

    def launch_command(self, window: int) -> str:
        """Start detached: a systemd timer where systemd is PID 1, else ``setsid -f``.

        A job merely backgrounded (even under nohup) in the SSH session dies with it.
        """
        q = shlex.quote
        return (
            'if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && [ "$(id -u)" = 0 ] '
            "&& command -v systemd-run >/dev/null 2>&1; then "
            f"systemd-run --quiet --unit={q(self.unit)} --on-active={window}s "
            f"--timer-property=AccuracySec=1s /bin/sh {q(self.script)} && echo systemd; "
            f"else setsid -f /bin/sh {q(self.script)} wait </dev/null >/dev/null 2>&1 "
            "&& echo setsid; fi"
        )

    def install_command(self, window: int) -> str:
        """Write the script (never over an existing file) and start it; the script is
        removed again when it cannot be started."""
        q = shlex.quote
        delimiter = "LEAP_TUI_WATCHDOG_" + re.sub(r"[^A-Za-z0-9]", "", self.run)
        return (
            f"(umask 077; set -C; cat > {q(self.script)}) <<'{delimiter}' &&\n"
            f"{self.script_text(window)}\n{delimiter}\n"
            f"( {self.launch_command(window)}\n) >/dev/null || "
            f"{{ rm -f -- {q(self.script)}; false; }}"
        )

    def confirm_command(self) -> str:
        """Claim the decision, then stop the waiting watchdog; exit 3 when it decided first."""
        q = shlex.quote
        return (
            f"mkdir -- {q(self.decided)} 2>/dev/null || exit 3; "
            f"echo confirmed > {q(self.decided + '/confirmed')}; "
            f"if [ -f {q(self.pidfile)} ] && kill -9 \"$(cat {q(self.pidfile)})\" 2>/dev/null; "
            f"then rm -rf -- {q(self.decided)} {q(self.script)} {q(self.pidfile)}; "
            f"elif command -v systemctl >/dev/null 2>&1 && "
            f"systemctl stop {q(self.unit + '.timer')} 2>/dev/null; "
            f"then rm -rf -- {q(self.decided)} {q(self.script)} {q(self.pidfile)}; fi; exit 0"
        )

    def revert_now_command(self) -> str:
        """Revert at once through the script (same code path as the deadline), then stop the
        waiting copy (or the systemd timer) so that it cannot act again at the deadline.

        Prints ``reverted``, or ``too-late`` when the watchdog had already claimed the
        decision (it is reverting, or has reverted, on its own).
        """
        q = shlex.quote
        return (
            f"pid=$(cat {q(self.pidfile)} 2>/dev/null); "
            f"/bin/sh {q(self.script)}; "
            f"if [ -f {q(self.decided + '/reverted')} ]; then "
            '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; '
            f"{self._stop_timer()}"
            f"rm -rf -- {q(self.decided)} {q(self.script)} {q(self.pidfile)}; echo reverted; "
            "else echo too-late; fi"
        )

    def _stop_timer(self) -> str:
        return (f"if command -v systemctl >/dev/null 2>&1; then systemctl stop "
                f"{shlex.quote(self.unit + '.timer')} >/dev/null 2>&1; fi; ")

    def state_command(self) -> str:
        """Prints reverted | confirmed | deciding | armed | lost."""
        q = shlex.quote
        return (
            f"if [ -f {q(self.decided + '/reverted')} ]; then echo reverted; "
            f"elif [ -f {q(self.decided + '/confirmed')} ]; then echo confirmed; "
            f"elif [ -d {q(self.decided)} ]; then echo deciding; "
            # A zombie (killed, not yet reaped: init in containers may never reap) is gone.
            f"elif [ -f {q(self.pidfile)} ] && pid=$(cat {q(self.pidfile)}) && "
            'kill -0 "$pid" 2>/dev/null && ! grep -qs "^[0-9]* (.*) Z" "/proc/$pid/stat"; '
            "then echo armed; "
            f"elif command -v systemctl >/dev/null 2>&1 && "
            f"systemctl is-active --quiet {q(self.unit + '.timer')} 2>/dev/null; then echo armed; "
            "else echo lost; fi"
        )

    def cleanup_command(self) -> str:
        q = shlex.quote
        return f"rm -rf -- {q(self.decided)} {q(self.script)} {q(self.pidfile)}"


def parse_watchdog(base: str, text: str) -> Watchdog | None:
    """The manifest line of a script found on a host (``None`` if it is not ours)."""
    for row in text.splitlines():
        if row.startswith(MANIFEST_TAG):
            try:
                raw = json.loads(row[len(MANIFEST_TAG):])
                files = tuple(WatchedFile(str(t), b, x, y) for t, b, x, y in raw["files"])
                return Watchdog(base=base, run=str(raw["run"]), host=str(raw["host"]),
                                action=str(raw["action"]), deadline=float(raw["deadline"]),
                                files=files, reloads=tuple(str(r) for r in raw["reloads"]))
            except (ValueError, KeyError, TypeError):
                return None
    return None

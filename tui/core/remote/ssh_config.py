"""ssh_config(5) read as ssh reads it: ``~/.ssh/config`` then the system file, ``Include``
expanded, first value wins; paramiko's SSHConfig matches the Host and Match blocks.

paramiko knows no ``Include``: the files are flattened here into one text. An included
file's blocks hold only where the including block holds, so each of its headers is joined
to the includer's condition (``Host a`` inside ``Host b`` becomes ``Match originalhost b
originalhost a``), and the includer's header is repeated after it. paramiko's own token
expansion is switched off (it lacks ``%%`` and most tokens): ``expand`` does it, per
keyword, with the final port and user, as ssh does.
"""

from __future__ import annotations

import getpass
import glob
import hashlib
import os
import re
import shlex
import socket
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import paramiko

from tui.core.remote.errors import SshConfigError
from tui.core.remote.ssh_paths import system_ssh_dir, user_ssh_dir

_MAX_INCLUDE_DEPTH = 16  # as readconf.c
_LINE = re.compile(r"\s*(\w+)(?:\s*=\s*|\s+)(.*?)\s*$")
SUPPORTED_MATCH = ("all", "canonical", "final", "exec", "host", "originalhost", "user",
                   "localuser")

# ssh_config(5) TOKENS: which keyword accepts which %-token.
_PATH_TOKENS = frozenset("%CdhikLlnpru")
TOKENS_BY_KEYWORD: dict[str, frozenset[str]] = {
    "hostname": frozenset("%h"),
    "proxycommand": frozenset("%hnpr"),
    "proxyjump": frozenset("%hnpr"),
    "certificatefile": _PATH_TOKENS,
    "identityagent": _PATH_TOKENS,
    "identityfile": _PATH_TOKENS,
    "userknownhostsfile": _PATH_TOKENS,
    "controlpath": _PATH_TOKENS,
}
# The keywords that take ${ENV} references and ~.
_ENV_KEYWORDS = frozenset({"certificatefile", "identityagent", "identityfile",
                           "userknownhostsfile", "controlpath"})


# paramiko keeps only the first CertificateFile; ssh adds each one to a list, as it does
# IdentityFile. So each rides on the IdentityFile list, marked, and is told apart after.
CERTIFICATE_PREFIX = "leap-tui-certificate:"


@dataclass(frozen=True, slots=True)
class ConfigLine:
    text: str
    origin: str  # FILE:LINE, or "" for a line leap-tui added


class _MatchExec:
    """Runs ``Match exec`` for paramiko, which would use invoke.run: that forwards this
    process's stdin to the command (stealing the TUI's keys). Here it runs as ssh runs it,
    under the user's shell with stdout discarded; stdin and stderr are not the terminal's."""

    TIMEOUT = 30.0

    @classmethod
    def run(cls, command: str, **_: object) -> SimpleNamespace:
        shell = os.environ.get("SHELL") or "/bin/sh"
        try:
            done = subprocess.run([shell, "-c", command], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  timeout=cls.TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise SshConfigError(f"ssh_config: Match exec {command!r} did not finish in "
                                 f"{cls.TIMEOUT:g} s") from None
        except OSError as exc:
            raise SshConfigError(f"ssh_config: Match exec {command!r}: "
                                 f"{exc.strerror or exc}") from None
        return SimpleNamespace(ok=done.returncode == 0)


paramiko.config.invoke = _MatchExec


class _Config(paramiko.SSHConfig):  # type: ignore[misc]
    # Only Match exec is tokenized by paramiko (while matching); the rest by expand().
    TOKENS_BY_CONFIG_KEY = {"match-exec": paramiko.SSHConfig.TOKENS_BY_CONFIG_KEY["match-exec"]}


class SshConfig:
    """The user's and the system's ssh_config, flattened; ``lookup`` gives one host's
    options (lowercased keywords, values unexpanded)."""

    def __init__(self, lines: list[ConfigLine]) -> None:
        self.lines = lines
        _refuse_unknown_match(lines)
        try:
            self._parsed = _Config.from_text("\n".join(_for_paramiko(line.text)
                                                       for line in lines))
        except paramiko.ssh_exception.ConfigParseError as exc:
            raise SshConfigError(f"ssh_config: {exc}") from None

    @classmethod
    def load(cls, user: Path | None, system: Path | None = None) -> SshConfig:
        lines: list[ConfigLine] = []
        if user is not None and user.is_file():
            lines += flatten(user, system=False)
        if system is not None and system.is_file():
            lines.append(ConfigLine("Host *", ""))
            lines += flatten(system, system=True)
        return cls(lines)

    def lookup(self, alias: str) -> HostOptions:
        try:
            found = self._parsed.lookup(alias)
        except paramiko.ssh_exception.CouldNotCanonicalize as exc:
            raise SshConfigError(f"ssh_config: CanonicalizeHostname: {exc} not found in "
                                 "CanonicalDomains") from None
        except (paramiko.SSHException, OSError, ValueError) as exc:
            raise SshConfigError(f"ssh_config: {exc}") from None
        return HostOptions(alias, dict(found), self)

    def origin(self, keyword: str, value: str | None = None) -> str:
        """FILE:LINE of the first line setting ``keyword`` (to ``value``), for messages."""
        for line in self.lines:
            match = _LINE.match(line.text)
            if (match and match.group(1).lower() == keyword and line.origin
                    and (value is None or match.group(2).strip('"') == value)):
                return line.origin
        return ""


@dataclass(frozen=True, slots=True)
class HostOptions:
    alias: str
    values: dict[str, object]
    config: SshConfig | None = None

    def get(self, keyword: str) -> str | None:
        value = self.values.get(keyword)
        if value is None or isinstance(value, list):
            return None
        return str(value)

    def get_list(self, keyword: str) -> list[str]:
        value = self.values.get(keyword)
        if isinstance(value, list):
            return [str(v) for v in value]
        return [] if value is None else [str(value)]

    def flag(self, keyword: str, default: bool = False) -> bool:
        value = self.get(keyword)
        return default if value is None else value.lower() in ("yes", "true")

    def number(self, keyword: str) -> int | None:
        value = self.get(keyword)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            raise SshConfigError(f"ssh_config {keyword}: {value!r} is not a number"
                                 + self.where(keyword)) from None

    def comes_before(self, first: str, second: str) -> bool:
        """Whether ``first`` was set before ``second`` (ProxyCommand vs ProxyJump: the one
        given first wins in ssh; paramiko keeps the first-set order of keywords)."""
        order = list(self.values)
        return order.index(first) < order.index(second)

    def where(self, keyword: str) -> str:
        origin = self.config.origin(keyword, self.get(keyword)) if self.config else ""
        return f" ({origin})" if origin else ""


def _for_paramiko(text: str) -> str:
    match = _LINE.match(text)
    if match is None or match.group(1).lower() != "certificatefile":
        return text
    value = match.group(2)
    if len(value) > 1 and value.startswith('"') and value.endswith('"'):
        value = value[1:-1]
    return f'IdentityFile "{CERTIFICATE_PREFIX}{value}"'


def flatten(path: Path, *, system: bool, depth: int = 0,
            outer: list[str] | None = None) -> list[ConfigLine]:
    """``path``'s lines with every Include replaced by what it names (see the docstring)."""
    if depth > _MAX_INCLUDE_DEPTH:
        raise SshConfigError(f"ssh_config: Include nested more than {_MAX_INCLUDE_DEPTH} deep "
                             f"at {path}")
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise SshConfigError(f"ssh_config: cannot read {path}: {exc.strerror or exc}") from None
    here: list[str] | None = outer  # the condition of the block the next line belongs to
    header = _header_text(outer, None)
    # An included file starts in the includer's block (not in the last file's last block).
    lines: list[ConfigLine] = [ConfigLine(header, "")] if depth else []
    for number, raw in enumerate(text.splitlines(), start=1):
        origin = f"{path}:{number}"
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _LINE.match(stripped)
        keyword = match.group(1).lower() if match else ""
        value = match.group(2) if match else ""
        if keyword in ("host", "match"):
            own = _criteria(keyword, value, origin)
            here = _join(outer, own)
            header = (f"{keyword.capitalize()} {value}" if outer is None
                      else _header_text(outer, own))
            lines.append(ConfigLine(header, origin))
        elif keyword == "include":
            included = [ConfigLine(line.text, line.origin)
                        for name in _include_paths(value, system, origin)
                        for line in flatten(name, system=system, depth=depth + 1, outer=here)]
            if included:
                lines += included
                lines.append(ConfigLine(header, ""))  # back to the includer's block
        else:
            lines.append(ConfigLine(stripped, origin))
    return lines


def _criteria(keyword: str, value: str, origin: str) -> list[str]:
    try:
        words = shlex.split(value)
    except ValueError:
        raise SshConfigError(f"ssh_config: cannot parse {keyword} {value} ({origin})") from None
    if keyword == "host":
        return ["originalhost", ",".join(words)] if words else ["originalhost", ""]
    return [w for w in words if w.lower() != "all"]


def _join(outer: list[str] | None, own: list[str]) -> list[str]:
    return [*(outer or []), *own]


def _header_text(outer: list[str] | None, own: list[str] | None) -> str:
    criteria = _join(outer, own or [])
    return "Match " + " ".join(shlex.quote(c) for c in criteria) if criteria else "Host *"


def _include_paths(value: str, system: bool, origin: str) -> list[Path]:
    try:
        names = shlex.split(value)
    except ValueError:
        raise SshConfigError(f"ssh_config: cannot parse Include {value} ({origin})") from None
    found: list[Path] = []
    for name in names:
        if not system:
            name = os.path.expanduser(name)
        if not os.path.isabs(name):
            name = str((system_ssh_dir() if system else user_ssh_dir()) / name)
        # Lexical order, as ssh; a pattern that matches nothing is no error.
        found += [Path(p) for p in sorted(glob.glob(name)) if os.path.isfile(p)]
    return found


def _refuse_unknown_match(lines: list[ConfigLine]) -> None:
    """paramiko lets a Match criterion it does not know match every host: refuse it."""
    for line in lines:
        if not line.text.startswith("Match "):
            continue
        words = shlex.split(line.text[len("Match "):])
        position = 0
        while position < len(words):
            word = words[position].lstrip("!").lower()
            if word not in SUPPORTED_MATCH:
                raise SshConfigError(f"ssh_config option Match {word} is not supported"
                                     + (f" ({line.origin})" if line.origin else ""))
            position += 1 if word in ("all", "canonical", "final") else 2


# -- tokens ------------------------------------------------------------------------------

def token_values(*, alias: str, hostname: str, port: int, user: str,
                 host_key_alias: str | None = None) -> dict[str, str]:
    """The %-tokens of ssh_config(5) for one connection."""
    local_fqdn = socket.gethostname()
    local = local_fqdn.split(".")[0]
    return {
        "%": "%",
        "C": hashlib.sha1(f"{local_fqdn}{hostname}{port}{user}".encode()).hexdigest(),
        "d": str(Path.home()),
        "h": hostname,
        "i": str(os.getuid()),
        "k": host_key_alias or alias,
        "L": local,
        "l": local_fqdn,
        "n": alias,
        "p": str(port),
        "r": user,
        "u": getpass.getuser(),
    }


def expand(keyword: str, value: str, tokens: Mapping[str, str], origin: str = "") -> str:
    """``value`` with ``~``, ``${ENV}`` and the %-tokens ``keyword`` accepts expanded."""
    where = f" ({origin})" if origin else ""
    if keyword in _ENV_KEYWORDS:
        value = _expand_env(keyword, value, where)
        if value.startswith("~"):
            value = os.path.expanduser(value)
    allowed = TOKENS_BY_KEYWORD.get(keyword, frozenset())

    def replace(match: re.Match[str]) -> str:
        token = match.group(1)
        if token not in allowed or token not in tokens:
            raise SshConfigError(f"ssh_config {keyword} {value}: token %{token} is not "
                                 f"supported here{where}")
        return tokens[token]

    if not allowed:
        return value
    if value.endswith("%") and not value.endswith("%%"):
        raise SshConfigError(f"ssh_config {keyword} {value}: a lone % at the end{where}")
    return re.sub(r"%(.)", replace, value)


def _expand_env(keyword: str, value: str, where: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise SshConfigError(f"ssh_config {keyword} {value}: environment variable {name} "
                                 f"is not set{where}")
        return os.environ[name]

    return re.sub(r"\$\{(\w+)\}", replace, value)

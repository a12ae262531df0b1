"""What the preflight needs to know about a host, gathered by one shell command.

The command runs in the same session as the upload, right after the lock is taken (see
step_lock.acquire), and prints sections: the listening TCP sockets (``ss -ltnp``, else
/proc/net/tcp), for each listening process its executable, ids, effective capabilities
and ``getcap``; the lowest unprivileged port; per target directory the free space, write
access and mount options; the certificate directory's files and its parents' modes; and
the login environment when the certificate location needs it. step_preflight.py judges.
Nothing here writes on the host; every tool is optional (a missing one leaves a gap that
the judge reports as "not checked", never as a fault).
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
import shlex
from dataclasses import dataclass, field

_SECTION = "@@leap-tui-preflight "
_EXE_LINK = re.compile(r"/proc/(\d+)/exe -> (.+)$")
_USERS = re.compile(r'\("(?P<name>[^"]*)",pid=(?P<pid>\d+)')
CAP_NET_BIND_SERVICE = 10


@dataclass(frozen=True, slots=True)
class Socket:
    """A listening TCP socket: address ("" for every address), port, holders."""

    address: str
    port: int
    holders: tuple[tuple[str, int], ...] = ()  # (process name, pid); empty when not known

    def overlaps(self, address: str) -> bool:
        """Whether binding ``address`` on this port would collide with this socket."""
        return not self.address or not address or _same_address(self.address, address)

    def describe(self) -> str:
        who = ", ".join(f"{name} (pid {pid})" for name, pid in self.holders)
        return f"{who or 'another process'} on {self.address or '*'}:{self.port}"


@dataclass(slots=True)
class Process:
    pid: int
    exe: str = ""
    uid: int | None = None
    gid: int | None = None
    groups: tuple[int, ...] = ()
    cap_eff: int = 0
    getcap: str = ""

    @property
    def can_bind_low_ports(self) -> bool:
        return (self.uid == 0 or bool(self.cap_eff >> CAP_NET_BIND_SERVICE & 1)
                or "cap_net_bind_service" in self.getcap)


@dataclass(frozen=True, slots=True)
class DirSpace:
    free_kib: int | None
    writable: bool
    mount_options: tuple[str, ...]
    state: str = "dir"  # "missing", or "notdir" (something else has the name)
    parent: str | None = None  # of a missing one: its nearest directory that exists

    @property
    def read_only(self) -> bool:
        return "ro" in self.mount_options


@dataclass(frozen=True, slots=True)
class PathMode:
    mode: int
    uid: int
    gid: int


@dataclass(slots=True)
class Facts:
    sockets: list[Socket] | None = None  # None: neither ss nor /proc/net/tcp answered
    processes: dict[int, Process] = field(default_factory=dict)
    unprivileged_port_start: int = 1024
    login_uid: int | None = None
    dirs: dict[str, DirSpace] = field(default_factory=dict)
    cert_paths: dict[str, PathMode] = field(default_factory=dict)
    env: dict[str, str] | None = None

    def holders_of(self, port: int, address: str) -> list[Socket]:
        return [s for s in self.sockets or () if s.port == port and s.overlaps(address)]


def facts_command(dirs: list[str], cert_dir: str | None, *, env: bool) -> str:
    """The shell command printing every section; ``cert_dir`` an absolute path or None."""
    q = shlex.quote
    lines = [
        f'echo "{_SECTION}id"; id -u',
        f'echo "{_SECTION}unpriv"; cat /proc/sys/net/ipv4/ip_unprivileged_port_start'
        " 2>/dev/null",
        "if command -v ss >/dev/null 2>&1; then",
        f'  echo "{_SECTION}ss"; leap_ss=$(ss -ltnpH 2>/dev/null || ss -ltnp 2>/dev/null)',
        '  echo "$leap_ss"',
        # No process started per listening process: their status read by the shell, the
        # programs of all of them by one ls, getcap once per program. A host with many
        # listeners must not pay several forks for each.
        '  leap_pids=$(echo "$leap_ss" | grep -o "pid=[0-9]*" | cut -d= -f2 | sort -u)',
        "  leap_links=''",
        "  for leap_pid in $leap_pids; do",
        f'    echo "{_SECTION}proc $leap_pid"',
        "    while IFS= read -r leap_line; do case $leap_line in",
        '      Uid:*|Gid:*|Groups:*|CapEff:*) echo "$leap_line";; esac',
        '    done 2>/dev/null < "/proc/$leap_pid/status"',
        '    leap_links="$leap_links /proc/$leap_pid/exe"',
        "  done",
        '  if [ -n "$leap_links" ]; then',
        f'    echo "{_SECTION}exe"; leap_exes=$(ls -l $leap_links 2>/dev/null); echo "$leap_exes"',
        "    if command -v getcap >/dev/null 2>&1; then",
        '      echo "$leap_exes" | sed -n "s/.* -> //p" | sort -u | while IFS= read -r leap_exe;'
        " do",
        f'        echo "{_SECTION}getcap $leap_exe"; getcap "$leap_exe" 2>/dev/null; done',
        "    fi",
        "  fi",
        "else",
        f'  echo "{_SECTION}proc-net"; cat /proc/net/tcp /proc/net/tcp6 2>/dev/null',
        "fi",
    ]
    for number, directory in enumerate(dirs):
        d = q(directory)
        lines += [
            f'echo "{_SECTION}dir {number}"; df -Pk -- {d} 2>/dev/null | tail -n 1',
            f"[ -w {d} ] && echo writable",
            # A directory that is not there: named with the part of its path that is.
            f"if [ ! -d {d} ]; then [ -e {d} ] && echo notdir || echo missing; leap_p={d};"
            ' while [ ! -d "$leap_p" ]; do leap_p=$(dirname -- "$leap_p"); done;'
            ' echo "parent=$leap_p"; fi',
            f"findmnt -no OPTIONS -T {d} 2>/dev/null | sed 's/^/mount=/'",
        ]
    if cert_dir is not None:
        parents = []
        path = cert_dir
        while path not in ("/", ""):
            parents.append(path)
            path = posixpath.dirname(path)
        targets = " ".join(q(p) for p in ["/", *reversed(parents)])
        lines.append(f'echo "{_SECTION}certs"; stat -L -c "%a %u %g %n" -- {targets} '
                     f"{q(cert_dir)}/*.crt {q(cert_dir)}/*.key 2>/dev/null")
    if env:
        lines.append(f'echo "{_SECTION}env"; env')
    return "\n".join(lines)


def parse_facts(output: str, dirs: list[str]) -> Facts:
    facts = Facts()
    section, arg = "", ""
    bodies: dict[tuple[str, str], list[str]] = {}
    capabilities: dict[str, str] = {}  # getcap's answer per program
    programs: dict[str, str] = {}  # pid -> its program, from ls -l /proc/PID/exe
    for line in output.splitlines():
        if line.startswith(_SECTION):
            section, _, arg = line[len(_SECTION):].partition(" ")
            bodies.setdefault((section, arg), [])
        elif section:
            bodies[(section, arg)].append(line)
    for (name, arg), body in bodies.items():
        if name == "id" and body and body[0].strip().isdigit():
            facts.login_uid = int(body[0])
        elif name == "unpriv" and body and body[0].strip().isdigit():
            facts.unprivileged_port_start = int(body[0])
        elif name == "ss":
            facts.sockets = [s for s in map(_ss_socket, body) if s is not None]
        elif name == "proc-net":
            facts.sockets = [s for s in map(_proc_net_socket, body) if s is not None] or None
        elif name == "proc" and arg.isdigit():
            facts.processes[int(arg)] = _process(int(arg), body)
        elif name == "exe":
            for link in filter(None, map(_EXE_LINK.search, body)):
                programs[link.group(1)] = link.group(2)
        elif name == "getcap":
            capabilities[arg] = " ".join(body).lower()
        elif name == "dir" and arg.isdigit() and int(arg) < len(dirs):
            facts.dirs[dirs[int(arg)]] = _dir_space(body)
        elif name == "certs":
            facts.cert_paths = dict(p for p in map(_path_mode, body) if p is not None)
        elif name == "env":
            facts.env = dict(line.partition("=")[::2] for line in body
                             if line.partition("=")[0].isidentifier())
    for pid, process in facts.processes.items():
        process.exe = programs.get(str(pid), process.exe)
        process.getcap = capabilities.get(process.exe, process.getcap)
    return facts


def _split_address(text: str) -> tuple[str, int] | None:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        return None
    host = host.split("%", 1)[0].strip("[]")
    if host in ("*", "0.0.0.0", "::"):
        host = ""
    elif host.startswith("::ffff:") and "." in host:
        host = host[7:]
    return host, int(port)


def _ss_socket(line: str) -> Socket | None:
    parts = line.split(None, 5)
    if len(parts) < 5 or parts[0] != "LISTEN":
        return None
    where = _split_address(parts[3])
    if where is None:
        return None
    users = tuple((m["name"], int(m["pid"])) for m in _USERS.finditer(line))
    return Socket(where[0], where[1], users)


def _proc_net_socket(line: str) -> Socket | None:
    parts = line.split()
    if len(parts) < 4 or parts[3] != "0A" or ":" not in parts[1]:  # 0A: LISTEN
        return None
    hex_address, hex_port = parts[1].split(":")
    try:
        raw = bytes.fromhex(hex_address)
        # /proc prints each 32-bit word in host order (little-endian here).
        packed = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
        address = str(ipaddress.ip_address(packed))
    except ValueError:
        return None
    if address in ("0.0.0.0", "::"):
        address = ""
    return Socket(address, int(hex_port, 16))


def _process(pid: int, body: list[str]) -> Process:
    process = Process(pid)
    for line in body:
        key, _, value = line.partition("=") if line.startswith(("exe=", "getcap=")) else (
            line.partition(":"))
        fields = value.split()
        if key == "exe":
            process.exe = value
        elif key == "getcap":
            process.getcap = value.lower()
        elif key == "Uid" and len(fields) > 1 and fields[1].isdigit():
            process.uid = int(fields[1])  # the effective uid
        elif key == "Gid" and len(fields) > 1 and fields[1].isdigit():
            process.gid = int(fields[1])
        elif key == "Groups":
            process.groups = tuple(int(g) for g in fields if g.isdigit())
        elif key == "CapEff" and fields:
            process.cap_eff = int(fields[0], 16) if re.fullmatch(r"[0-9a-fA-F]+", fields[0]) else 0
    return process


def _dir_space(body: list[str]) -> DirSpace:
    free: int | None = None
    options: tuple[str, ...] = ()
    writable = False
    state, parent = "dir", None
    for line in body:
        if line == "writable":
            writable = True
        elif line in ("missing", "notdir"):
            state = line
        elif line.startswith("parent="):
            parent = line[7:]
        elif line.startswith("mount="):
            options = tuple(line[6:].split(","))
        else:
            fields = line.split()
            if len(fields) >= 4 and fields[3].isdigit():
                free = int(fields[3])
    return DirSpace(free, writable, options, state, parent)


def _path_mode(line: str) -> tuple[str, PathMode] | None:
    parts = line.split(" ", 3)
    if len(parts) != 4 or not all(p.isdigit() for p in parts[1:3]):
        return None
    try:
        return parts[3], PathMode(int(parts[0], 8), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def _same_address(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return a == b

"""Every ssh_config(5) keyword and what leap-tui does with it: one table for the code (what
to refuse) and for the docs (README and docs/apply.md print it; a test keeps them equal).

``honoured``: as ssh does. ``ignored``: it does not change where, as whom or with which
trust leap-tui connects (or leap-tui is stricter without it). ``refused``: it would, and
leap-tui cannot do it, so a host it applies to fails by name ("ssh_config option X is not
supported", AP014) instead of connecting somewhere else or failing with a misleading error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tui.core.remote.errors import SshConfigError
from tui.core.remote.ssh_config import HostOptions

HONOURED = "honoured"
IGNORED = "ignored"
REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class Feature:
    keyword: str  # as ssh_config(5) spells it
    status: str
    note: str
    # For an honoured or ignored keyword, the values that are refused all the same.
    refuse_value: Callable[[str], bool] | None = None


def _not(*accepted: str) -> Callable[[str], bool]:
    return lambda value: value.lower() not in accepted


def _lacks_publickey(value: str) -> bool:
    return "publickey" not in [v.strip().lower() for v in value.split(",")]


_ALGORITHMS = ("the list (exact, `+`, `-` or `^` form) limits what paramiko offers; a list "
               "paramiko supports none of is refused")

FEATURES: tuple[Feature, ...] = (
    Feature("Host", HONOURED, "patterns with `*`, `?` and `!`, first value wins"),
    Feature("Match", HONOURED, "`all`, `canonical`, `final`, `exec`, `host`, `originalhost`, "
            "`user`, `localuser` (paramiko's SSHConfig); any other criterion is refused, "
            "since paramiko would let it match every host"),
    Feature("Include", HONOURED, "globs in lexical order, relative to ~/.ssh (/etc/ssh for "
            "the system file), inside Host/Match blocks too, 16 deep"),
    Feature("HostName", HONOURED, "with `%h` and `%%`"),
    Feature("Port", HONOURED, "the inventory's `port` wins, as `ssh -p` does"),
    Feature("User", HONOURED, "the inventory's `user` wins, as `ssh -l` does"),
    Feature("ProxyJump", HONOURED, "each hop gets its own ssh_config; `none` disables it"),
    Feature("ProxyCommand", HONOURED, "run with `$SHELL -c exec ...`, tokens `%h %n %p %r %%`; "
            "whichever of ProxyCommand and ProxyJump comes first wins"),
    Feature("ProxyUseFdpass", HONOURED, "`yes` is refused (the command must relay the bytes)",
            _not("no")),
    Feature("IdentityFile", HONOURED, "tokens, `~` and `${ENV}`; the inventory's "
            "`identity_file` is tried first"),
    Feature("IdentitiesOnly", HONOURED, "only the configured (or default) key files are "
            "offered, not the agent's other keys"),
    Feature("IdentityAgent", HONOURED, "a socket path, `SSH_AUTH_SOCK`, `$VAR` or `none`"),
    Feature("CertificateFile", HONOURED, "paired with the key it certifies (also "
            "`KEY-cert.pub`)"),
    Feature("PubkeyAuthentication", HONOURED, "`no` is refused: leap-tui signs in with keys "
            "only", _not("yes", "unbound", "host-bound")),
    Feature("PreferredAuthentications", HONOURED, "refused unless it lists `publickey`",
            _lacks_publickey),
    Feature("ConnectTimeout", HONOURED, "TCP connect and the SSH banner"),
    Feature("ConnectionAttempts", HONOURED, "TCP connect retried once a second"),
    Feature("ServerAliveInterval", HONOURED, "a keepalive that wants an answer every N s "
            "(unset: a keepalive every 15 s)"),
    Feature("ServerAliveCountMax", HONOURED, "the connection is dropped after N keepalives "
            "without an answer"),
    Feature("AddressFamily", HONOURED, "`inet` or `inet6` limit the addresses tried"),
    Feature("BindAddress", HONOURED, "the local address connections come from"),
    Feature("Compression", HONOURED, "zlib, as paramiko offers it"),
    Feature("BatchMode", HONOURED, "`yes`: no prompt (host key, passphrase) is ever shown"),
    Feature("Ciphers", HONOURED, _ALGORITHMS),
    Feature("MACs", HONOURED, _ALGORITHMS),
    Feature("KexAlgorithms", HONOURED, _ALGORITHMS),
    Feature("HostKeyAlgorithms", HONOURED, _ALGORITHMS),
    Feature("PubkeyAcceptedAlgorithms", HONOURED, _ALGORITHMS),
    Feature("UserKnownHostsFile", HONOURED, "several files, `~`, tokens, `${ENV}`, `none`; new "
            "keys go to the first (the inventory's `known_hosts` comes before all)"),
    Feature("GlobalKnownHostsFile", HONOURED, "several files, `~`; default "
            "/etc/ssh/ssh_known_hosts and ssh_known_hosts2"),
    Feature("StrictHostKeyChecking", HONOURED, "`yes`, `accept-new`, `ask` (default); `no` "
            "and `off` are refused: an unseen key is never trusted silently, a changed one "
            "never"),
    Feature("HashKnownHosts", HONOURED, "keys accepted are recorded under a hashed name"),
    Feature("HostKeyAlias", HONOURED, "the name host keys are looked up and recorded under"),
    Feature("CanonicalizeHostname", HONOURED, "as paramiko's SSHConfig does (CanonicalDomains, "
            "CanonicalizeMaxDots, CanonicalizeFallbackLocal)"),
    Feature("CanonicalDomains", HONOURED, "see CanonicalizeHostname"),
    Feature("CanonicalizeMaxDots", HONOURED, "see CanonicalizeHostname"),
    Feature("CanonicalizeFallbackLocal", HONOURED, "see CanonicalizeHostname"),
    Feature("BindInterface", REFUSED, "would change the network path; not supported"),
    Feature("KnownHostsCommand", REFUSED, "host keys from a command: trust leap-tui cannot "
            "check", _not("none")),
    Feature("RevokedHostKeys", REFUSED, "a revocation list leap-tui cannot read would let a "
            "revoked key pass; use `@revoked` lines in known_hosts", _not("none")),
    Feature("PKCS11Provider", REFUSED, "keys on a token: paramiko cannot use them", _not("none")),
    Feature("CanonicalizePermittedCNAMEs", REFUSED, "paramiko does not follow CNAMEs"),
    Feature("CheckHostIP", IGNORED, "the host's name is checked; its address is not looked up "
            "separately"),
    Feature("VerifyHostKeyDNS", IGNORED, "stricter: keys come from known_hosts only"),
    Feature("NoHostAuthenticationForLocalhost", IGNORED, "stricter: localhost is checked too"),
    Feature("UpdateHostKeys", IGNORED, "no other host keys are learnt"),
    Feature("GSSAPIAuthentication", IGNORED, "keys only; a host that needs Kerberos fails to "
            "authenticate (AP010)"),
    Feature("HostbasedAuthentication", IGNORED, "keys only"),
    Feature("PasswordAuthentication", IGNORED, "no password is ever sent"),
    Feature("KbdInteractiveAuthentication", IGNORED, "no password is ever sent"),
    Feature("ControlMaster", IGNORED, "leap-tui opens its own connections"),
    Feature("ControlPath", IGNORED, "leap-tui opens its own connections"),
    Feature("ControlPersist", IGNORED, "leap-tui opens its own connections"),
    Feature("ForwardAgent", IGNORED, "nothing is forwarded"),
    Feature("LocalForward", IGNORED, "nothing is forwarded"),
    Feature("RemoteForward", IGNORED, "nothing is forwarded"),
    Feature("DynamicForward", IGNORED, "nothing is forwarded"),
    Feature("RemoteCommand", IGNORED, "leap-tui runs its own commands"),
    Feature("RequestTTY", IGNORED, "leap-tui runs its own commands"),
    Feature("SendEnv", IGNORED, "commands run with the login shell's environment"),
    Feature("SetEnv", IGNORED, "commands run with the login shell's environment"),
    Feature("LocalCommand", IGNORED, "not run"),
    Feature("AddKeysToAgent", IGNORED, "keys are not added to the agent"),
    Feature("TCPKeepAlive", IGNORED, "see ServerAliveInterval"),
    Feature("LogLevel", IGNORED, "display only"),
)

_BY_NAME = {feature.keyword.lower(): feature for feature in FEATURES}


def refuse_unsupported(options: HostOptions) -> None:
    """Raise SshConfigError naming the first option that applies to this host and that
    leap-tui cannot honour."""
    for keyword in options.values:
        feature = _BY_NAME.get(keyword)
        if feature is None:
            continue
        value = options.get(keyword)
        if value is None:
            continue
        refused = (feature.status == REFUSED and (feature.refuse_value is None
                                                  or feature.refuse_value(value)))
        if not refused and feature.refuse_value is not None and feature.status != REFUSED:
            refused = feature.refuse_value(value)
        if refused:
            raise SshConfigError(
                f"ssh_config option {feature.keyword} is not supported: {feature.keyword} "
                f"{value} applies to {options.alias}{options.where(keyword)}; {feature.note}")


KNOWN_HOSTS_FEATURES: tuple[Feature, ...] = (
    Feature("known_hosts: plain and comma lists", HONOURED, "`web1,10.0.0.5 ssh-ed25519 ...`"),
    Feature("known_hosts: `[host]:port`", HONOURED, "a port other than 22, as ssh writes it"),
    Feature("known_hosts: `*`, `?` and `!` patterns", HONOURED, "a matching `!pattern` vetoes "
            "the line; names compare case-insensitively"),
    Feature("known_hosts: hashed names", HONOURED, "`|1|salt|hmac` (HashKnownHosts)"),
    Feature("known_hosts: `@revoked`", HONOURED, "the key is refused (AP002) even where "
            "another line lists it"),
    Feature("known_hosts: `@cert-authority`", HONOURED, "a host certificate signed by the "
            "authority is checked (host type, principal, validity, signature) and trusted, not "
            "recorded; one that fails falls back to the plain key, with the reason"),
    Feature("known_hosts: other markers, unknown key types", IGNORED, "the line is skipped, "
            "as ssh skips it"),
)


def features_markdown() -> str:
    """The table README.md and docs/apply.md show."""
    rows = ["| setting | leap-tui | how, or why not |", "| --- | --- | --- |"]
    rows += [f"| {f.keyword} | {f.status} | {f.note} |"
             for f in (*FEATURES, *KNOWN_HOSTS_FEATURES)]
    return "\n".join(rows) + "\n"

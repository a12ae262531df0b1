"""What a Clace (and OpenRun) server TOML may contain: the modelled fields and every known key.

The fields are the ``[http]`` and ``[https]`` settings of the networking page
(``../shared/seeds/clace-networking.md``) plus the three keys Clace's own default file
added later (``redirect_to_https``, ``mkcert_path``, ``disable_client_certs``). Defaults
follow the page, which documents the 2023-09 ports 25223/25224; the notes say that servers
since 2023-09-22 ship 25222/25223.

``KNOWN_KEYS`` is the union over the four real default files (the 2023-09 seed era, 2024-04,
latest Clace and latest OpenRun) and the sections their comments document. Section names
are dotted table paths; a ``*`` segment stands for a name the operator chooses
(``plugin."store.in"``), and a key set of ``{"*"}`` means any key is accepted there.
Clace silently ignores unknown keys, so this table is what lets a typo be reported.

The parsers from typed text to a value of each field kind live in ``field_values.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["port", "host", "bool", "email", "path", "string"]

ANY_KEY = "*"

_NEW_PORTS = (
    "The page documents 25223 (HTTP) / 25224 (HTTPS); servers since 2023-09-22 ship "
    "25222 (HTTP) / 25223 (HTTPS) as their built-in defaults."
)


@dataclass(frozen=True)
class FieldSpec:
    """One modelled setting: dotted key, value kind, documented default and help text."""

    key: str
    kind: FieldKind
    default: object
    label: str
    note: str

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]


def value_has_kind(kind: FieldKind, value: object) -> bool:
    """Whether ``value`` (as decoded from TOML) is of the type the field needs."""
    if kind == "port":
        # bool is an int in Python, but `port = true` is a type error for the server.
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    return isinstance(value, str)


_FIELDS = (
    FieldSpec(
        "http.host",
        "host",
        "127.0.0.1",
        "HTTP host",
        "Interface the HTTP listener binds to. Default 127.0.0.1 (localhost): the HTTP port "
        "can be reached from the same machine only, not remotely. Use 0.0.0.0 to bind to all "
        "available interfaces.",
    ),
    FieldSpec(
        "http.port",
        "port",
        25223,
        "HTTP port",
        "Port for HTTP requests, default 25223. " + _NEW_PORTS + " Port 0 binds to any "
        "available port (find it in stdout or the logs; clients must be updated after every "
        "restart). Port -1 disables HTTP access.",
    ),
    FieldSpec(
        "http.redirect_to_https",
        "bool",
        False,
        "Redirect to HTTPS",
        "Redirect HTTP requests to HTTPS. Default false. Not on the page; Clace's own "
        "default configuration has it by 2025-08.",
    ),
    FieldSpec(
        "https.host",
        "host",
        "0.0.0.0",
        "HTTPS host",
        "Interface the HTTPS listener binds to (if port is >= 0). Default 0.0.0.0 (any "
        "interface): the HTTPS port can be reached from the same machine and remotely.",
    ),
    FieldSpec(
        "https.port",
        "port",
        25224,
        "HTTPS port",
        "Port for HTTPS requests, default 25224. " + _NEW_PORTS + " Automatic certificates "
        "need 443 (the CA's TLS-ALPN challenge comes to 443; ports below 1024 need root or "
        "setcap). Port 0 binds to any available port. Port -1 disables HTTPS access.",
    ),
    FieldSpec(
        "https.enable_cert_lookup",
        "bool",
        True,
        "Certificate lookup",
        "Look for certificate files on disk (cert_location) before using Let's Encrypt. "
        "Default true. If false and service_email is also unset, the default.crt certificate "
        "is used for all requests.",
    ),
    FieldSpec(
        "https.service_email",
        "email",
        "",
        "Let's Encrypt email",
        "Email address for registering with Let's Encrypt; setting it enables automatic "
        "certificates (certmagic, TLS-ALPN challenge only). Prerequisites: HTTPS on port "
        "443, a DNS entry pointing the host name to this server, and 443 reachable from the "
        "public internet (TLS pass-through on a load balancer). Give a valid address: it "
        "receives expiration emails. Default \"\" (disabled).",
    ),
    FieldSpec(
        "https.use_staging",
        "bool",
        True,
        "Let's Encrypt staging",
        "Use the Let's Encrypt staging server. Default true. Start with staging, then set "
        "false for production once DNS and networking work: Let's Encrypt has strict rate "
        "limits.",
    ),
    FieldSpec(
        "https.cert_location",
        "path",
        "$CL_HOME/config/certificates",
        "Certificate folder",
        "Where to look for existing certificate files: DOMAIN.crt and DOMAIN.key in PEM "
        "(example.crt for example.com), then default.crt and default.key; when none is found "
        "and automatic certificates are off, a self-signed certificate is created here. "
        "Default $CL_HOME/config/certificates.",
    ),
    FieldSpec(
        "https.storage_location",
        "path",
        "$CL_HOME/run/certmagic",
        "Certificate cache",
        "Where to cache dynamically created (Let's Encrypt) certificates. Default "
        "$CL_HOME/run/certmagic.",
    ),
    FieldSpec(
        "https.mkcert_path",
        "path",
        "",
        "mkcert path",
        "mkcert binary path; set to \"disable\" to disable mkcert. Default \"\". Not on the "
        "page; Clace's own default configuration has it by 2025-08.",
    ),
    FieldSpec(
        "https.disable_client_certs",
        "bool",
        True,
        "Disable client certificates",
        "Disable client certificates for HTTPS. Default true. Not on the page; Clace's own "
        "default configuration has it by 2025-08.",
    ),
)

CLACE_FIELDS: dict[str, FieldSpec] = {spec.key: spec for spec in _FIELDS}

# Facts from ../shared/corpus/clace/*.toml; where a later file dropped a key (admin_over_tcp
# became unsafe_admin_over_tcp) both stay known, because older servers still read them.
KNOWN_KEYS: dict[str, frozenset[str]] = {
    "": frozenset(
        {
            "server_url",
            "server_uri",
            "admin_user",
            "admin_password",
            "admin_password_bcrypt",
            "skip_cert_check",
        }
    ),
    "client": frozenset({"admin_password", "skip_cert_check", "default_format"}),
    "http": frozenset({"host", "port", "redirect_to_https"}),
    "https": frozenset(
        {
            "host",
            "port",
            "enable_cert_lookup",
            "mkcert_path",
            "service_email",
            "use_staging",
            "cert_location",
            "storage_location",
            "disable_client_certs",
        }
    ),
    "security": frozenset(
        {
            "admin_over_tcp",
            "unsafe_admin_over_tcp",
            "admin_password_bcrypt",
            "app_default_auth_type",
            "auth_required",
            "auth_callback_domain",
            "disable_login_form",
            "session_secret",
            "session_block_key",
            "session_max_age",
            "session_https_only",
            "default_git_auth",
            "stage_enable_write_access",
            "preview_enable_write_access",
            "trusted_proxies",
            "allowed_container_args",
            "allowed_mounts",
            "unsafe_agent_without_sandbox",
            "unsafe_enable_testurl_rbac",
            "unsafe_allow_system_plugins_anon",
        }
    ),
    "logging": frozenset(
        {
            "level",
            "max_backups",
            "max_size_mb",
            "console",
            "file",
            "access_logging",
            "litestream_log_level",
        }
    ),
    "metadata": frozenset(
        {
            "db_connection",
            "auto_upgrade",
            "audit_db_connection",
            "file_cache_connection",
            "config_history_versions",
            "sqlite_journal_size_limit",
            "sqlite_maintenance_interval_secs",
            "sqlite_truncate_checkpoint_every",
            "sqlite_vacuum_pages",
        }
    ),
    "system": frozenset(
        {
            "tailwindcss_command",
            "tailwind_version",
            "daisyui_url",
            "daisyui_theme_url",
            "disable_file_hash_dev_mode",
            "file_watcher_debounce_millis",
            "watch_ignore_patterns",
            "node_path",
            "git_checkout_cache_entries",
            "git_remote_check_interval_secs",
            "git_operation_timeout_secs",
            "container_command",
            "stale_container_cleanup_interval_mins",
            "default_domain",
            "stage_at",
            "default_stage_domain",
            "root_serve_list_apps",
            "enable_compression",
            "default_schedule_mins",
            "max_sync_failure_count",
            "early_hints",
            "http_event_retention_days",
            "non_http_event_retention_days",
            "allowed_env",
            "max_concurrent_builds",
            "max_build_wait_secs",
            "use_image_pre_build_step",
            "file_workers",
            "leader_election_lease_secs",
            "leader_election_heartbeat_interval_secs",
            "list_apps_title",
            "show_hosted_with",
            "fallback_unknown_domains",
            "forward_auth_timeout_secs",
        }
    ),
    "plugin.*": frozenset({"db_connection"}),
    "app_config": frozenset(
        {
            "action.max_request_body_bytes",
            "cors.allow_origin",
            "cors.allow_methods",
            "cors.allow_headers",
            "cors.allow_credentials",
            "cors.max_age",
            "container.health_url",
            "container.health_attempts_after_startup",
            "container.health_timeout_secs",
            "container.deploy_probe_period_secs",
            "container.deploy_health_attempts",
            "container.deploy_progress_deadline_secs",
            "container.idle_shutdown_secs",
            "container.idle_shutdown_dev_apps",
            "container.idle_bytes_high_watermark",
            "container.status_check_interval_secs",
            "container.status_health_attempts",
            "container.log_lines_to_show",
            "container.show_logs_for_failure",
            "kubernetes.default_volume_size",
            "kubernetes.scaling_threshold_cpu",
            "proxy.max_idle_conns",
            "proxy.idle_conn_timeout_secs",
            "proxy.disable_compression",
            "proxy.rewrite_location",
            "fs.file_access",
            "fs.retain_versions",
            "static_root_cache_control",
            "audit.redact_url",
            "audit.skip_http_events",
            "security.default_secrets_provider",
            "security.disable_csrf_protection",
            "security.headers_level",
        }
    ),
    # OpenRun (the renamed Clace) from here on.
    "bindings": frozenset(
        {
            "cache_dir",
            "release_url_template",
            "unsafe_allow_http",
            "preinstalled_dir",
            "disable_install",
        }
    ),
    "bindings.install": frozenset({ANY_KEY}),
    "bindings.dev_providers.*": frozenset({"path"}),
    "plugin_providers": frozenset({"preinstalled_dir"}),
    "plugin_providers.install": frozenset({ANY_KEY}),
    "plugin_providers.dev_providers.*": frozenset({"path"}),
    "telemetry": frozenset(
        {
            "enabled",
            "service_name",
            "environment",
            "endpoint",
            "headers",
            "traces",
            "metrics",
            "plugin_spans",
        }
    ),
    "restart": frozenset({"drain_timeout_secs", "upgrade_timeout_secs"}),
    "kubernetes": frozenset({"namespace", "use_node_port"}),
    "builder": frozenset({"mode", "kaniko_image", "kaniko_cache", "kaniko_cache_repo"}),
    "secret.db": frozenset({"key"}),
    "permissions.allow": frozenset({"plugin", "method", "arguments", "secrets"}),
    "permissions.disallow": frozenset({"plugin", "method", "arguments", "secrets"}),
    "app_builder": frozenset(
        {
            "enabled",
            "preview_path",
            "default_builder_profile",
            "max_sessions",
            "session_idle_mins",
            "workspace_dir",
            "system_prompt",
        }
    ),
    "builder_agent.*": frozenset({"model", "effort", "dockerfile", "command"}),
    "builder_git.*": frozenset({"repo", "branch", "auth", "apps_file", "source_dir"}),
    "builder_profile.*": frozenset(
        {
            "agent",
            "git_config",
            "publish_mode",
            "publish_target",
            "spec",
            "prompt",
            "replace",
        }
    ),
}

# Tables that only hold other tables: a key path through them is a section, not a key.
_CONTAINER_SECTIONS = frozenset(
    {
        "plugin",
        "secret",
        "permissions",
        "bindings.dev_providers",
        "plugin_providers.dev_providers",
        "builder_agent",
        "builder_git",
        "builder_profile",
    }
)


# Table paths without a wildcard are looked up directly; the few with one are tried by
# length. A file of a hundred thousand tables asks once per table: no scan of every pattern.
_EXACT_SECTIONS: dict[tuple[str, ...], frozenset[str]] = {}
_WILDCARD_SECTIONS: dict[int, list[tuple[tuple[str, ...], frozenset[str]]]] = {}
for _pattern, _keys in KNOWN_KEYS.items():
    _parts = tuple(_pattern.split(".")) if _pattern else ()
    if ANY_KEY in _parts:
        _WILDCARD_SECTIONS.setdefault(len(_parts), []).append((_parts, _keys))
    else:
        _EXACT_SECTIONS.setdefault(_parts, _keys)


def section_keys(section: tuple[str, ...]) -> frozenset[str] | None:
    """The known keys of a table path (``("plugin", "store.in")``), ``None`` if unknown."""
    keys = _EXACT_SECTIONS.get(section)
    if keys is not None:
        return keys
    for parts, keys in _WILDCARD_SECTIONS.get(len(section), ()):
        if all(p in (ANY_KEY, s) for p, s in zip(parts, section, strict=True)):
            return keys
    return None


def is_known_section(section: tuple[str, ...]) -> bool:
    return section_keys(section) is not None or ".".join(section) in _CONTAINER_SECTIONS


def is_known_key(section: tuple[str, ...], key: str) -> bool:
    """Whether ``key`` (dotted for app_config's dotted keys) is known in ``section``."""
    keys = section_keys(section)
    if keys is None:
        return False
    return ANY_KEY in keys or key in keys

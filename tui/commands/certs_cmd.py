"""`leap-tui certs`: list, check and explain the certificates Clace serves; `certs new` creates.

    leap-tui certs [--clace FILE | --dir DIR] [--domain D] [--format text|json]
    leap-tui certs new DOMAIN [--dir DIR | --clace FILE] [--wildcard] [--force]

`new` is an optional nested subcommand, so `certs` alone (no positional) lists.
Exit 0 with no errors, 1 with errors (or a pair that exists without --force), 2 for
unreadable input.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from tui.commands.common import add_target_options
from tui.commands.output import add_format_option, fail, print_json
from tui.core.certs import (
    CERT_RULES,
    DEFAULT_NAME,
    DEFAULT_VALIDITY_DAYS,
    CertSettings,
    PairExistsError,
    check_cert_dir,
    create_self_signed,
    inspect_dir,
    settings_from_clace,
)
from tui.core.certs.domains import is_ip_literal, validate_hostname
from tui.core.certs.report import report
from tui.core.errors import ConfigError
from tui.core.findings import has_errors

_DIR_HELP = "the certificate directory (instead of, or overriding, https.cert_location)"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "certs",
        help="list, check and explain the TLS certificates Clace serves; `certs new` creates",
        description="Pair NAME.crt with NAME.key in https.cert_location, check them "
        f"({', '.join(CERT_RULES)}) and explain which file the server serves for a domain. "
        "Without --clace/--dir: the Clace config of $CL_CONFIG_FILE or $CL_HOME/clace.toml. "
        "Exit 0 with no errors, 1 with errors, 2 for unreadable input (with --format json, "
        "a JSON object with an \"error\" key).",
    )
    _add_location_options(parser)
    parser.add_argument("--domain", action="append", metavar="D", default=argparse.SUPPRESS,
                        help="explain which certificate the server serves for D (repeatable)")
    add_format_option(parser)
    actions = parser.add_subparsers(dest="certs_action", metavar="ACTION")
    new = actions.add_parser(
        "new",
        help="create a self-signed pair DOMAIN.crt/DOMAIN.key (default: default.crt/.key)",
        description="Create a self-signed certificate with the domain as CN and SAN, a random "
        "serial and the key written 0600, atomically. Never replaces a pair without --force.",
    )
    new.add_argument("name", metavar="DOMAIN", help="the server name, or `default`")
    _add_location_options(new)
    new.add_argument("--wildcard", action="store_true", help="add *.DOMAIN to the SANs")
    new.add_argument("--san", action="append", metavar="NAME", default=[],
                     help="another DNS name or IP address to cover (repeatable)")
    new.add_argument("--days", type=int, default=DEFAULT_VALIDITY_DAYS,
                     help=f"validity in days (default {DEFAULT_VALIDITY_DAYS})")
    new.add_argument("--force", action="store_true", help="replace an existing pair")
    parser.set_defaults(handler=run)


def _add_location_options(parser: argparse.ArgumentParser) -> None:
    add_target_options(parser, provider=False)
    parser.add_argument("--dir", metavar="DIR", default=argparse.SUPPRESS, help=_DIR_HELP)


def load_settings(args: argparse.Namespace) -> CertSettings:
    """--dir, --clace or both (the directory overrides the file's cert_location)."""
    directory = getattr(args, "dir", None)
    clace = getattr(args, "clace", None)
    if not clace and not directory:
        from tui.commands.common import find_targets

        found, _ = find_targets(args, provider=False)
        clace = str(found) if found else None
    if clace:
        from tui.core.clace_config import ClaceConfig

        settings = settings_from_clace(ClaceConfig.load(Path(clace)))
        if directory:
            return CertSettings(
                Path(directory).expanduser(), settings.enable_cert_lookup,
                settings.service_email, directory,
            )
        return settings
    if directory:
        return CertSettings(Path(directory).expanduser(), cert_location=directory)
    raise ConfigError("certs", "give --dir DIR or --clace FILE (no $CL_CONFIG_FILE or "
                      "$CL_HOME/clace.toml here)")


def run(args: argparse.Namespace) -> int:
    if getattr(args, "certs_action", None) == "new":
        return run_new(args)
    try:
        settings = load_settings(args)
        domains = [_domain(d) for d in getattr(args, "domain", None) or []]
    except ConfigError as error:
        # "certs" and "--domain" name no file: the JSON error then has none.
        named = error if error.file not in ("certs", "--domain") else None
        return fail(args, "certs", str(error), error=named)
    try:
        cert_dir = inspect_dir(settings.cert_dir)
    except ConfigError as error:
        unset = "$" in str(settings.cert_dir)
        why = " (a variable is not set here: give --dir)" if unset else ""
        return fail(args, "certs", f"{error}{why}", error=error)
    now = datetime.now(UTC)
    findings = check_cert_dir(
        cert_dir,
        now=now,
        enable_cert_lookup=settings.enable_cert_lookup,
        service_email=settings.service_email,
    )
    if args.format == "json":
        from tui.commands.certs_json import certs_document

        print_json("certs", certs_document(cert_dir, settings, findings, domains, now=now))
    else:
        print(report(cert_dir, settings, findings, domains, now=now))
    return 1 if has_errors(findings) else 0


def _domain(raw: str) -> str:
    if is_ip_literal(raw.strip()):
        return raw.strip()
    try:
        return validate_hostname(raw)
    except ValueError as error:
        raise ConfigError("--domain", str(error)) from None


def run_new(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args)
    except ConfigError as error:
        return fail(None, "certs", str(error))
    if "$" in str(settings.cert_dir):
        # Creating it would make a directory literally named "$CL_HOME" here.
        return fail(None, "certs", f"{settings.cert_dir}: a variable is not set here: give --dir")
    try:
        created = create_self_signed(
            settings.cert_dir,
            args.name,
            wildcard=args.wildcard,
            extra_names=args.san,
            force=args.force,
            days=args.days,
        )
    except PairExistsError as error:
        return fail(None, "certs", f"{error} (use --force to replace)", status=1)
    except ConfigError as error:
        return fail(None, "certs", str(error))
    except OSError as error:
        return fail(None, "certs", f"{settings.cert_dir}: cannot write: {error.strerror or error}")
    info = created.info
    print(f"wrote {created.crt_path} (0644) and {created.key_path} (0600)")
    print(f"  SANs {', '.join(info.sans)}; valid until {info.not_after:%Y-%m-%d}; "
          f"{info.key_type}; serial {info.serial:x}")
    if settings.uses_certmagic:
        print("note: service_email is set: the server uses certmagic, not these files")
    name = created.crt_path.name.removesuffix(".crt")
    if args.wildcard and name != DEFAULT_NAME:
        print(f"note: the server picks files by the exact server name: only clients asking for "
              f"{name} get this pair; other names under *.{name} get default.crt")
    return 0

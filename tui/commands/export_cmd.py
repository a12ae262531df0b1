"""`leap-tui export ansible DIR`: the same apply as a playbook, for teams that run Ansible or
AWX. stdout: the files written (or, with --format json, one document)."""

from __future__ import annotations

import argparse
import datetime
import shutil
from pathlib import Path

from tui.commands.common import add_target_options, find_targets
from tui.commands.fleet_args import add_limit_option, fleet_hosts
from tui.commands.output import add_format_option, fail, fail_input, print_json, status_console
from tui.core.errors import ConfigError

MARKER = ".leap-tui-export"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "export", help="write the apply as an Ansible playbook (for Ansible, AWX)",
        description="Write DIR/apply.yml, DIR/inventory.yml and the files to push, so that "
        "`ansible-playbook -i inventory.yml apply.yml` does what `leap-tui apply` does: copy "
        "with backup and validate, the reloads as a handler, and confirm-or-revert (a "
        "watchdog) for changes that can lock you out. DIR must be new, empty, or an earlier "
        "export (which is replaced).")
    parser.add_argument("engine", choices=["ansible"], help="the engine to export for")
    parser.add_argument("directory", metavar="DIR", help="where to write the project")
    add_target_options(parser, inventory=True)
    parser.add_argument("--host", action="append", default=[], metavar="NAME",
                        help="only this host (repeatable)")
    add_limit_option(parser)
    parser.add_argument("--batch", metavar="N|N%", default=None,
                        help="the play's serial: hosts per wave (N or N%%)")
    parser.add_argument("--confirm-within", type=int, default=120, metavar="SECONDS",
                        help="the watchdog's window (default 120; the playbook variable "
                        "leap_tui_confirm_within)")
    parser.add_argument("--allow-errors", action="store_true",
                        help="export even though `leap-tui check` reports errors in the files")
    add_format_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tui.commands.apply_cmd import check_errors, show_check_errors
    from tui.commands.fleet_args import load_provider_arg
    from tui.core.export.ansible_export import ExportSettings, export_files
    from tui.core.remote.fleet import Batch
    from tui.core.remote.plan import load_sources

    status = status_console()
    directory = Path(args.directory)
    try:
        if args.batch is not None:
            try:
                Batch.parse(args.batch)
            except ValueError as exc:
                raise ConfigError("", str(exc)) from None
        if args.confirm_within < 5:
            raise ConfigError("", "--confirm-within must be at least 5 seconds")
        clace, provider_root = find_targets(args)
        inventory, hosts = fleet_hosts(args, provider_root, status, list(args.host))
        sources = load_sources(inventory, hosts, clace=clace, provider=provider_root)
        errors = check_errors(clace, provider_root)
        settings = ExportSettings(
            generated=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            confirm_within=args.confirm_within, serial=args.batch)
        files = export_files(hosts, sources, settings,
                             provider=load_provider_arg(provider_root),
                             provider_root=provider_root, known_hosts=inventory.known_hosts)
    except ConfigError as exc:
        return fail_input(args, "export", exc)
    if errors:
        # As apply: a playbook is a push too.
        show_check_errors(status, errors, provider_root, refused=not args.allow_errors)
        if not args.allow_errors:
            return 1
    try:
        _prepare(directory)
        _write(directory, files)
    except ConfigError as exc:
        return fail_input(args, "export", exc)
    except OSError as exc:
        return fail(args, "export", f"{directory}: {exc.strerror or exc}")
    if args.format == "json":
        print_json("export", {"engine": "ansible", "directory": str(directory),
                              "files": sorted(files), "hosts": [h.name for h in hosts]})
    else:
        for name in sorted(files):
            print(directory / name)
    status.print(f"Exported {len(hosts)} host(s): ansible-playbook -i "
                 f"{directory / 'inventory.yml'} {directory / 'apply.yml'}",
                 markup=False, highlight=False, soft_wrap=True)
    return 0


def _prepare(directory: Path) -> None:
    """DIR new or empty, or an earlier export (its files are removed): never anything else.
    A symbolic link to a directory is that directory, as for `cp` or `tar -C`."""
    if directory.is_symlink() and not directory.exists():
        raise ConfigError(str(directory), "a symbolic link to nothing: make its directory, "
                          "or give the directory itself")
    if directory.exists() and not directory.is_dir():
        from tui.core.textfile import file_kind

        kind = file_kind(directory.stat().st_mode) or "a regular file"
        link = "a symbolic link to " if directory.is_symlink() else ""
        raise ConfigError(str(directory), f"not a directory: {link}{kind}")
    if not directory.exists():
        directory.mkdir(parents=True)
        return
    entries = list(directory.iterdir())
    if not entries:
        return
    marker = directory / MARKER
    if not marker.is_file():
        raise ConfigError(str(directory), "not empty and not an earlier `leap-tui export`: "
                          "choose a new directory")
    for name in marker.read_text(encoding="utf-8").splitlines():
        path = directory / name
        if name and ".." not in Path(name).parts and path.is_file() and not path.is_symlink():
            path.unlink()
    shutil.rmtree(directory / "files", ignore_errors=True)


def _write(directory: Path, files: dict[str, bytes]) -> None:
    from tui.core.atomic import atomic_write

    for name, data in sorted(files.items()):
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = 0o755 if name.endswith(".sh") else 0o644
        atomic_write(path, data, mode=mode)
    atomic_write(directory / MARKER, "".join(f"{n}\n" for n in sorted(files)).encode(),
                 mode=0o644)

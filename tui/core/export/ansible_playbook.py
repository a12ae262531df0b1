"""The exported playbook (apply.yml): the same apply as `leap-tui apply`, with Ansible's own
modules. Per host, the inventory's ``leap_tui_files`` list says what goes where:
``src`` (under files/), ``dest``, ``validate`` (Ansible's form, ``%s``), ``reload`` and
``guard`` (a change that can lock the operator out: a node's ssh.port, a Clace listener).

1. copy, in check mode, the guarded files: which of them would change;
2. if any: keep the live files on the host and start the watchdog (async, poll: 0): it
   puts them back and reloads unless confirmed within ``leap_tui_confirm_within`` s;
3. copy every file (backup: yes, validate:), the reloads as a handler, flushed here;
4. if guarded: drop the connection, wait_for_connection on the port the host should now
   answer on (``leap_tui_ssh_port_after``, else its port), and confirm over that new
   connection; if that fails, revert at once over the old port (the rescue) and fail the
   host; if even that cannot reach it, the watchdog reverts at the deadline.
"""

from importlib.resources import files

PLAYBOOK_NAME = "apply.yml"
WATCHDOG_NAME = "leap-tui-watchdog.sh"


def playbook_text(*, generated: str, confirm_within: int, serial: str | None) -> str:
    """apply.yml beside this module, with the export's time, window and serial."""
    text = files(__package__).joinpath(PLAYBOOK_NAME).read_text(encoding="utf-8")
    value = f'"{serial}"' if serial and serial.endswith("%") else serial
    return (text.replace("__GENERATED__", generated)
            .replace("__CONFIRM_WITHIN__", str(confirm_within))
            .replace("  # __SERIAL__\n", f"  serial: {value}\n" if serial else ""))


def watchdog_script() -> str:
    """leap-tui-watchdog.sh beside this module (its usage is in its header)."""
    return files(__package__).joinpath(WATCHDOG_NAME).read_text(encoding="utf-8")

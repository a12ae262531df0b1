"""README.md of an exported Ansible project: how to run it, and what it does."""


def readme_text(hosts: int, confirm_within: int) -> str:
    return f"""\
# leap-tui apply, as an Ansible playbook

Written by `leap-tui export ansible` for {hosts} host(s). It does what `leap-tui apply`
does, with Ansible's own modules:

    ansible-playbook -i inventory.yml apply.yml                 # every host
    ansible-playbook -i inventory.yml apply.yml --limit web1    # Ansible's patterns
    ansible-playbook -i inventory.yml apply.yml --check --diff  # what would change

- `files/` holds the files to push, as they were when exported (`files/clace.toml`,
  `files/provider/nodes/NAME.json`); `inventory.yml` says, per host, where each goes
  (`leap_tui_files`: `src`, `dest`, `validate`, `reload`, `guard`) and how to reach the host.
  Groups: the inventory's own, plus `leap_tag_NAME` and `leap_service_NAME` for LEAP nodes.
- Each file is pushed with `ansible.builtin.copy`, `backup: true` (the previous file stays
  beside it as `NAME.<pid>.<date>~`) and `validate:` where leap-tui had one. The reloads
  run as a handler, flushed right after the copies.
- Files that can lock you out (`guard: true`: a Clace file, for its listeners; a LEAP
  provider file, for a node's `ssh.port`) get confirm-or-revert: when one of them changes,
  a watchdog (`files/leap-tui-watchdog.sh`, started with `async`/`poll: 0`) is armed
  before the copy; after the reload the play drops its connection, waits for a **new**
  one (`wait_for_connection`, on `leap_tui_ssh_port_after` when the node's SSH port moves)
  and only then confirms. If that fails, the play reverts at once over the old port and
  the host fails; if the host cannot be reached at all, the watchdog puts the files back
  and reruns the reloads by itself `leap_tui_confirm_within` seconds after the copy
  changed a file (default {confirm_within}; `-e leap_tui_confirm_within=300` to change it).
  The window starts at the copy, not when the watchdog starts, so that Ansible's own
  pace before it (seconds per task) never reverts a healthy host; if no file changes
  within 10 minutes (a copy or validate failed), the watchdog stands down. After a
  confirmation or a revert nothing of it is left on the host (`*.leap-tui-ansible.*`);
  a revert is logged (`journalctl -t leap-tui`).
- The host needs a POSIX `sh`, `cp`, `cmp`, `mv`, `date`, `sleep` and Python for Ansible.

This directory can be a project in AWX/Automation Controller as it is (inventory source:
`inventory.yml`, playbook: `apply.yml`). Export again after each edit: the files are a
snapshot. Host keys are checked as your `ssh` checks them: nothing here turns that off;
when leap-tui's inventory names a `known_hosts` file, each host's `ansible_ssh_common_args`
passes it on (`UserKnownHostsFile`, read before `~/.ssh/known_hosts`), as leap-tui reads it.
"""

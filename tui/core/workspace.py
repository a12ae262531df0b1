"""What the operator has open: a Clace server TOML, a LEAP provider and a host inventory.

The command line and the TUI both go through a Workspace, so that a check means the same
in both faces.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.findings import Finding, sort_findings

if TYPE_CHECKING:
    from tui.core.clace_config import ClaceConfig
    from tui.core.leap_provider import Provider

PROVIDER_MARKERS = ("Leapfile", "provider.json")


@dataclass
class Workspace:
    clace: ClaceConfig | None = None
    provider: Provider | None = None
    inventory_path: Path | None = None

    @classmethod
    def open(
        cls,
        clace: Path | None = None,
        provider: Path | None = None,
        inventory: Path | None = None,
    ) -> Workspace:
        """Load what was named; raises ConfigError for the first file that does not parse.

        The Clace and the LEAP modules are imported only for what is named: a command
        that checks one of them does not pay the start-up of the other."""
        loaded_clace = loaded_provider = None
        if clace is not None:
            from tui.core.clace_config import ClaceConfig

            loaded_clace = ClaceConfig.load(clace)
        if provider is not None:
            from tui.core.leap_provider import Provider

            loaded_provider = Provider.load(provider)
        return cls(clace=loaded_clace, provider=loaded_provider, inventory_path=inventory)

    def check(self) -> list[Finding]:
        findings: list[Finding] = []
        if self.clace is not None:
            from tui.core.clace_checks import check_clace

            findings.extend(check_clace(self.clace))
        if self.provider is not None:
            from tui.core.leap_checks import check_provider

            findings.extend(check_provider(self.provider))
        return sort_findings(findings)

    @property
    def modified(self) -> bool:
        clace_modified = self.clace is not None and self.clace.is_modified
        return clace_modified or bool(self.provider and self.provider.modified_files())


def discover_clace(env: Mapping[str, str] | None = None) -> tuple[Path | None, str]:
    """Find the Clace config where the server looks: $CL_CONFIG_FILE, then $CL_HOME/clace.toml.

    $CL_CONFIG_FILE, when set, is the file, whatever is (or is not) there: the server
    reads that one, so a missing file or a FIFO is reported as such when it is loaded,
    never as "nothing found". $CL_HOME/clace.toml counts when something has that name.
    """
    env = os.environ if env is None else env
    config_file = env.get("CL_CONFIG_FILE")
    if config_file:
        return Path(config_file), "$CL_CONFIG_FILE"
    home = env.get("CL_HOME")
    if home and os.path.lexists(Path(home) / "clace.toml"):
        return Path(home) / "clace.toml", "$CL_HOME/clace.toml"
    return None, ""


def discover_provider(start: Path | None = None) -> tuple[Path | None, str]:
    """Find a LEAP provider the way `leap` does: this directory or a parent with a Leapfile."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        for marker in PROVIDER_MARKERS:
            if (directory / marker).is_file():
                return directory, f"{marker} in {directory}"
    return None, ""

"""`leap-tui` with no subcommand: open the TUI on what was named or found."""

from __future__ import annotations

import argparse
from pathlib import Path

from tui.commands.output import fail
from tui.core.errors import ConfigError
from tui.core.user_config import UserConfig, load_user_config
from tui.core.workspace import discover_clace, discover_provider


def run(args: argparse.Namespace) -> int:
    messages = []
    clace = Path(args.clace) if args.clace else None
    provider = Path(args.provider) if args.provider else None
    inventory = Path(args.inventory) if args.inventory else None
    if clace is None and provider is None:
        clace, how = discover_clace()
        if clace is not None:
            messages.append(f"Opened {clace} (found by {how})")
        provider, how = discover_provider()
        if provider is not None:
            messages.append(f"Opened provider {provider} (found by {how})")
        if clace is None and provider is None:
            return fail(args, "", "nothing to open: no $CL_CONFIG_FILE, no $CL_HOME/clace.toml, "
                        "and no Leapfile or provider.json here or above; give --clace/--provider")
    try:
        user_config = load_user_config()
    except ConfigError as error:
        messages.append(f"Your config was not used: {error}")
        user_config = UserConfig()
    from tui.app import LeapTuiApp

    app = LeapTuiApp(clace, provider, inventory, user_config=user_config, opened_messages=messages)
    app.run()
    return app.return_code or 0

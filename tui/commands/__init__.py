"""CLI subcommands: each module has register(subparsers) that sets ``handler`` to its run()."""

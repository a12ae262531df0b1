"""tui.core.certs and the certs command load cryptography only when a file is parsed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def loaded_after(code: str) -> list[str]:
    probe = (
        f"{code}\n"
        "import sys\n"
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules\n"
        "    if m.split('.')[0] in ('cryptography', 'paramiko', 'textual')})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return [name for name in result.stdout.strip().split(",") if name]


def test_importing_the_package_and_registering_the_command_is_light() -> None:
    code = (
        "import argparse\n"
        "import tui.core.certs\n"
        "from tui.core.certs import CERT_RULES, check_cert_dir, resolve, CertDir\n"
        "from tui.commands import certs_cmd\n"
        "parser = argparse.ArgumentParser()\n"
        "certs_cmd.register(parser.add_subparsers())\n"
        "from datetime import datetime, UTC\n"
        "check_cert_dir(CertDir('/x'), now=datetime.now(UTC))\n"
        "resolve(CertDir('/x'), 'example.com')\n"
    )
    assert loaded_after(code) == []


def test_parsing_a_certificate_does_load_cryptography(tmp_path: Path) -> None:
    """The probe above would pass vacuously if it could not see cryptography at all."""
    (tmp_path / "x.crt").write_bytes(b"garbage")
    (tmp_path / "x.key").write_bytes(b"garbage")
    code = (
        "from pathlib import Path\n"
        "from tui.core.certs import inspect_dir\n"
        f"inspect_dir(Path({str(tmp_path)!r}))"
    )
    assert loaded_after(code) == ["cryptography"]

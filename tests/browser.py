"""Shared plumbing for the browser tests: where screenshots go, how Chromium starts, axe-core."""

import shutil
import subprocess
from pathlib import Path

import pytest

OUTPUT = Path(__file__).resolve().parent.parent / "test-output"
CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium on a machine with no outside network: no background calls, no sandbox (we run as root).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def axe_script() -> Path:
    """axe-core from npm, installed once into test-output/ (the repository does not vendor it)."""
    target = OUTPUT / "axe" / "node_modules" / "axe-core" / "axe.min.js"
    if not target.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("The accessibility check needs npm to install axe-core (apt-get install npm).")
        (OUTPUT / "axe").mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(OUTPUT / "axe"), "axe-core@4"],
            check=True,
            capture_output=True,
            timeout=180,
        )
    return target

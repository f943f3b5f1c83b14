#!/usr/bin/env python3
"""Set up and run the tracker with nothing but Python 3.11+ (standard library only).

    python3 dev.py serve   # venv + install + database + dataset, then serve on http://127.0.0.1:$PORT/
    python3 dev.py test    # venv + install, then the whole test suite (browser and nginx tests included)

Anything after `test` is passed to pytest, e.g. `python3 dev.py test -k api`.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed-from"
CHROMIUM = Path("/usr/bin/chromium")
NGINX = Path("/usr/sbin/nginx")


def say(message: str) -> None:
    print(f"[dev.py] {message}", flush=True)


def run(*command, **kwargs) -> None:
    subprocess.run([str(part) for part in command], check=True, cwd=ROOT, **kwargs)


def ensure_environment() -> None:
    """Create .venv and install the project; reinstall only when pyproject.toml changes."""
    if sys.version_info < (3, 11):  # noqa: UP036 (this script must explain itself on an old Python)
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        say("creating the virtual environment in .venv")
        venv.create(VENV, with_pip=True)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        say("installing the project and its dependencies into .venv")
        run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", ".[dev]")
        STAMP.write_text(wanted)


def ensure_test_tools() -> None:
    """The tests drive three Debian packages: Chromium (the browser tests), nginx (tests/test_nginx.py, the
    production proxy) and GNU gettext (tests/test_i18n.py: the Spanish catalogs are current). Install what is
    missing when we can (root on Debian), else say how."""
    tools = [
        ("Chromium", CHROMIUM.exists(), ["chromium"], "the browser tests"),
        # nginx-light is the small build on Debian 12; later releases have only nginx.
        ("nginx", bool(shutil.which("nginx")) or NGINX.exists(), ["nginx-light", "nginx"], "tests/test_nginx.py"),
        ("GNU gettext", bool(shutil.which("xgettext") and shutil.which("msgfmt")), ["gettext"], "tests/test_i18n.py"),
    ]
    missing = [(name, packages, why) for name, present, packages, why in tools if not present]
    if not missing:
        return
    if not (shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0):
        for name, packages, why in missing:
            say(f"{name} is missing: {why} will fail. Install it with: sudo apt-get install {packages[0]}")
        return
    run("apt-get", "update", "-q", stdout=subprocess.DEVNULL)
    for name, packages, why in missing:
        say(f"installing {name} for {why} (apt-get install {packages[0]})")
        for package in packages:
            command = ["apt-get", "install", "-y", "-q", package]
            if subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL).returncode == 0:
                break
        else:
            say(f"could not install {name}: {why} will fail")


def server_command(port: str) -> list[str]:
    """The embedded server, on loopback: waitress in SERVE_PROCESSES processes (default: one per CPU) of
    SERVE_THREADS threads (default 4) on one socket, on every system (one process where there is no fork). It reads
    each request whole before a thread sees it, trusts no forwarded header and opens no control socket
    (tracker/serve.py says why)."""
    return [str(PYTHON), "-m", "tracker.serve", port]


def serve() -> None:
    ensure_environment()
    manage = [PYTHON, "manage.py"]
    run(*manage, "migrate", "--noinput", "-v", "0")
    # Seeds an empty database; on any other it writes nothing and reports how it differs from the shipped files.
    run(*manage, "load_dataset")
    port = os.environ.get("PORT", "8000")
    say(f"serving on http://127.0.0.1:{port}/ (Ctrl-C stops)")
    command = server_command(port)
    os.chdir(ROOT)  # tracker.serve is imported from the working directory
    os.execv(command[0], command)


def test(arguments: list[str]) -> None:
    ensure_environment()
    ensure_test_tools()
    result = subprocess.run([str(PYTHON), "-m", "pytest", *arguments], cwd=ROOT)
    sys.exit(result.returncode)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"serve", "test"}:
        sys.exit(__doc__)
    if sys.argv[1] == "serve":
        serve()
    else:
        test(sys.argv[2:])


if __name__ == "__main__":
    main()

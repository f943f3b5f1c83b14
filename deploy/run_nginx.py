#!/usr/bin/env python3
"""Fill in deploy/nginx.conf and run Debian's nginx with it (standard library only).

    python3 deploy/run_nginx.py render --server-name scomm.example.org --upstream 127.0.0.1:8000 \\
        --static-root /srv/scomm/staticfiles --tls-cert /etc/ssl/scomm.pem --tls-key /etc/ssl/scomm.key \\
        > /etc/nginx/nginx.conf
    python3 deploy/run_nginx.py run --port 8080 --upstream 127.0.0.1:8000 --static-root staticfiles

`render` prints a production config with Debian's paths (/var/lib/nginx, /var/log/nginx, user www-data, pid
/run/nginx.pid, as the package's service expects). With a certificate nginx terminates TLS (and redirects port 80
to HTTPS). With --behind-balancer it listens on plain HTTP (`--listen`, default 80) behind a balancer that
terminates TLS and sets X-Forwarded-Proto; only the balancer may reach it, and TRUSTED_PROXY_COUNT is then 2.

`run` needs no privileges: the config, pid file, temporary files, cache and error log all go into a temporary
folder, and nginx runs in the foreground (`-g 'daemon off;'`) until Ctrl-C. The tests and bench/production.py
use `start()` the same way.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE = Path(__file__).resolve().with_name("nginx.conf")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TLS_ONLY = "# tls-only"


def render(
    *,
    listen: str,
    upstream: str,
    static_root: Path | str,
    temp: Path | str,
    cache: Path | str,
    pid: Path | str,
    compressing_port: int,
    server_name: str = "_",
    user: str | None = None,
    error_log: str = "stderr",
    access_log: str = "off",
    tls_cert: str | None = None,
    tls_key: str | None = None,
    behind_balancer: bool = False,
) -> str:
    """deploy/nginx.conf with every @NAME@ filled in; the "# tls-only" lines kept only with a certificate."""
    if bool(tls_cert) != bool(tls_key):
        raise ValueError("a TLS certificate needs its key, and the other way round")
    lines = []
    for line in TEMPLATE.read_text().splitlines():
        if line.rstrip().endswith(TLS_ONLY):
            if not tls_cert:
                continue
            line = line.rstrip().removesuffix(TLS_ONLY).rstrip()
        lines.append(line)
    text = "\n".join(lines) + "\n"
    values = {
        "USER": f"user {user};" if user else "",
        "PID": str(pid),
        "ERROR_LOG": error_log,
        "ACCESS_LOG": access_log,
        "TEMP": str(temp),
        "CACHE": str(cache),
        "UPSTREAM_SERVERS": "\n        ".join(
            f"server {server.strip()} fail_timeout=0;" for server in upstream.split(",") if server.strip()
        ),
        "COMPRESSING_PORT": str(compressing_port),
        "SERVER_NAME": server_name,
        "LISTEN": listen,
        "READER_SCHEME": "$http_x_forwarded_proto" if behind_balancer else "$scheme",
        "TLS_CERT": tls_cert or "",
        "TLS_KEY": tls_key or "",
        "STATIC_ROOT": str(static_root).rstrip("/"),
    }
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    missing = sorted(set(re.findall(r"@[A-Z_]+@", text)))
    if missing:
        raise ValueError(f"deploy/nginx.conf has values nobody fills in: {', '.join(missing)}")
    return text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_local(folder: Path, *, port: int, upstream: str, static_root: Path | str, host: str = "127.0.0.1") -> Path:
    """A config for an unprivileged run: everything nginx writes goes under `folder`. Returns its path."""
    temp = folder / "temp"
    temp.mkdir(parents=True, exist_ok=True)
    config = folder / "nginx.conf"
    config.write_text(
        render(
            listen=f"{host}:{port}",
            upstream=upstream,
            static_root=Path(static_root).resolve(),
            temp=temp,
            cache=folder / "cache",
            pid=folder / "nginx.pid",
            compressing_port=_free_port(),
            # Run as root (a CI container), nginx would switch its workers to "nobody", who cannot read this
            # folder; an unprivileged run ignores the directive.
            user="root" if os.geteuid() == 0 else None,
            error_log=str(folder / "error.log"),
        )
    )
    return config


def start(folder: Path, *, port: int, upstream: str, static_root: Path | str, timeout: float = 15) -> subprocess.Popen:
    """nginx in the foreground with a config written into `folder`, once it accepts connections on `port`."""
    config = write_local(folder, port=port, upstream=upstream, static_root=static_root)
    process = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(config), "-e", "stderr", "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}: {process.stderr.read().strip()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.05)
    stop(process)
    raise RuntimeError(f"nginx did not listen on port {port} within {timeout:g} s")


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """Fast shutdown (SIGTERM), then wait for it (`timeout` seconds, then SIGKILL). Also stops app servers in tests."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stderr:
        process.stderr.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    render_cmd = commands.add_parser("render", help="print a production config (Debian's paths)")
    render_cmd.add_argument("--server-name", required=True, help="the site's host name(s), e.g. scomm.example.org")
    render_cmd.add_argument(
        "--upstream",
        default="127.0.0.1:8000",
        help="gunicorn: HOST:PORT or unix:/path; several app servers comma-separated",
    )
    render_cmd.add_argument("--static-root", required=True, help="STATIC_ROOT, where collectstatic wrote")
    render_cmd.add_argument("--listen", help="default: '443 ssl http2' with a certificate, else 80")
    render_cmd.add_argument("--tls-cert")
    render_cmd.add_argument("--tls-key")
    render_cmd.add_argument(
        "--behind-balancer", action="store_true", help="a balancer in front terminates TLS and sets X-Forwarded-Proto"
    )
    render_cmd.add_argument("--user", default="www-data")
    render_cmd.add_argument(
        "--compressing-port", type=int, default=8081, help="loopback port of nginx's own compressing hop"
    )
    run_cmd = commands.add_parser("run", help="run nginx unprivileged in a temporary folder, in the foreground")
    run_cmd.add_argument("--port", type=int, default=8080)
    run_cmd.add_argument(
        "--upstream",
        default="127.0.0.1:8000",
        help="gunicorn: HOST:PORT or unix:/path; several app servers comma-separated",
    )
    run_cmd.add_argument("--static-root", default="staticfiles")
    args = parser.parse_args()

    if args.command == "render":
        if not (args.tls_cert or args.behind_balancer):
            parser.error("render needs --tls-cert and --tls-key (nginx terminates TLS) or --behind-balancer")
        sys.stdout.write(
            render(
                listen=args.listen or ("443 ssl http2" if args.tls_cert else "80"),
                upstream=args.upstream,
                static_root=args.static_root,
                temp="/var/lib/nginx",
                cache="/var/lib/nginx/scomm-cache",
                pid="/run/nginx.pid",
                compressing_port=args.compressing_port,
                server_name=args.server_name,
                user=args.user,
                error_log="/var/log/nginx/error.log",
                access_log="/var/log/nginx/access.log",
                tls_cert=args.tls_cert,
                tls_key=args.tls_key,
                behind_balancer=args.behind_balancer,
            )
        )
        return
    # A process manager's SIGTERM ends it like Ctrl-C: nginx stopped, the folder removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with tempfile.TemporaryDirectory(prefix="scomm-nginx-") as folder:
        process = start(Path(folder), port=args.port, upstream=args.upstream, static_root=args.static_root)
        print(f"nginx on http://127.0.0.1:{args.port}/ in front of {args.upstream} (Ctrl-C stops)", flush=True)
        try:
            process.wait()
        except KeyboardInterrupt:
            pass
        finally:
            stop(process)


if __name__ == "__main__":
    main()

"""The embedded server (`python3 dev.py serve`): waitress in SERVE_PROCESSES processes sharing one listening socket.

Usage: `python -m tracker.serve PORT` (dev.py's `server_command`). Listens on 127.0.0.1:PORT only.

Why waitress: with no proxy in front, the server itself meets slow clients. waitress reads each request whole
(headers and body, in its I/O thread) before one of its SERVE_THREADS worker threads sees it, so clients that drip
their headers a byte at a time hold a connection, never a thread. It trusts no forwarded header (no
`trusted_proxy`: the app's own rule for the client's address is TRUSTED_PROXY_COUNT's, common/client_address.py),
opens no control socket, and runs on every system.

Why several processes: one waitress process answers with one interpreter (one GIL), so it cannot use a second
core. Here the parent binds the socket, then forks SERVE_PROCESSES children (default: the number of CPUs) that each
run waitress on it; the kernel hands each new connection to one of them. waitress has no process manager of its
own, and gunicorn's workers (which have one) read requests in the thread that answers them. Where there is no
`fork` (Windows) or SERVE_PROCESSES is 1, waitress runs in this process alone.

The parent only supervises: SIGTERM or SIGINT (Ctrl-C) stops every child and exits; a child that dies is started
again, unless children keep dying (then the parent stops with an error rather than loop). A child whose parent is
gone (killed with SIGKILL) stops within a second, so no orphan keeps answering on the port.
"""

import logging
import os
import signal
import socket
import sys
import threading
import time

# waitress's settings, the same in every process. 500 connections: room for many idle or slow clients (each only a
# buffer in the I/O thread); one idle for 60 s is closed.
WAITRESS = {"connection_limit": 500, "channel_timeout": 60, "ident": "scomm"}
# A child that dies within this many seconds of its start counts as a crash; this many crashes in a row stop it.
CRASH_SECONDS = 10
CRASHES_ALLOWED = 5


def settings_from_environment() -> tuple[int, int]:
    """(processes, threads per process) from SERVE_PROCESSES (default: CPUs) and SERVE_THREADS (default 4).
    Raises SystemExit with a message for a value that is not a whole number >= 1."""

    def whole(name: str, default: int) -> int:
        raw = os.environ.get(name) or str(default)
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise SystemExit(f"{name} must be a whole number of at least 1, not {raw!r}")
        return int(raw)

    return whole("SERVE_PROCESSES", os.cpu_count() or 1), whole("SERVE_THREADS", 4)


def listening_socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if os.name != "nt":  # on Windows SO_REUSEADDR lets a second server take a port in use
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(1024)
    return sock


def run_waitress(sock: socket.socket, threads: int) -> None:
    import waitress

    # waitress warns whenever a request waits for a free thread; under load a short queue is the intended
    # back-pressure, not news (a request that waits too long still shows in the answers' times).
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)

    from tracker.wsgi import application

    waitress.serve(application, sockets=[sock], threads=threads, **WAITRESS)


def _stop_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def start_child(sock: socket.socket, threads: int) -> int:
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    # The child: the parent's signal handlers are not its own; SIGTERM and SIGINT end it at once, as waitress alone.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    threading.Thread(target=_stop_when_orphaned, args=(parent,), daemon=True).start()
    try:
        run_waitress(sock, threads)
    finally:
        os._exit(1)


def supervise(sock: socket.socket, processes: int, threads: int) -> int:
    """Fork the children and keep them running until SIGTERM or SIGINT; returns the exit status."""
    stopping = threading.Event()

    def stop(signum, frame):
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    children = {start_child(sock, threads): time.monotonic() for _ in range(processes)}
    crashes = 0
    status = 0
    while not stopping.is_set():
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            pid = 0
        if not pid:
            stopping.wait(0.5)
            continue
        started = children.pop(pid, None)
        if started is None:
            continue
        crashes = crashes + 1 if time.monotonic() - started < CRASH_SECONDS else 0
        if crashes >= CRASHES_ALLOWED:
            print(
                f"serve: {crashes} server processes in a row stopped right after starting; giving up", file=sys.stderr
            )
            status = 1
            break
        children[start_child(sock, threads)] = time.monotonic()
    for pid in children:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for pid in children:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
    return status


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not (argv[0].isascii() and argv[0].isdigit()):
        raise SystemExit("usage: python -m tracker.serve PORT")
    processes, threads = settings_from_environment()
    sock = listening_socket(int(argv[0]))
    if processes == 1 or not hasattr(os, "fork"):
        run_waitress(sock, threads)
        return 0
    return supervise(sock, processes, threads)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""gunicorn settings for production: `gunicorn tracker.wsgi` (this file is read from the working directory).

Everything comes from the environment, like the Django settings:
- PORT (8000) and BIND_HOST (0.0.0.0): where to listen; behind a load balancer on the same host use 127.0.0.1.
- WEB_CONCURRENCY: worker processes (gunicorn reads it itself; default here: 2 x CPUs + 1).
- GUNICORN_THREADS (1): threads per worker; sync workers are the simple, robust default behind nginx, which holds
  slow clients and keep-alive connections (`dev.py serve`, with no proxy in front, runs waitress instead).
- GUNICORN_TIMEOUT (30 s): a worker stuck longer is killed and replaced.
- GUNICORN_MAX_REQUESTS (200,000; 0 for never): requests before a worker is replaced by a fresh one.
- GUNICORN_ACCESS_LOG: 1 logs every request to stdout (default with PRODUCTION=1).
- ALLOW_PUBLIC_BIND: with TRUSTED_PROXY_COUNT of 1 or more, gunicorn refuses to listen anywhere but loopback (or
  a Unix socket) unless this is 1: clients reaching it directly could write their own X-Forwarded-For.
"""

import multiprocessing
import os

bind = f"{os.environ.get('BIND_HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak can never take the site down on a long news day. Not often: a new
# worker starts by building its read-model snapshot, and at 5,000 requests a busy worker restarted every few seconds.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "200000"))
max_requests_jitter = max_requests // 10
# Import the app once in the master: workers fork with it loaded (faster start, shared memory).
preload_app = True
# Access log on stdout: on by default with PRODUCTION=1, off for local runs and benchmarks (GUNICORN_ACCESS_LOG).
_production = os.environ.get("PRODUCTION", "").lower() in {"1", "true", "yes", "on"}
accesslog = (
    "-"
    if os.environ.get("GUNICORN_ACCESS_LOG", "1" if _production else "0").lower() in {"1", "true", "yes", "on"}
    else None
)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Behind a TLS-terminating proxy: trust its X-Forwarded-* headers (set FORWARDED_ALLOW_IPS to its address). With no
# proxy (TRUSTED_PROXY_COUNT 0) nobody's: a local client could otherwise set SCRIPT_NAME or the scheme.
_proxy_count = int(os.environ.get("TRUSTED_PROXY_COUNT") or 0)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1" if _proxy_count else "")
# No control socket: its default path ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl) is one per user, so two
# instances started by one user would share it, and stopping one would delete the other's.
control_socket_disable = True
# The access log names the client by the same trusted-proxy rule as the login lockout and the API limits
# (common/client_address.py): behind nginx, the address nginx saw, never one a client wrote into a header.
from common.client_address import gunicorn_logger_class  # noqa: E402

logger_class = gunicorn_logger_class(_proxy_count)


def on_starting(server):
    # The bind as finally configured (a --bind on the command line included): tracker/bind_check.py.
    from tracker.bind_check import refusal

    allowed = os.environ.get("ALLOW_PUBLIC_BIND", "").lower() in {"1", "true", "yes", "on"}
    message = refusal(server.cfg.bind, proxy_count=_proxy_count, allowed=allowed)
    if message:
        # gunicorn prints a RuntimeError from here as "Error: ..." and exits with status 1.
        raise RuntimeError(message)

"""Every environment-driven settings path, loaded for real in a fresh interpreter: local default, production with
PostgreSQL and Redis, gunicorn's configuration."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECRET = "x" * 20 + "a-long-random-production-secret-with-enough-variety-0123456789"

# Prints the settings that the environment decides, as JSON.
SHOW_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "debug": settings.DEBUG,
    "databases": {alias: {"ENGINE": db["ENGINE"], "NAME": str(db["NAME"]), "HOST": db.get("HOST", ""),
                          "TEST": db.get("TEST", {})} for alias, db in settings.DATABASES.items()},
    "routers": settings.DATABASE_ROUTERS,
    "trusted_proxies": settings.TRUSTED_PROXY_COUNT,
    "cache": settings.CACHES["default"],
    "staticfiles": settings.STORAGES["staticfiles"]["BACKEND"],
    "hsts": settings.SECURE_HSTS_SECONDS,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "secure_cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
    "proxy_header": settings.SECURE_PROXY_SSL_HEADER,
    "backends": settings.AUTHENTICATION_BACKENDS,
    "middleware_last": settings.MIDDLEWARE[-1],
    "axes": [settings.AXES_ENABLED, settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.total_seconds(),
             settings.AXES_ONLY_ADMIN_SITE],
}))
"""

PRODUCTION_ENV = {
    "PRODUCTION": "1",
    "SECRET_KEY": SECRET,
    "ALLOWED_HOSTS": "scomm.example.org",
    "DATABASE_URL": "postgres://tracker:pw@db-primary.internal:5432/tracker",
    "REDIS_URL": "redis://cache.internal:6379/2",
    "SECURE_PROXY_SSL_HEADER_NAME": "HTTP_X_FORWARDED_PROTO",
    "AXES_FAILURE_LIMIT": "3",
    "AXES_COOLOFF_MINUTES": "10",
    "TRUSTED_PROXY_COUNT": "1",
    "SITE_URL": "https://scomm.example.org",
    "BIND_HOST": "127.0.0.1",
}

# Variables a developer's shell (or another test) may have set; each case states its own.
CONTROLLED = [
    "PRODUCTION",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_KEY_PREFIX",
    "SECURE_PROXY_SSL_HEADER_NAME",
    "AXES_ENABLED",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_MINUTES",
    "TRUSTED_PROXY_COUNT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "WEB_CONCURRENCY",
    "PORT",
    "BIND_HOST",
    "ALLOW_PUBLIC_BIND",
    "GUNICORN_ACCESS_LOG",
    "SITE_URL",
    "RELEASES_DIR",
]


def _run(args, env):
    environment = {key: value for key, value in os.environ.items() if key not in CONTROLLED}
    environment.update(env)
    environment["DJANGO_SETTINGS_MODULE"] = "tracker.settings"
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True)


def _settings(**env):
    result = _run(["-c", SHOW_SETTINGS], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_local_default_is_sqlite_an_in_process_cache_and_no_proxy():
    shown = _settings()
    assert shown["debug"] is False
    assert list(shown["databases"]) == ["default"]
    assert shown["databases"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert shown["databases"]["default"]["NAME"].endswith("db.sqlite3")
    assert shown["routers"] == []
    assert shown["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert shown["staticfiles"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert shown["ssl_redirect"] is False and shown["secure_cookies"] == [False, False]
    assert shown["backends"][0] == "axes.backends.AxesStandaloneBackend"
    assert shown["middleware_last"] == "axes.middleware.AxesMiddleware"
    assert shown["axes"] == [True, 5, 1800.0, True]
    assert shown["trusted_proxies"] == 0


def test_production_uses_postgresql_redis_and_https_only_settings():
    shown = _settings(**PRODUCTION_ENV)
    assert shown["debug"] is False
    assert list(shown["databases"]) == ["default"]
    assert shown["databases"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert shown["databases"]["default"]["HOST"] == "db-primary.internal"
    assert shown["routers"] == []
    # django-redis, told to treat a Redis failure as a miss: an outage never becomes an error page.
    assert shown["cache"]["BACKEND"] == "tracker.redis_breaker.RedisCache"  # django-redis's, behind a breaker
    assert shown["cache"]["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    assert shown["cache"]["LOCATION"] == "redis://cache.internal:6379/2"
    assert shown["cache"]["KEY_PREFIX"] == "scomm"
    assert shown["staticfiles"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert shown["hsts"] >= 31536000 and shown["ssl_redirect"] is True
    assert shown["secure_cookies"] == [True, True]
    assert shown["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert shown["axes"] == [True, 3, 600.0, True]
    assert shown["trusted_proxies"] == 1


def test_production_with_every_option_passes_the_deploy_checks():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_its_public_address_fails_the_deploy_checks_at_warning_level():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "SITE_URL"}
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "releases.W001" in result.stderr and "SITE_URL" in result.stderr


def test_production_refuses_debug():
    result = _run(["-c", SHOW_SETTINGS], {**PRODUCTION_ENV, "DEBUG": "1"})
    assert result.returncode != 0
    assert "DEBUG must be off when PRODUCTION=1" in result.stderr


def test_gunicorn_takes_port_workers_and_access_log_from_the_environment():
    code = (
        "import json, runpy; c = runpy.run_path('gunicorn.conf.py'); "
        "print(json.dumps([c['bind'], c['workers'], c['accesslog']]))"
    )
    result = _run(["-c", code], {"PORT": "9123", "WEB_CONCURRENCY": "7", "PRODUCTION": "1"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["0.0.0.0:9123", 7, "-"]
    local = _run(["-c", code], {"BIND_HOST": "127.0.0.1"})
    bind, workers, accesslog = json.loads(local.stdout)
    assert bind == "127.0.0.1:8000" and workers == 2 * os.cpu_count() + 1 and accesslog is None


@pytest.mark.parametrize(
    "binds, public",
    [
        (["127.0.0.1:8000", "[::1]:8000", "localhost:8000", "unix:/run/scomm.sock", "fd://3"], []),
        (["0.0.0.0:8000"], ["0.0.0.0:8000"]),
        (["[::]:8000", "10.0.0.5:8000", "app.internal:8000"], ["[::]:8000", "10.0.0.5:8000", "app.internal:8000"]),
    ],
)
def test_only_loopback_and_sockets_count_as_private_binds(binds, public):
    from tracker.bind_check import public_binds

    assert public_binds(binds) == public


def test_a_trusted_proxy_with_a_public_bind_fails_the_deploy_check_unless_allowed():
    exposed = {**PRODUCTION_ENV, "BIND_HOST": "0.0.0.0"}
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], exposed)
    assert result.returncode != 0 and "tracker.W001" in result.stderr + result.stdout
    allowed = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], {**exposed, "ALLOW_PUBLIC_BIND": "1"})
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    # No proxy trusted: nothing to forge, nothing flagged.
    direct = {**exposed, "TRUSTED_PROXY_COUNT": "0"}
    assert _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], direct).returncode == 0


def test_gunicorn_refuses_to_listen_publicly_while_trusting_a_proxy(tmp_path):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {"TRUSTED_PROXY_COUNT": "1", "BIND_HOST": "0.0.0.0", "PORT": "0", "WEB_CONCURRENCY": "1"}
    refused = subprocess.run(
        [gunicorn, "--no-control-socket", "tracker.wsgi"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k not in CONTROLLED}, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1
    assert "ALLOW_PUBLIC_BIND=1" in refused.stderr and "0.0.0.0:0" in refused.stderr
    # A --bind on the command line is checked too.
    refused = subprocess.run(
        [gunicorn, "--no-control-socket", "--bind", "[::]:0", "tracker.wsgi"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k not in CONTROLLED}, **env, "BIND_HOST": "127.0.0.1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1 and "[::]:0" in refused.stderr


def test_the_refusal_is_lifted_by_loopback_by_no_proxy_or_by_saying_so():
    from tracker.bind_check import refusal

    assert refusal(["0.0.0.0:8000"], proxy_count=1, allowed=False)
    assert refusal(["0.0.0.0:8000"], proxy_count=1, allowed=True) is None
    assert refusal(["0.0.0.0:8000"], proxy_count=0, allowed=False) is None
    assert refusal(["127.0.0.1:8000"], proxy_count=2, allowed=False) is None

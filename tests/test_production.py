"""Production mode: deploy checks pass, security headers are sent, the health check tells the truth."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, connection

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, **env):
    # Browser test modules allow sync database access from async code; a deployment never would.
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_production_settings_pass_the_deploy_checks():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PRODUCTION="1",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-with-enough-variety-0123456789",
        ALLOWED_HOSTS="scomm.example.org",
        SITE_URL="https://scomm.example.org",
        DEBUG="0",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", PRODUCTION="1", SECRET_KEY="", ALLOWED_HOSTS="scomm.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_local_default_passes_the_ordinary_checks():
    result = _manage("check")
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_pages_send_security_headers(client):
    response = client.get("/jurisdictions/48201/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_healthz_reports_a_working_database(client, dataset):
    response = client.get("/healthz")
    assert response.status_code == 200
    answer = response.json()
    assert (answer["status"], answer["database"], answer["cache"]) == ("ok", "ok", "ok")
    assert answer["jurisdictions"] == 3150 and answer["data_version"] > 0


@pytest.mark.django_db
def test_healthz_reports_a_broken_database(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("database is down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_static_files_are_served_by_the_app(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert b"--ink" in b"".join(response.streaming_content)

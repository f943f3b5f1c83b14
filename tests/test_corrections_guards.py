"""Readers' correction reports against spam and size: the honeypot, the per-client allowance, and the one public
address that takes a request body, up to its limit (through nginx as in production too)."""

import re
from urllib.parse import urlencode

import pytest

from corrections.models import CorrectionReport
from tests.corrections_helpers import EMAIL, LOG_URL, REPORT_URL, form_fields, post_report

pytestmark = pytest.mark.django_db


# Spam: the honeypot and the allowance


def test_a_filled_honeypot_gets_the_thank_you_page_and_stores_nothing(client, dataset):
    response = post_report(client, website="https://spam.example/")
    assert response.status_code == 303
    assert response["Location"].startswith("/corrections/report/thanks/")
    assert client.get(response["Location"]).status_code == 200
    assert CorrectionReport.objects.count() == 0
    # An empty honeypot (a person) is stored.
    assert post_report(client, website="").status_code == 303
    assert CorrectionReport.objects.count() == 1


def test_the_honeypot_is_hidden_by_a_css_class_not_an_inline_style(client, dataset):
    from django.contrib.staticfiles import finders

    html = client.get("/about/").content.decode()
    trap = re.search(r'<p class="correction-trap">\s*<label[^>]*>[^<]*</label>\s*<input([^>]*)>', html)
    assert trap is not None
    assert 'name="website"' in trap.group(1) and 'tabindex="-1"' in trap.group(1)
    assert "style=" not in html.split('id="report-correction"')[1]
    css = open(finders.find("css/site.css")).read()
    assert re.search(r"\.correction-trap\s*\{\s*display:\s*none;", css)


def test_reports_beyond_the_allowance_get_429_with_retry_after_and_the_text_kept(client, dataset, settings):
    settings.CORRECTIONS_RATE = "2/hour"
    assert post_report(client, description="first").status_code == 303
    assert post_report(client, description="second").status_code == 303
    limited = post_report(client, description="third, kept for the reader")
    assert limited.status_code == 429
    assert 3000 < int(limited["Retry-After"]) <= 3600
    html = limited.content.decode()
    assert 'id="correction-wait"' in html
    assert form_fields(html)["description"] == "third, kept for the reader"
    assert list(CorrectionReport.objects.order_by("pk").values_list("description", flat=True)) == ["first", "second"]
    # Another client address has its own allowance.
    assert post_report(client, description="elsewhere", REMOTE_ADDR="192.0.2.7").status_code == 303


def test_the_allowance_counts_by_the_trusted_proxy_rule(client, dataset, settings):
    settings.CORRECTIONS_RATE = "1/hour"
    settings.TRUSTED_PROXY_COUNT = 1
    nginx = {"REMOTE_ADDR": "127.0.0.1"}
    assert post_report(client, HTTP_X_FORWARDED_FOR="198.51.100.1", **nginx).status_code == 303
    # A made-up entry to the left of the proxy's does not make a new client.
    assert post_report(client, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1", **nginx).status_code == 429
    assert post_report(client, HTTP_X_FORWARDED_FOR="198.51.100.2", **nginx).status_code == 303


def test_the_allowance_can_be_switched_off(client, dataset, settings):
    settings.CORRECTIONS_RATE = None
    for number in range(8):
        assert post_report(client, description=f"report {number}").status_code == 303
    assert CorrectionReport.objects.count() == 8


# Bodies: the one public address that takes one


def test_the_report_address_takes_a_body_up_to_its_limit_and_no_other_public_address_does(client, dataset, settings):
    settings.CORRECTIONS_MAX_BODY_BYTES = 2000
    too_big = client.generic(
        "POST", REPORT_URL, b"description=" + b"x" * 2000, content_type="application/x-www-form-urlencoded"
    )
    assert too_big.status_code == 413
    assert post_report(client, description="x" * 1500).status_code == 303
    chunked = client.generic("POST", REPORT_URL, b"", HTTP_TRANSFER_ENCODING="chunked")
    assert chunked.status_code == 413
    for path in (LOG_URL, "/corrections/report/thanks/", "/corrections/report/x", "/corrections/report", "/about/"):
        assert client.generic("POST", path, b"page=%2Fabout%2F").status_code == 413, path


def test_the_default_body_limit_takes_the_longest_report(client, dataset, settings):
    body = urlencode(
        {
            "page": "/jurisdictions/48201/",
            "description": "😀" * 5000,
            "source_url": "https://example.org/" + "%F0%9F%98%80" * 40,
            "contact_email": EMAIL,
            "website": "",
        }
    ).encode()
    assert len(body) <= settings.CORRECTIONS_MAX_BODY_BYTES < 100 * 1024  # nginx's limit for the public site
    response = client.generic("POST", REPORT_URL, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303


def test_a_report_at_its_longest_passes_through_nginx_as_in_production(live_dataset, tmp_path, settings):
    """deploy/nginx.conf takes at most 100 KB on the public site and caches GETs: the form's POST reaches the app,
    every time, and the thank-you redirect comes back."""
    import http.client
    import socket
    from pathlib import Path

    from deploy import run_nginx

    if not Path(run_nginx.NGINX).exists():
        pytest.fail("nginx is not installed: apt-get install nginx-light (`python3 dev.py test` does it as root)")
    settings.TRUSTED_PROXY_COUNT = 1
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    (tmp_path / "static").mkdir()
    app = live_dataset.url.rsplit(":", 1)[1]
    process = run_nginx.start(
        tmp_path / "nginx", port=port, upstream=f"127.0.0.1:{app}", static_root=tmp_path / "static"
    )
    try:
        for number in range(2):
            body = urlencode(
                {
                    "page": "/jurisdictions/48201/",
                    "description": f"{number}" + "😀" * 4999,
                    "source_url": "https://example.org/source",
                    "contact_email": EMAIL,
                    "website": "",
                }
            ).encode()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request(
                "POST", REPORT_URL, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
            )
            response = connection.getresponse()
            response.read()
            connection.close()
            assert response.status == 303
            assert response.getheader("Location") == "/corrections/report/thanks/?page=%2Fjurisdictions%2F48201%2F"
    finally:
        run_nginx.stop(process)
    assert sorted(r.description[0] for r in CorrectionReport.objects.all()) == ["0", "1"]

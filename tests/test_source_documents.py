"""The documents behind sources: attached by an editor in the admin (type sniffed from the bytes, size limited),
kept with their SHA-256, served at /sources/<id>/document with safe headers, and named with their hash on the
public pages and in a release's data."""

import datetime
import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common import documents
from jurisdictions.forms import SourceDocumentForm
from jurisdictions.models import SourceDocument, StatusChange
from tests.admin_forms import change_url, errors_of, form_data
from tests.factories import make_source

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HOSTILE_HTML = (
    b"\xef\xbb\xbf  \n<!DOCTYPE html><html><body><script>document.cookie</script>"
    b"<form action=/admin/><input name=x></form></body></html>"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, "application/pdf"),
        (HOSTILE_HTML, "text/html"),
        (b"<HTML><p>hi</p></HTML>", "text/html"),
        (b"\r\n\t<!-- saved by a browser -->\n<html>", "text/html"),
        (b"<p>paragraph</p>", "text/html"),
        (PNG, None),
        (b"Just some text, no markup.", None),
        (b"<?php system($_GET['c']); ?>", None),
        (b"<pre>not one of the HTML patterns</pre>", None),
        (b"", None),
    ],
)
def test_the_type_comes_from_the_bytes(data, expected):
    assert documents.sniff(data) == expected


def _form(source, data: bytes, name="copy.pdf", content_type="application/pdf", day="2011-08-06"):
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    return SourceDocumentForm({"retrieved_on": day}, {"upload": upload}, instance=SourceDocument(source=source))


def test_a_pdf_is_kept_with_its_hash_type_size_and_day(dataset):
    source = make_source()
    form = _form(source, PDF)
    assert form.is_valid(), form.errors
    document = form.save()
    document.refresh_from_db()
    assert bytes(document.content) == PDF
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (document.media_type, document.size) == ("application/pdf", len(PDF))
    assert document.retrieved_on == datetime.date(2011, 8, 6)


def test_the_uploads_name_and_type_are_not_trusted(dataset):
    # An HTML page named and sent as a PDF is kept as what it is: HTML (and so only ever downloaded).
    form = _form(make_source(), HOSTILE_HTML, name="report.pdf", content_type="application/pdf")
    assert form.is_valid(), form.errors
    assert form.save().media_type == "text/html"
    # An image named as a PDF is refused.
    form = _form(make_source(), PNG, name="scan.pdf")
    assert not form.is_valid()
    assert "neither a PDF nor an HTML page" in str(form.errors)


def test_a_document_over_the_limit_is_refused_and_nothing_is_kept(dataset, settings):
    settings.SOURCE_DOCUMENT_MAX_BYTES = 1000
    source = make_source()
    form = _form(source, PDF + b"0" * 1000)
    assert not form.is_valid()
    assert "largest kept is 1,000 bytes" in str(form.errors)
    assert not SourceDocument.objects.filter(source=source).exists()
    assert _form(source, PDF).is_valid()


def _attach_in_admin(client, source, data: bytes, name: str):
    page = client.get(change_url(source))
    post = form_data(page)
    post.update(
        {
            "document_copy-TOTAL_FORMS": "1",
            "document_copy-INITIAL_FORMS": "0",
            "document_copy-0-source": str(source.pk),
            "document_copy-0-retrieved_on": "2011-08-06",
            "document_copy-0-upload": SimpleUploadedFile(name, data),
        }
    )
    return client.post(change_url(source), post)


def test_an_editor_attaches_a_document_in_the_admin_and_the_page_names_its_hash(editor_client, client):
    source = StatusChange.objects.filter(jurisdiction_id="48201").first().source
    response = _attach_in_admin(editor_client, source, PDF, "harris.pdf")
    assert response.status_code == 302, errors_of(response)
    document = SourceDocument.objects.get(source=source)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    # The edit moved the data version: the public page says so at once.
    page = client.get("/jurisdictions/48201/").content.decode()
    assert f'href="/sources/{source.pk}/document"' in page
    assert document.sha256 in page
    assert "archived copy" in page and '<time datetime="2011-08-06">6 August 2011</time>' in page
    spanish = client.get("/es/jurisdictions/48201/").content.decode()
    assert "copia archivada" in spanish and document.sha256 in spanish


def test_the_admin_refuses_a_file_that_is_not_a_document(editor_client):
    source = make_source()
    response = _attach_in_admin(editor_client, source, PNG, "photo.pdf")
    assert response.status_code == 200
    assert "neither a PDF nor an HTML page" in errors_of(response)
    assert not SourceDocument.objects.filter(source=source).exists()


def _kept(source, data):
    return SourceDocument.objects.create(
        source=source,
        content=data,
        sha256=documents.sha256(data),
        media_type=documents.sniff(data),
        size=len(data),
        retrieved_on=datetime.date(2011, 8, 6),
    )


def test_a_pdf_is_served_exactly_with_safe_headers(client, dataset):
    document = _kept(make_source(), PDF)
    response = client.get(f"/sources/{document.pk}/document")
    assert response.status_code == 200
    assert response.content == PDF
    assert hashlib.sha256(response.content).hexdigest() == document.sha256
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["ETag"] == f'"{document.sha256}"'
    assert client.get(f"/sources/{document.pk}/document", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_hostile_html_is_never_served_inline(client, dataset):
    document = _kept(make_source(), HOSTILE_HTML)
    response = client.get(f"/sources/{document.pk}/document")
    assert response.status_code == 200
    assert response.content == HOSTILE_HTML
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith('.html"')
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "sandbox" in csp and "script-src" not in csp and "default-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"


def test_a_source_without_a_document_and_other_methods(client, dataset):
    source = make_source()
    assert client.get(f"/sources/{source.pk}/document").status_code == 404
    document = _kept(make_source(), PDF)
    assert client.delete(f"/sources/{document.pk}/document").status_code == 405


def test_a_release_lists_the_documents_hashes(dataset):
    from releases.services import release_publish

    source = StatusChange.objects.filter(jurisdiction_id="48201").first().source
    document = _kept(source, PDF)
    release = release_publish(note="with a document")
    assert release.manifest["documents"] == [
        {
            "source": source.pk,
            "url": f"/sources/{source.pk}/document",
            "sha256": document.sha256,
            "media_type": "application/pdf",
            "size": len(PDF),
            "retrieved_on": "2011-08-06",
        }
    ]


def test_sniffing_reads_only_the_head_of_a_large_file():
    # A PDF whose body is large is still typed by its first bytes.
    assert documents.sniff(PDF + io.BytesIO(b"x" * 2_000_000).getvalue()) == "application/pdf"

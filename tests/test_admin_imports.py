"""Editors' admin, imports: what the preview shows, and undo asks first."""

import datetime

import pytest
from django.urls import reverse

from jurisdictions.models import StatusChange

pytestmark = pytest.mark.django_db


def _activation(fips) -> datetime.date:
    return (
        StatusChange.objects.filter(jurisdiction_id=fips, status="activated").order_by("effective_on")[0].effective_on
    )


def _import_applied(client):
    """An applied import of a file with a new unit, a changed date, an unchanged row and a repeat; its batch."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jurisdictions.models import ImportBatch
    from tests.factories import make_jurisdiction

    make_jurisdiction(fips="48999", name="Test County")
    dallas = _activation("48113").strftime("%-m/%-d/%Y")
    lines = [
        "State,Jurisdiction,FIPS,Activation Date",
        "TX,Test County,,2011-08-05",
        "TX,Harris,48201,2008-10-28",
        f"TX,Dallas,,{dallas}",
        f"TX,DALLAS COUNTY,48113,{dallas}",
    ]
    upload = SimpleUploadedFile("list.csv", ("\r\n".join(lines) + "\r\n").encode(), "text/csv")
    response = client.post(
        reverse("admin:jurisdictions_importbatch_upload"),
        {"file": upload, "source_title": "ICE list (undo test)", "source_url": "https://example.org/undo.csv"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.get()
    preview = client.get(response["Location"])
    assert client.post(response["Location"], {"confirm": "1"}).status_code == 302
    batch.refresh_from_db()
    return batch, preview


def test_the_import_preview_lists_unchanged_and_repeated_rows_with_the_unit_each_matched(editor_client):
    _, preview = _import_applied(editor_client)
    html = preview.content.decode()
    unchanged = html[html.index('id="import-unchanged"') : html.index("</table>", html.index('id="import-unchanged"'))]
    dallas = _activation("48113")
    assert f"TX, Dallas, {dallas:%-m/%-d/%Y}" in unchanged  # what the file said
    assert "Dallas County, TX" in unchanged and "48113" in unchanged and dallas.isoformat() in unchanged
    repeated = html[html.index('id="import-duplicate"') :]
    assert "DALLAS COUNTY" in repeated and "Dallas County, TX" in repeated


def test_undoing_an_import_asks_first_and_lists_every_row_it_will_change(editor_client):
    from django.utils.html import escape

    batch, _ = _import_applied(editor_client)
    preview_url = reverse("admin:jurisdictions_importbatch_preview", args=[batch.pk])
    undo_url = reverse("admin:jurisdictions_importbatch_undo", args=[batch.pk])
    preview = editor_client.get(preview_url).content.decode()
    # No one-click undo on the preview: a link to the page that asks.
    assert 'name="undo"' not in preview and undo_url in preview
    before = list(StatusChange.objects.order_by("pk").values())

    page = editor_client.get(undo_url)
    assert page.status_code == 200
    html = page.content.decode()
    removed = html[html.index('id="undo-removed"') : html.index('id="undo-restored"')]
    assert "Test County, TX" in removed and "48999" in removed and "2011-08-05" in removed
    assert "ICE list (undo test)" in removed
    restored = html[html.index('id="undo-restored"') :]
    harris_source = StatusChange.history.filter(jurisdiction_id="48201").earliest().source.label
    assert "Harris County, TX" in restored and "2008-10-28" in restored and "2008-10-27" in restored
    assert escape(harris_source) in restored
    assert "Dallas" not in html  # unchanged rows are not touched
    assert 'name="undo"' in html
    # Looking changes nothing.
    assert list(StatusChange.objects.order_by("pk").values()) == before

    response = editor_client.post(preview_url, {"undo": "1"}, follow=True)
    assert "Undid list.csv" in response.content.decode()
    assert _activation("48201") == datetime.date(2008, 10, 27)
    assert not StatusChange.objects.filter(jurisdiction_id="48999").exists()


def test_the_undo_page_says_why_an_import_cannot_be_undone_and_offers_no_button(editor_client):
    batch, _ = _import_applied(editor_client)
    harris = StatusChange.objects.get(jurisdiction_id="48201")
    harris.note = "Edited after the import"
    harris.effective_on = datetime.date(2008, 10, 30)
    harris.save()
    html = editor_client.get(reverse("admin:jurisdictions_importbatch_undo", args=[batch.pk])).content.decode()
    assert "cannot be undone" in html and f"status change #{harris.pk}" in html
    assert 'name="undo"' not in html

"""Admin words an editor expects: who changed a record (or "dataset load"), the reason asked on every change and
deletion, headings that say what a column is, one date format."""

import re

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from jurisdictions.models import Jurisdiction, Source
from tests.admin_forms import change_url, errors_of, form_data
from tests.factories import make_source

pytestmark = pytest.mark.django_db


def _history_cells(html: str) -> list[list[str]]:
    table = re.search(r'(?s)<table id="change-history".*?</table>', html).group(0)
    rows = re.findall(r"(?s)<tr>(.*?)</tr>", table)[1:]
    return [
        [re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in re.findall(r"(?s)<td>(.*?)</td>", row)] for row in rows
    ]


def test_a_loaded_record_shows_dataset_load_and_never_none(editor_client):
    response = editor_client.get(reverse("admin:jurisdictions_jurisdiction_history", args=["48201"]))
    html = response.content.decode()
    cells = _history_cells(html)
    assert cells and cells[-1][3] == "dataset load"
    assert ">None<" not in html.replace(" ", "")


def test_a_change_asks_a_reason_and_the_history_shows_it_with_who(editor_client):
    source = make_source(title="Before")
    data = form_data(editor_client.get(change_url(source)))
    data.pop("change_reason")
    response = editor_client.post(change_url(source), {**data, "title": "After"})
    assert "Give a reason for this change" in errors_of(response)
    assert "Give a reason for this change" in response.content.decode()
    assert Source.objects.get(pk=source.pk).title == "Before"
    editor_client.post(change_url(source), {**data, "title": "After", "change_reason": "Title from the page"})
    assert Source.objects.get(pk=source.pk).title == "After"
    html = editor_client.get(reverse("admin:jurisdictions_source_history", args=[source.pk])).content.decode()
    latest = _history_cells(html)[0]
    assert latest[3:5] == ["edna", "Title from the page"]
    # One date format, the admin's locale's, as in its lists (not ISO in some places and US order in others).
    record = Source.history.filter(id=source.pk).latest()
    assert latest[1] == formats.date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT")
    assert not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", html)


def test_a_reason_given_with_a_record_is_kept_on_its_inline_rows(editor_client):
    unit = Jurisdiction.objects.get(fips="48201")
    data = form_data(editor_client.get(change_url(unit)))
    data["change_reason"] = "ICE's list gives the 28th"
    editor_client.post(change_url(unit), {**data, "status_changes-0-effective_on": "2008-10-28"})
    change = unit.status_changes.get()
    assert change.history.latest().history_change_reason == "ICE's list gives the 28th"


def test_deleting_asks_a_reason_and_keeps_it_in_the_history(admin_client):
    source = make_source(title="Nobody cites this")
    url = reverse("admin:jurisdictions_source_delete", args=[source.pk])
    assert 'name="change_reason"' in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200 and "Give a reason" in response.content.decode()
    assert Source.objects.filter(pk=source.pk).exists()
    assert admin_client.post(url, {"post": "yes", "change_reason": "Duplicate of #3"}).status_code == 302
    assert Source.history.filter(id=source.pk, history_type="-").get().history_change_reason == "Duplicate of #3"


def test_bulk_deleting_asks_a_reason_too(admin_client):
    source = make_source(title="Nobody cites this either")
    url = reverse("admin:jurisdictions_source_changelist")
    data = {"action": "delete_selected", "_selected_action": [source.pk], "post": "yes"}
    response = admin_client.post(url, data)
    assert 'name="change_reason"' in response.content.decode()
    assert Source.objects.filter(pk=source.pk).exists()
    admin_client.post(url, {**data, "change_reason": "Test rows"})
    assert Source.history.filter(id=source.pk, history_type="-").get().history_change_reason == "Test rows"


def test_the_import_list_heads_its_status_column_import_status(editor_client):
    from jurisdictions.models import ImportBatch

    ImportBatch.objects.create(file_name="list.csv", sha256="0" * 64, size=0, content=b"", source=make_source())
    html = editor_client.get(reverse("admin:jurisdictions_importbatch_changelist")).content.decode()
    assert "Import status" in html
    assert not re.search(r">\s*State\s*<", html)


def test_an_applied_imports_preview_marks_before_and_after_not_now(editor_client):
    from tests.test_admin_imports import _import_applied

    batch, before_apply = _import_applied(editor_client)
    changed = before_apply.content.decode()
    table = changed[changed.index('id="import-changed"') :]
    assert '<th scope="col">Now</th><th scope="col">File says</th>' in table[: table.index("</thead>")]
    after = editor_client.get(reverse("admin:jurisdictions_importbatch_preview", args=[batch.pk])).content.decode()
    table = after[after.index('id="import-changed"') :]
    head = table[: table.index("</thead>")]
    assert '<th scope="col">Before apply</th><th scope="col">After apply</th>' in head and ">Now<" not in head

"""The public log of accepted corrections: conditional GETs that move with every change, the edited record and
its last change, its own validators, pinned queries and pages of a hundred."""

import datetime

import pytest
from django.utils import timezone
from django.utils.http import http_date

from agreements.models import Agreement
from corrections.models import CorrectionReport
from corrections.subjects import SubjectKind
from tests.corrections_helpers import (
    LOG_URL,
    accept,
    make_report,
)
from tests.factories import make_source
from tracker.models import DataVersion

pytestmark = pytest.mark.django_db


# The public log: its own validators, pinned queries


def test_the_log_answers_conditional_gets_and_moves_with_every_change(client, dataset):
    source = make_source(title="Before")
    report = accept(make_report(), source=source, when=timezone.now() - datetime.timedelta(days=1))
    first = client.get(LOG_URL)
    assert first["Cache-Control"] == "public, no-cache"
    etag = first["ETag"]
    assert client.get(LOG_URL, HTTP_IF_NONE_MATCH=etag).status_code == 304

    def moved():
        nonlocal etag
        response = client.get(LOG_URL, HTTP_IF_NONE_MATCH=etag)
        changed = response.status_code == 200
        etag = response["ETag"]
        return changed

    report.resolution_note = "A better note."
    report.save()
    assert moved()
    source.title = "After"
    source.save()  # a data edit: the source's title is shown in the log
    assert moved()
    accept(make_report(subject_kind=SubjectKind.STATE, subject_key="TX", page="/states/TX/"), source=source)
    assert moved()
    report.delete()
    assert moved()
    assert not moved()


def test_the_log_shows_the_edited_record_and_its_last_modified(client, dataset):
    report = make_report(page="/about/", subject_kind=SubjectKind.ABOUT, subject_key="")
    report.record_page = "/states/il/"
    accept(report, source=make_source(), when=timezone.now() - datetime.timedelta(hours=2))
    report.refresh_from_db()
    assert report.record_page == "/states/IL/"
    # Last-Modified is left out while the second of the last write has not passed: date the writes an hour back.
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    CorrectionReport.history.update(history_date=an_hour_ago)
    DataVersion.objects.filter(pk=1).update(changed_at=an_hour_ago)
    response = client.get(LOG_URL)
    assert '<a href="/states/IL/">Illinois</a>' in response.content.decode()
    assert response["Last-Modified"] == http_date(int(an_hour_ago.timestamp()) + 1)
    assert client.get(LOG_URL, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304


def test_an_edited_record_must_be_a_record_page(dataset):
    from django.core.exceptions import ValidationError

    report = make_report()
    report.record_page = "/downloads/"
    with pytest.raises(ValidationError) as raised:
        report.full_clean()
    assert "record_page" in raised.value.message_dict


def test_the_log_query_count_does_not_grow_with_its_length(client, dataset, django_assert_num_queries):
    # The latest report history row, the data version, the page's count and rows, then one query per kind of
    # record named (jurisdictions, states, agreements).
    with django_assert_num_queries(3):
        assert client.get(LOG_URL).status_code == 200
    source = make_source()
    agreement = Agreement.objects.first()
    subjects = [
        ("/jurisdictions/48201/", SubjectKind.JURISDICTION, "48201"),
        ("/states/TX/", SubjectKind.STATE, "TX"),
        (f"/agreements/#agreement-{agreement.pk}", SubjectKind.AGREEMENTS, f"agreement-{agreement.pk}"),
        ("/about/", SubjectKind.ABOUT, ""),
    ]
    for page, kind, key in subjects:
        accept(make_report(page=page, subject_kind=kind, subject_key=key), source=source)
    with django_assert_num_queries(7):
        assert client.get(LOG_URL).status_code == 200
    for _ in range(3):
        for page, kind, key in subjects:
            accept(make_report(page=page, subject_kind=kind, subject_key=key), source=make_source())
    with django_assert_num_queries(7):
        response = client.get(LOG_URL)
    assert response.content.decode().count('class="correction-entry"') == 16
    # A revalidation costs the two validator queries.
    with django_assert_num_queries(2):
        assert client.get(LOG_URL, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_the_log_pages_hold_a_hundred(client, dataset):
    source = make_source()
    for number in range(101):
        accept(
            make_report(),
            source=source,
            note=f"note {number}",
            when=timezone.now() - datetime.timedelta(minutes=number),
        )
    first = client.get(LOG_URL).content.decode()
    assert first.count('class="correction-entry"') == 100
    assert "note 0<" in first and "note 100<" not in first
    second = client.get(LOG_URL, {"page": "2"}).content.decode()
    assert second.count('class="correction-entry"') == 1 and "note 100<" in second

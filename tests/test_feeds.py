"""The Atom feeds (changes nationwide and per state, the corrections log), in both languages, as a feed reader
parses them (feedparser), and their autodiscovery links on the pages."""

import datetime
import re

import feedparser
import pytest

from agreements.models import Agreement, AgreementStatusChange
from corrections.models import CorrectionReport, ReportStatus
from corrections.subjects import SubjectKind
from jurisdictions.models import Source, StatusChange

pytestmark = pytest.mark.django_db


def _feed(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def _related(entry) -> str | None:
    return next((link.href for link in entry.links if link.rel == "related"), None)


def _edit_harris() -> StatusChange:
    change = StatusChange.objects.get(jurisdiction="48201")
    change.effective_on = datetime.date(2008, 10, 28)
    change._change_reason = "Test edit"
    change.save()
    return change


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_a_new_edit_is_the_first_entry_nationally_and_in_its_state_only(client, dataset, prefix):
    change = _edit_harris()
    source = Source.objects.get(pk=change.source_id)
    for path in (f"{prefix}/feeds/changes/", f"{prefix}/feeds/changes/TX/"):
        entry = _feed(client, path).entries[0]
        assert "Harris County, TX" in entry.title and "2008-10-28" in entry.title, entry.title
        assert entry.link == f"http://testserver{prefix}/jurisdictions/48201/"
        assert _related(entry) == source.url
        assert source.label in entry.summary
    assert all("Harris County" not in entry.title for entry in _feed(client, f"{prefix}/feeds/changes/IL/").entries)


def test_the_spanish_feed_speaks_spanish(client, dataset):
    _edit_harris()
    english, spanish = _feed(client, "/feeds/changes/"), _feed(client, "/es/feeds/changes/")
    assert "(changed)" in english.entries[0].title and "(modificado)" in spanish.entries[0].title
    assert "latest changes" in english.feed.title and "últimos cambios" in spanish.feed.title
    assert spanish.entries[0].id != english.entries[0].id


def test_an_agreements_change_links_its_state_and_source(client, dataset):
    agreement = Agreement.objects.filter(state="IL").first()
    change = AgreementStatusChange.objects.filter(agreement=agreement).first()
    change.note = "A note an editor added."
    change.save()
    entry = _feed(client, "/feeds/changes/IL/").entries[0]
    assert entry.link.startswith("http://testserver/states/IL/")
    assert _related(entry) == Source.objects.get(pk=change.source_id).url
    assert "A note an editor added." in entry.summary


def test_an_unknown_state_is_a_404(client, dataset):
    assert client.get("/feeds/changes/ZZ/").status_code == 404


def test_a_newly_published_correction_is_in_the_corrections_feed(client, dataset):
    source = Source.objects.exclude(url="").first()
    report = CorrectionReport(
        page="/jurisdictions/48201/",
        subject_kind=SubjectKind.JURISDICTION,
        subject_key="48201",
        description="The date is wrong.",
    )
    report.full_clean()
    report.save()
    assert not any("48201" in e.title for e in _feed(client, "/feeds/corrections/").entries)
    report.status, report.source = ReportStatus.ACCEPTED, source
    report.resolution_note, report.resolution_note_es = "Date corrected.", "Fecha corregida."
    report.resolved_at = datetime.datetime.now(datetime.UTC)
    report.full_clean()
    report.save()
    for prefix, note in (("", "Date corrected."), ("/es", "Fecha corregida.")):
        entry = _feed(client, f"{prefix}/feeds/corrections/").entries[0]
        assert "Harris County, TX (48201)" in entry.title
        assert entry.link == f"http://testserver{prefix}/jurisdictions/48201/"
        assert _related(entry) == source.url and note in entry.summary


@pytest.mark.parametrize(
    "page, feeds",
    [
        ("/", ["/feeds/changes/", "/feeds/corrections/"]),
        ("/states/TX/", ["/feeds/changes/", "/feeds/corrections/", "/feeds/changes/TX/"]),
        ("/jurisdictions/48201/", ["/feeds/changes/TX/"]),
        ("/es/states/TX/", ["/es/feeds/changes/", "/es/feeds/corrections/", "/es/feeds/changes/TX/"]),
        ("/corrections/", ["/feeds/corrections/"]),
    ],
)
def test_pages_announce_their_feeds(client, dataset, page, feeds):
    html = client.get(page).content.decode()
    announced = re.findall(r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="([^"]+)"', html)
    for feed in feeds:
        assert feed in announced, (page, feed, announced)
        assert client.get(feed).status_code == 200


@pytest.mark.parametrize("path", ["/feeds/changes/", "/feeds/changes/TX/", "/feeds/corrections/"])
def test_a_feed_costs_the_same_queries_however_many_entries_it_holds(client, dataset, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # the read model, built once
    with CaptureQueriesContext(connection) as few:
        client.get(path)
    for fips in ("48201", "48113", "48029"):
        change = StatusChange.objects.get(jurisdiction=fips)
        change.note = "Edited."
        change.save()
    client.get(path)
    with CaptureQueriesContext(connection) as many:
        assert client.get(path).status_code == 200
    assert len(many) == len(few) <= 6, [query["sql"][:80] for query in many.captured_queries]

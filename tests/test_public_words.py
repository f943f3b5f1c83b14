"""Every word a reader sees is meant for them: no internal identifiers or research-log phrases on any public page,
in English or Spanish, citations that name a publisher, and notes whose dates agree with their rows."""

import datetime
import html
import re

import pytest

from agreements.models import Agreement, AgreementStatusChange, Event
from jurisdictions.models import Source, State

# A snake_case word (date_statewide_secure, state_party...) in the visible text.
IDENTIFIER = re.compile(r"(?<![\w./=&?-])[a-z]+(?:_[a-z0-9]+)+(?![\w./=&?-])")
# Phrases of a research log, not of a publication.
LOG_PHRASES = [
    "confirms the known date",
    "the date on file",
    "source notes give it",
    "no address yet",
    "dataset date_",
    "(dataset ",
]
ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def visible_text(body: str) -> str:
    """What a reader reads: no scripts, styles, code samples or citation blocks meant to be copied (BibTeX)."""
    body = re.sub(r"(?is)<(script|style|code|pre|textarea)\b.*?</\1>", " ", body)
    body = re.sub(r"(?s)<!--.*?-->", " ", body)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return re.sub(r"\s+", " ", text)


def _public_paths():
    paths = ["/", "/jurisdictions/", "/jurisdictions/?as_of=2011-08-05", "/agreements/", "/about/", "/downloads/"]
    paths += ["/api/v1/docs/", "/states/"]
    paths += [f"/jurisdictions/{fips}/" for fips in ("29177", "48201", "17031", "36061", "25025", "02158", "06037")]
    paths += [f"/states/{postal}/" for postal in State.objects.values_list("postal", flat=True)]
    return paths


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_no_public_page_shows_an_identifier_or_a_research_log_phrase(client, dataset, prefix):
    problems = []
    for path in _public_paths():
        # The API's docs page is one page, in English, at one address.
        path = path if path.startswith("/api/") else prefix + path
        response = client.get(path)
        assert response.status_code == 200, path
        text = visible_text(response.content.decode())
        for word in IDENTIFIER.findall(text):
            problems.append(f"{path}: identifier '{word}'")
        lowered = text.lower()
        problems += [f"{path}: '{phrase}'" for phrase in LOG_PHRASES if phrase in lowered]
    assert not problems, "\n".join(problems[:40])


def test_the_scan_catches_what_it_looks_for():
    # The scanner itself: a column name and a log phrase in text are found; code samples and addresses are not.
    text = visible_text("<p>The dataset date_statewide_secure gives it. Confirms the known date.</p><code>as_of</code>")
    assert IDENTIFIER.findall(text) == ["date_statewide_secure"]
    assert "confirms the known date" in text.lower()
    assert not IDENTIFIER.findall(visible_text('<a href="/x/?as_of=2011">x</a> file r_wyoming_djvu.txt'))


def test_every_cited_source_names_a_publisher_or_a_title_never_only_its_domain(dataset):
    unnamed = [
        source.url
        for source in Source.objects.all()
        if not source.title and source.publisher and "." in source.publisher and " " not in source.publisher
    ]
    assert not unnamed, unnamed
    assert Source.objects.get(url__contains="sfbg.com/politics").publisher == "San Francisco Bay Guardian"
    assert Source.objects.get(url__contains="lexology.com").publisher == "Lexology"


def test_a_state_page_cites_publishers_not_domains(client, dataset):
    text = visible_text(client.get("/states/MA/").content.decode())
    assert "CBS Boston" in text and "boston.cbslocal.com" not in text
    text = visible_text(client.get("/states/IL/").content.decode())
    assert "San Francisco Bay Guardian" in text and "sfbg.com" not in text


def test_the_list_cites_the_shared_dataset_once(client, dataset):
    body = client.get("/jurisdictions/?state=MO").content.decode()
    assert body.count("Secure Communities county activation dates (securecommunities.dta)") == 1


def _days(text: str) -> set[datetime.date]:
    return {datetime.date(int(y), int(m), int(d)) for y, m, d in ISO_DAY.findall(text or "")}


def _covered(day: datetime.date | None, precision: str) -> set:
    """The days a row's date stands for: one day, or every day of its month when only the month is known."""
    if day is None:
        return set()
    if precision != "month":
        return {day}
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return {day + datetime.timedelta(days=n) for n in range((following - day).days)}


def test_every_date_in_an_agreement_or_event_note_is_a_date_of_its_rows(dataset):
    """A note may name a day only if a row of its state (its agreements and their dated statuses, the state's
    events), a nationwide event or a source the row cites (its publication date) is dated that day: prose never
    contradicts the records beside it."""
    nationwide = set(Event.objects.filter(state__isnull=True).values_list("occurred_on", flat=True))
    problems = []
    for postal in State.objects.values_list("postal", flat=True):
        events = list(Event.objects.filter(state_id=postal).prefetch_related("sources"))
        agreements = list(Agreement.objects.filter(state_id=postal).prefetch_related("sources"))
        changes = list(AgreementStatusChange.objects.filter(agreement__state_id=postal).select_related("source"))
        days = nationwide | {event.occurred_on for event in events}
        for agreement in agreements:
            days |= _covered(agreement.signed_on, agreement.signed_precision)
        for change in changes:
            days |= _covered(change.effective_on, change.precision)
        texts = [(f"agreement {a}", a.notes, a.sources.all()) for a in agreements]
        texts += [(f"status change {c.pk}", c.note, [c.source] if c.source else []) for c in changes]
        texts += [(f"event {e}", e.summary, e.sources.all()) for e in events]
        for where, text, sources in texts:
            published = {source.published_on for source in sources if source.published_on}
            for day in sorted(_days(text) - days - published):
                problems.append(f"{postal} {where}: {day} is no date of its rows or its sources")
    assert not problems, "\n".join(problems)


def test_the_date_check_finds_a_note_that_contradicts_its_row(dataset):
    """Massachusetts' refusal is recorded on 3 June 2011 and announced on 6 June (an event): a typed 4 June is not."""
    assert _days("letter dated 2011-06-04") - _covered(datetime.date(2011, 6, 3), "day") == {datetime.date(2011, 6, 4)}
    assert datetime.date(2011, 1, 5) in _covered(datetime.date(2011, 1, 1), "month")

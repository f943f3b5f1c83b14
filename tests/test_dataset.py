"""The shipped dataset as loaded: counts per state and year, and the rows that need care (disputed dates,
historical and successor units, agreement dates, the rescission, the leads found later, events)."""

import datetime
import re
from collections import Counter

import pytest
from django.db.models import Min

from agreements.models import Agreement, AgreementStatusChange, Event, EventKind
from jurisdictions.models import Confidence, Jurisdiction, State, StatusChange

pytestmark = pytest.mark.django_db


def test_all_states_and_jurisdictions_are_loaded(dataset):
    assert State.objects.count() == 51
    assert Jurisdiction.objects.filter(in_dataset=True).count() == 3143
    assert Jurisdiction.objects.filter(on_current_map=True).count() == 3142
    assert StatusChange.objects.activations().filter(jurisdiction__in_dataset=True).count() == 3143


def test_activations_per_year_match_the_source(dataset):
    firsts = (
        StatusChange.objects.activations()
        .filter(jurisdiction__in_dataset=True)
        .values("jurisdiction")
        .annotate(first=Min("effective_on"))
    )
    assert Counter(row["first"].year for row in firsts) == {
        2008: 14,
        2009: 91,
        2010: 790,
        2011: 1099,
        2012: 1043,
        2013: 106,
    }


def test_every_activation_cites_the_county_dataset(dataset):
    sources = set(StatusChange.objects.values_list("source__key", flat=True))
    assert sources == {"asad-baer-bositis-2025"}


def test_eight_disputed_rows_keep_the_recorded_date_and_show_the_alternative(dataset):
    disputed = StatusChange.objects.disputed()
    assert disputed.count() == 8
    assert {change.effective_on for change in disputed} == {datetime.date(2011, 6, 1)}
    assert {change.alternative_date for change in disputed} == {datetime.date(2011, 1, 6)}
    assert set(disputed.values_list("jurisdiction_id", flat=True)) == {
        "29177",
        "32015",
        "36009",
        "36031",
        "36057",
        "36095",
        "41029",
        "41033",
    }
    # The note says it in words; its dates are the record's own, never typed into the text.
    note = disputed.get(jurisdiction_id="36009").note
    assert "two dates" in note and not re.search(r"\d{4}-\d{2}-\d{2}|date_secure", note)
    assert StatusChange.objects.filter(confidence=Confidence.CONFIRMED).count() == 3143 - 8


def test_historical_units_are_counted_but_not_on_todays_map(dataset):
    historical = Jurisdiction.objects.filter(in_dataset=True, on_current_map=False)
    assert set(historical.values_list("fips", flat=True)) == {
        "02201",
        "02232",
        "02280",
        "02270",
        "46113",
        "51515",
        "51560",
        "51780",
    }
    shannon = Jurisdiction.objects.get(fips="46113")
    assert list(shannon.replaced_by.values_list("fips", flat=True)) == ["46102"]
    assert set(Jurisdiction.objects.get(fips="02232").replaced_by.values_list("fips", flat=True)) == {"02105", "02230"}


def test_successor_units_are_on_the_map_and_borrow_their_status(dataset):
    successors = Jurisdiction.objects.filter(in_dataset=False)
    assert dict(successors.values_list("fips", "status_from")) == {
        "02105": "02232",
        "02158": "02270",
        "02195": "02280",
        "02198": "02201",
        "02230": "02232",
        "02275": "02280",
        "46102": "46113",
    }
    assert all(unit.on_current_map for unit in successors)
    assert not StatusChange.objects.filter(jurisdiction__in=successors).exists()


def test_agreement_dates_keep_their_precision(dataset):
    illinois = Agreement.objects.get(state="IL")
    assert illinois.signed_iso == "2009-11"
    assert illinois.signed_display == "November 2009 (day not known)"
    massachusetts = Agreement.objects.get(state="MA")
    assert massachusetts.signed_on is None
    assert massachusetts.signed_display == "unknown"


def test_rescission_is_one_sourced_event_shared_by_every_rescinded_agreement(dataset):
    rescission = Event.objects.get(kind=EventKind.MOA_RESCINDED)
    assert rescission.occurred_on == datetime.date(2011, 8, 5)
    assert rescission.state is None
    # Three of events.csv, and four more outlets' reports of the letters of agreement_leads.csv.
    assert rescission.sources.count() == 7
    changes = AgreementStatusChange.objects.filter(status="rescinded")
    # Eight agreements of agreements*.csv, and Maryland's, Virginia's and Nevada's of agreement_leads.csv.
    assert changes.count() == 11
    assert set(changes.values_list("event", flat=True)) == {rescission.pk}


def test_the_leads_found_later_are_loaded_each_with_its_source_and_quote(dataset):
    nevada = Agreement.objects.get(state_id="NV")
    assert nevada.signed_on is None and "not yet sourced" in nevada.state_party
    assert nevada.sources.get().url.startswith("http://www.nevadanewsbureau.com/2011/08/11/")
    assert nevada.status_on(datetime.date(2011, 8, 5)) == "rescinded"

    revised = Agreement.objects.get(state_id="NY", signed_on=datetime.date(2010, 12, 28))
    # The shipped record's signer stays; the other source's is shown beside it, quoted.
    assert revised.state_party.startswith("New York State Division of Criminal Justice Services")
    assert "Another source, cited here, names another signer: \u201c(The memorandum, like the one" in revised.notes
    assert "New York State Police signed with DHS in late 2010" in revised.notes
    assert "Otra fuente, citada aquí, nombra a otro firmante: \u201c" in revised.notes_es
    assert "\u2018Either party, upon 30 days" in revised.notes  # its own quotation nested in single quotes
    assert revised.sources.filter(url="https://prospect.org/article/cuomo-s-prison-break").exists()

    letters = Event.objects.get(kind=EventKind.MOA_RESCINDED).sources
    governors = [source.note for source in letters.all() if "39" in source.note]
    assert len(governors) == 3  # the fourth, Ivener, says "to governors" without a number
    times = letters.get(url__contains="latimes.com")
    assert "notified 39 governors" in times.note and "Governors in the other 11 states" in times.note


def test_events_are_loaded_with_their_sources(dataset):
    # events.csv, and DC's council vote of July 2010 (agreement_leads.csv, known to the month).
    assert Event.objects.count() == 70
    vote = Event.objects.get(state="DC", occurred_on=datetime.date(2010, 7, 1))
    assert (vote.precision, vote.occurred_iso, vote.occurred_display) == (
        "month",
        "2010-07",
        "July 2010 (day not known)",
    )
    assert "a local vote, not a termination notice" in vote.summary
    assert not Event.objects.filter(sources__isnull=True).exists()
    assert Event.objects.program_wide().filter(kind=EventKind.FULL_ACTIVATION).get().occurred_on == (
        datetime.date(2013, 1, 22)
    )

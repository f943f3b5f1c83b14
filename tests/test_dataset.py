"""The shipped dataset: loaded counts, idempotence, the rows that need care, and bad files refused whole."""

import datetime
import shutil

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from agreements.models import Agreement, AgreementStatusChange, Event, EventKind
from jurisdictions.models import Confidence, Jurisdiction, Source, State, StatusChange
from tracker.dataset import DatasetError, load_dataset
from tracker.dataset import load as dataset_module

pytestmark = pytest.mark.django_db


def test_all_states_and_jurisdictions_are_loaded(dataset):
    assert State.objects.count() == 51
    assert Jurisdiction.objects.counted().count() == 3143
    assert Jurisdiction.objects.on_map().count() == 3142
    assert StatusChange.objects.activations().filter(jurisdiction__in_dataset=True).count() == 3143


def test_activations_per_year_match_the_source(dataset):
    assert StatusChange.objects.activations_per_year() == {
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


def test_loading_twice_changes_nothing_and_says_so(dataset, capsys):
    before = {
        model: model.objects.count()
        for model in [State, Jurisdiction, StatusChange, Source, Event, Agreement, AgreementStatusChange]
    }
    call_command("load_dataset")
    output = capsys.readouterr().out
    after = {model: model.objects.count() for model in before}
    assert after == before
    assert "nothing changed" in output


def test_first_load_reports_what_it_created(dataset):
    Event.objects.filter(kind=EventKind.OTHER, state="DC").delete()
    report = load_dataset(settings.DATASET_DIR)
    # DC's three "other" events of events.csv and the council's vote of July 2010 (agreement_leads.csv).
    assert report.created["events"] == 4
    assert report.created["jurisdictions"] == 0
    assert "  events: 4" in report.lines()


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
    assert "2011-01-06" in disputed.get(jurisdiction_id="36009").note
    assert StatusChange.objects.filter(confidence=Confidence.CONFIRMED).count() == 3143 - 8


def test_historical_units_are_counted_but_not_on_todays_map(dataset):
    historical = Jurisdiction.objects.counted().filter(on_current_map=False)
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
    assert rescission.sources.count() == 3
    changes = AgreementStatusChange.objects.filter(status="rescinded")
    # Eight agreements of agreements*.csv, and Maryland's and Virginia's of agreement_leads.csv.
    assert changes.count() == 10
    assert set(changes.values_list("event", flat=True)) == {rescission.pk}


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


# Bad files: each is refused with file, line and reason, and nothing is written.

NEW_ROW = "48999,TX,Test New County,2011-01-01,asad-baer-bositis-2025"


def _broken_copy(tmp_path, filename, transform):
    folder = tmp_path / "dataset"
    shutil.copytree(settings.DATASET_DIR, folder)
    path = folder / filename
    path.write_text(transform(path.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def _with_rows(*rows):
    return lambda text: text + "\n".join([NEW_ROW, *rows]) + "\n"


BAD_ACTIVATION_FILES = {
    "unknown state": (
        _with_rows("99001,ZZ,Nowhere County,2011-01-01,asad-baer-bositis-2025"),
        "line 3146: unknown state 'ZZ'",
    ),
    "bad fips": (_with_rows("4820A,TX,Bad County,2011-01-01,asad-baer-bositis-2025"), "line 3146: bad FIPS '4820A'"),
    "fips of another state": (
        _with_rows("06998,TX,Wrong County,2011-01-01,asad-baer-bositis-2025"),
        "line 3146: FIPS 06998 does not belong to TX",
    ),
    "impossible date": (
        _with_rows("48997,TX,Leap County,2011-02-30,asad-baer-bositis-2025"),
        "line 3146: activation_date '2011-02-30' is not a valid date",
    ),
    "malformed date": (
        _with_rows("48997,TX,Slash County,8/5/2011,asad-baer-bositis-2025"),
        "line 3146: activation_date '8/5/2011' is not a valid date",
    ),
    "date outside the program": (
        _with_rows("48997,TX,Early County,1999-01-01,asad-baer-bositis-2025"),
        "line 3146: activation_date 1999-01-01 is outside",
    ),
    "duplicate fips": (
        _with_rows("48201,TX,Harris County,2009-01-01,asad-baer-bositis-2025"),
        "line 3146: duplicate FIPS 48201 (already on line",
    ),
    "unknown source": (
        _with_rows("48997,TX,Other County,2011-01-01,somebody-else"),
        "line 3146: unknown source_id 'somebody-else'",
    ),
    "missing column": (
        lambda text: text.replace("activation_date", "date_activated", 1),
        "activations.csv, line 1: missing column(s) activation_date",
    ),
}


@pytest.mark.parametrize("case", BAD_ACTIVATION_FILES, ids=list(BAD_ACTIVATION_FILES))
def test_a_bad_activations_file_is_refused_and_changes_nothing(dataset, tmp_path, case):
    transform, message = BAD_ACTIVATION_FILES[case]
    folder = _broken_copy(tmp_path, "activations.csv", transform)
    counts = (Jurisdiction.objects.count(), StatusChange.objects.count())
    with pytest.raises(CommandError) as error:
        call_command("load_dataset", path=folder)
    assert "activations.csv" in str(error.value)
    assert message in str(error.value)
    assert "nothing was changed" in str(error.value)
    assert not Jurisdiction.objects.filter(fips="48999").exists()
    assert (Jurisdiction.objects.count(), StatusChange.objects.count()) == counts


def test_a_good_new_row_loads_from_a_copy(dataset, tmp_path):
    """The control for the cases above: the same new row, alone, is loaded."""
    folder = _broken_copy(tmp_path, "activations.csv", _with_rows())
    report = load_dataset(folder)
    assert report.created["jurisdictions"] == 1
    assert Jurisdiction.objects.get(fips="48999").status_on() == "activated"


def test_a_bad_event_file_is_refused(dataset, tmp_path):
    folder = _broken_copy(
        tmp_path, "events.csv", lambda text: text + "2011-13-01,XX,party,Nothing,https://example.org\n"
    )
    with pytest.raises(DatasetError) as error:
        load_dataset(folder)
    problems = "\n".join(error.value.problems)
    assert "events.csv, line 71: date '2011-13-01' is not a valid date" in problems
    assert "events.csv, line 71: unknown state 'XX'" in problems


def test_a_failure_while_writing_leaves_the_database_unchanged(dataset, tmp_path, monkeypatch):
    folder = _broken_copy(tmp_path, "activations.csv", _with_rows())

    def explode(**kwargs):
        raise RuntimeError("injected failure after the jurisdictions were written")

    monkeypatch.setattr(dataset_module, "agreements_rescind", explode)
    with pytest.raises(RuntimeError):
        load_dataset(folder)
    assert not Jurisdiction.objects.filter(fips="48999").exists()


def test_a_missing_file_is_named(dataset, tmp_path):
    folder = tmp_path / "dataset"
    shutil.copytree(settings.DATASET_DIR, folder)
    (folder / "agreements.csv").unlink()
    with pytest.raises(DatasetError, match="agreements.csv: file is missing"):
        load_dataset(folder)

"""The shipped dataset: loaded counts, idempotence, the rows that need care, and bad files refused whole."""

import datetime
import hashlib
import re
import shutil
from collections import Counter

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Min

from agreements.models import Agreement, AgreementStatusChange, Event, EventKind
from jurisdictions import importer
from jurisdictions.models import Confidence, ImportState, Jurisdiction, Source, State, StatusChange
from jurisdictions.services import import_batch_apply, import_batch_undo
from tests.factories import empty_tracker_data
from tracker.dataset import DatasetError, load_dataset
from tracker.dataset import load as dataset_module
from tracker.dataset.load import dataset_review
from tracker.models import DatasetSeed, DataVersion

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


def _counts() -> dict:
    models = [State, Jurisdiction, StatusChange, Source, Event, Agreement, AgreementStatusChange]
    counts = {model.__name__: model.objects.count() for model in models}
    counts |= {f"{model.__name__} history": model.history.count() for model in models}
    return counts


def test_a_later_load_writes_nothing_and_says_the_database_is_the_record(dataset, capsys):
    before, version = _counts(), DataVersion.objects.get().number
    call_command("load_dataset")
    output = capsys.readouterr().out
    assert _counts() == before
    assert DataVersion.objects.get().number == version
    assert "The database is the record" in output
    assert "nothing was written" in output
    assert "It holds everything the shipped files hold." in output


def test_the_one_load_is_recorded_with_each_files_hash(dataset):
    seed = DatasetSeed.objects.get()
    activations = (settings.DATASET_DIR / "activations.csv").read_bytes()
    assert seed.files["activations.csv"] == {
        "sha256": hashlib.sha256(activations).hexdigest(),
        "size": len(activations),
    }
    assert set(seed.files) >= {"agreements.csv", "events.csv", "agreement_leads.csv", "map_units.csv"}
    assert seed.created["jurisdictions"] == Jurisdiction.objects.count()


def test_an_empty_database_is_seeded_and_reports_what_it_created(dataset):
    empty_tracker_data()
    report = load_dataset(settings.DATASET_DIR)
    assert report.seeded
    assert report.created["jurisdictions"] == 3150
    assert report.created["activation records"] == 3143
    assert f"  events: {Event.objects.count()}" in report.lines()
    assert DatasetSeed.objects.count() == 1
    assert set(StatusChange.history.filter(history_type="+").values_list("history_change_reason", flat=True)) == {
        "Loaded from the shipped dataset"
    }
    assert not Agreement.history.filter(history_type="+", history_change_reason=None).exists()


def _edit_as_editor(record, reason="Corrected from the county's press release"):
    record._history_user = User.objects.get_or_create(username="colleague", defaults={"is_staff": True})[0]
    record._change_reason = reason
    return record


# Every kind of editor's or import's work: (what is done, how to see it survived).
def _delete_st_louis():
    change = StatusChange.objects.get(jurisdiction_id="29189")
    _edit_as_editor(change).delete()
    return lambda: not StatusChange.objects.filter(jurisdiction_id="29189").exists()


def _redate_harris():
    change = StatusChange.objects.get(jurisdiction_id="48201")
    change.effective_on = datetime.date(2008, 11, 3)
    _edit_as_editor(change).save()
    return lambda: (
        list(StatusChange.objects.filter(jurisdiction_id="48201").values_list("effective_on", flat=True))
        == [datetime.date(2008, 11, 3)]
    )


def _renote_cook():
    change = StatusChange.objects.get(jurisdiction_id="17031")
    change.note, change.note_es = "An editor's note.", ""
    _edit_as_editor(change).save()
    return lambda: StatusChange.objects.get(jurisdiction_id="17031").note_es == ""


def _delete_an_event():
    event = Event.objects.filter(state_id="OR").order_by("pk").first()
    pk = event.pk
    _edit_as_editor(event).delete()
    return lambda: not Event.objects.filter(pk=pk).exists() and Event.objects.filter(state_id="OR").count() == 1


def _unlink_a_source():
    agreement = Agreement.objects.get(state_id="CO")
    removed = agreement.sources.order_by("pk").first()
    agreement.sources.remove(removed)
    return lambda: not agreement.sources.filter(pk=removed.pk).exists()


def _rename_a_unit():
    unit = Jurisdiction.objects.get(fips="46102")
    unit.change_note = ""
    _edit_as_editor(unit).save()
    return lambda: Jurisdiction.objects.get(fips="46102").change_note == ""


def _delete_an_agreement_status():
    change = AgreementStatusChange.objects.filter(agreement__state_id="IL", status="terminated").get()
    _edit_as_editor(change).delete()
    return lambda: not AgreementStatusChange.objects.filter(agreement__state_id="IL", status="terminated").exists()


EDITS = {
    "deleted activation": _delete_st_louis,
    "re-dated activation": _redate_harris,
    "edited note": _renote_cook,
    "deleted event": _delete_an_event,
    "removed source link": _unlink_a_source,
    "edited unit": _rename_a_unit,
    "deleted agreement status": _delete_an_agreement_status,
}


def _changes_since(client, cursor: str) -> tuple[list, str]:
    results = []
    while True:
        page = client.get(f"/api/v1/changes/?since={cursor}&limit=500").json()
        results, cursor = results + page["results"], page["next"]
        if not page["more"]:
            return results, cursor


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_an_editors_work_survives_every_later_load_and_the_changes_feed_stays_quiet(dataset, edit, client):
    survived = EDITS[edit]()
    _, cursor = _changes_since(client, "")
    before, version = _counts(), DataVersion.objects.get().number
    load_dataset(settings.DATASET_DIR)
    call_command("load_dataset", verbosity=0)  # what every `dev.py serve` start runs
    assert survived()
    assert _counts() == before
    # The data version did not move: no snapshot, ETag or changes feed can announce a row nobody made.
    assert DataVersion.objects.get().number == version
    assert _changes_since(client, cursor)[0] == []


def test_a_later_load_reports_how_the_database_differs(dataset):
    _delete_st_louis()
    _redate_harris()
    lines = "\n".join(load_dataset(settings.DATASET_DIR).lines())
    assert "activations in the files, none in the database: 1 (29189 (2010-09-21))" in lines
    assert "activation dates that differ: 1 (48201: database 2008-11-03, files 2008-10-27)" in lines
    assert "manage.py load_dataset --review" in lines


def _shipped_copy(tmp_path, dates: dict[str, str]):
    """The shipped files with some activation dates changed, as a later version of the project might ship them."""
    folder = tmp_path / "dataset"
    shutil.copytree(settings.DATASET_DIR, folder)
    path = folder / "activations.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        cells = line.split(",")
        if cells[0] in dates:
            cells[3] = dates[cells[0]]
            lines[index] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_a_changed_shipped_file_arrives_as_an_import_to_review_with_conflicts_listed(dataset, tmp_path):
    _delete_st_louis()
    _redate_harris()
    folder = _shipped_copy(tmp_path, {"06037": "2009-09-01", "29189": "2010-09-22", "48201": "2008-10-28"})
    report = load_dataset(folder)
    assert report.changed_files == ["activations.csv"]
    assert not report.seeded
    los_angeles = StatusChange.objects.get(jurisdiction_id="06037")

    batch, plan = dataset_review(folder)
    assert batch.protects_edits and batch.state == ImportState.PREVIEWED
    actions = {row.fips: row.action for row in plan.rows if row.action != importer.UNCHANGED}
    assert actions == {"06037": importer.CHANGED, "29189": importer.CONFLICT, "48201": importer.CONFLICT}
    conflict = next(row for row in plan.rows if row.fips == "48201")
    assert "Edited since the dataset load by colleague" in conflict.reason
    assert plan.counts["conflict"] == 2 and plan.counts["error"] == 0

    editor = User.objects.create(username="reviewer", is_staff=True)
    import_batch_apply(batch=batch, user=editor)
    assert StatusChange.objects.get(jurisdiction_id="06037").effective_on == datetime.date(2009, 9, 1)
    assert not StatusChange.objects.filter(jurisdiction_id="29189").exists()
    assert StatusChange.objects.get(jurisdiction_id="48201").effective_on == datetime.date(2008, 11, 3)

    import_batch_undo(batch=batch, user=editor)
    assert StatusChange.objects.get(pk=los_angeles.pk).effective_on == los_angeles.effective_on


def test_the_review_command_previews_and_writes_nothing(dataset, tmp_path, capsys):
    folder = _shipped_copy(tmp_path, {"06037": "2009-09-01"})
    before = _counts()
    call_command("load_dataset", path=folder, review=True)
    output = capsys.readouterr().out
    assert "1 dates changed, 0 conflicts" in output
    assert "/admin/jurisdictions/importbatch/" in output
    assert _counts() == before


def test_the_review_of_the_files_as_loaded_finds_every_row_unchanged(dataset):
    batch, plan = dataset_review(settings.DATASET_DIR)
    assert plan.counts == {
        "new": 0,
        "changed": 0,
        "unchanged": 3143,
        "duplicate": 0,
        "conflict": 0,
        "error": 0,
        "rows": 3143,
    }
    assert batch.protects_edits


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


LEAD_PROBLEMS = {
    "a nationwide fact given a state": (
        "NY,moa_rescinded_by_ice,2011-08-05,day,T,https://example.org/a,Q",
        "moa_rescinded_by_ice is about every state: leave state_postal empty",
    ),
    "a rescission on another day": (
        ",moa_rescinded_by_ice,2011-08-06,day,T,https://example.org/b,Q",
        "no nationwide moa_rescinded event on 2011-08-06",
    ),
    "a signing year without an agreement": (
        "CA,moa_signed,2012,year,T,https://example.org/c,Q",
        "no agreement of CA signed in 2012",
    ),
    "an unknown fact": (",moa_burned,2011-08-05,day,T,https://example.org/d,Q", "unknown fact 'moa_burned'"),
}


@pytest.mark.parametrize("case", LEAD_PROBLEMS, ids=list(LEAD_PROBLEMS))
def test_a_lead_that_fits_nothing_is_refused_with_its_line(dataset, tmp_path, case):
    row, message = LEAD_PROBLEMS[case]
    folder = _broken_copy(tmp_path, "agreement_leads.csv", lambda text: text + row + "\n")
    with pytest.raises(DatasetError) as error:
        load_dataset(folder)
    assert f"agreement_leads.csv, line 14: {message}" in "\n".join(error.value.problems)


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


def test_a_good_new_row_is_accepted_into_an_empty_database_and_only_reported_in_a_loaded_one(dataset, tmp_path):
    """The control for the cases above: the same new row, alone, passes the checks."""
    folder = _broken_copy(tmp_path, "activations.csv", _with_rows())
    report = load_dataset(folder)
    assert report.differences["units in the files, not in the database"] == ["48999"]
    assert not Jurisdiction.objects.filter(fips="48999").exists()
    empty_tracker_data()
    assert load_dataset(folder).seeded
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
    empty_tracker_data()
    with pytest.raises(RuntimeError):
        load_dataset(folder)
    assert not Jurisdiction.objects.exists() and not DatasetSeed.objects.exists()


def test_a_missing_file_is_named(dataset, tmp_path):
    folder = tmp_path / "dataset"
    shutil.copytree(settings.DATASET_DIR, folder)
    (folder / "agreements.csv").unlink()
    with pytest.raises(DatasetError, match="agreements.csv: file is missing"):
        load_dataset(folder)

"""Loading the shipped dataset again: a later load writes nothing and says how the database differs, an editor's
work survives every later load, and a changed shipped file arrives as an import to review."""

import datetime
import hashlib
import shutil

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command

from agreements.models import Agreement, AgreementStatusChange, Event
from jurisdictions import importer
from jurisdictions.models import ImportState, Jurisdiction, Source, State, StatusChange
from jurisdictions.services import import_batch_apply, import_batch_undo
from tests.factories import empty_tracker_data
from tracker.dataset import load_dataset
from tracker.dataset.load import dataset_review
from tracker.models import DatasetSeed, DataVersion

pytestmark = pytest.mark.django_db


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

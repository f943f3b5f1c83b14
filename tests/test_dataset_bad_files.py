"""Bad dataset files: each is refused with file, line and reason, and nothing is written (activations, events,
leads that fit nothing, a missing file, a failure while writing)."""

import shutil

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from jurisdictions.models import Jurisdiction, StatusChange
from tests.factories import empty_tracker_data
from tracker.dataset import DatasetError, load_dataset
from tracker.dataset import load as dataset_module
from tracker.models import DatasetSeed

pytestmark = pytest.mark.django_db


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

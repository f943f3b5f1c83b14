"""Bulk import of a published list: preview, confirm, undo; every bad file refused with nothing written."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jurisdictions import importer
from jurisdictions.models import ImportBatch, ImportState, Jurisdiction, Source, StatusChange
from tests.admin_forms import errors_of, form_data
from tests.factories import make_jurisdiction
from tests.search_spellings import AMBIGUOUS, LATER_CODES, SPELLINGS, STATE_AGENCIES

pytestmark = pytest.mark.django_db

UPLOAD = "admin:jurisdictions_importbatch_upload"


def snapshot():
    """Everything an import could touch, exactly."""
    return {
        "changes": list(StatusChange.objects.order_by("pk").values()),
        "sources": list(Source.objects.order_by("pk").values()),
        "batches": ImportBatch.objects.count(),
    }


def upload(client, name, data, **fields):
    fields.setdefault("source_title", "ICE: Activated jurisdictions (test)")
    fields.setdefault("source_url", "https://example.org/ice/activated.csv")
    return client.post(reverse(UPLOAD), {"file": SimpleUploadedFile(name, data, "text/csv"), **fields})


def activation(fips) -> datetime.date:
    return (
        StatusChange.objects.filter(jurisdiction_id=fips, status="activated").order_by("effective_on")[0].effective_on
    )


@pytest.fixture
def good_file(dataset):
    """New, changed, unchanged and repeated rows, written the way real files are."""
    make_jurisdiction(fips="48999", name="Test County")
    dallas = activation("48113").strftime("%-m/%-d/%Y")
    lines = [
        "Activated Jurisdictions as of 2012-09-01",
        "",
        "State,Jurisdiction,FIPS,Activation Date,Notes",
        "TX,Test County ,,2011-08-05,new",
        'Texas,"Harris County",48201,"Oct 28, 2008","changed, quoted"',
        f"TX,Dallas,,{dallas}  ,",
        f"TX,DALLAS COUNTY,48113,{dallas},repeat",
        "",
        f"FL,Miami Dade,,{activation('12086').isoformat()},",
    ]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def test_good_file_preview_counts_are_exact_and_nothing_is_written(editor_client, good_file):
    before = snapshot()
    response = upload(editor_client, "activated.csv", good_file)
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.get()
    assert batch.state == ImportState.PREVIEWED
    assert batch.counts == {
        "new": 1,
        "changed": 1,
        "unchanged": 2,
        "duplicate": 1,
        "conflict": 0,
        "error": 0,
        "rows": 5,
    }
    assert batch.sha256 == importer.sha256(good_file) and batch.size == len(good_file)
    after = snapshot()
    assert after["changes"] == before["changes"]
    page = editor_client.get(response["Location"])
    html = page.content.decode()
    assert "Confirm and apply" in html and "Harris County, TX" in html and "2008-10-28" in html


def test_confirm_applies_in_one_go_and_undo_restores_the_exact_prior_state(editor_client, good_file):
    response = upload(editor_client, "activated.csv", good_file)
    batch = ImportBatch.objects.get()
    before = snapshot()
    response = editor_client.post(response["Location"], {"confirm": "1"}, follow=True)
    assert "Applied activated.csv: 1 newly activated, 1 dates changed, 2 unchanged" in response.content.decode()
    batch.refresh_from_db()
    assert batch.state == ImportState.APPLIED and batch.applied_by.username == "edna"
    assert activation("48999") == datetime.date(2011, 8, 5)
    assert activation("48201") == datetime.date(2008, 10, 28)
    assert StatusChange.objects.get(jurisdiction_id="48201").source == batch.source
    harris = StatusChange.objects.get(jurisdiction_id="48201").history.latest()
    assert harris.history_user.username == "edna" and "Import #" in harris.history_change_reason

    url = reverse("admin:jurisdictions_importbatch_preview", args=[batch.pk])
    response = editor_client.post(url, {"undo": "1"}, follow=True)
    assert "Undid activated.csv" in response.content.decode()
    batch.refresh_from_db()
    assert batch.state == ImportState.UNDONE
    assert snapshot() == before


def test_confirming_twice_applies_once(editor_client, good_file):
    url = upload(editor_client, "activated.csv", good_file)["Location"]
    editor_client.post(url, {"confirm": "1"})
    count = StatusChange.objects.count()
    editor_client.post(url, {"confirm": "1"})
    assert StatusChange.objects.count() == count


def test_undo_is_refused_when_an_imported_row_was_edited_since(editor_client, good_file):
    url = upload(editor_client, "activated.csv", good_file)["Location"]
    editor_client.post(url, {"confirm": "1"})
    harris = StatusChange.objects.get(jurisdiction_id="48201")
    harris.effective_on = datetime.date(2008, 10, 30)
    harris.save()
    before = snapshot()
    response = editor_client.post(url, {"undo": "1"}, follow=True)
    assert "Nothing was undone" in response.content.decode()
    assert snapshot() == before
    assert ImportBatch.objects.get().state == ImportState.APPLIED


def _applied(client, data):
    """Upload and confirm `data`; the preview's address and the applied batch."""
    url = upload(client, "activated.csv", data)["Location"]
    assert client.post(url, {"confirm": "1"}).status_code == 302
    return url, ImportBatch.objects.get()


def _edit_in_the_admin(client, change, **fields):
    """Save `fields` on a status change through its admin form, as an editor would."""
    url = reverse("admin:jurisdictions_statuschange_change", args=[change.pk])
    response = client.post(url, {**form_data(client.get(url)), **fields})
    assert response.status_code == 302, errors_of(response)


@pytest.mark.parametrize(
    "fips, edit, changed",
    [
        pytest.param("48201", {"note": "Checked against the county's letter"}, "note", id="note"),
        pytest.param("48999", {"note_es": "Revisado con la carta del condado"}, "note (Spanish)", id="note_es"),
        pytest.param(
            "48201",
            {"confidence": "disputed", "alternative_date": "2008-11-03"},
            "confidence, alternative date",
            id="confidence and alternative date",
        ),
        pytest.param("48999", {"status": "scheduled"}, "status", id="status"),
    ],
)
def test_undo_is_refused_after_a_colleague_edits_any_field_of_an_imported_row_and_nothing_is_written(
    editor_client, other_editor_client, good_file, fips, edit, changed
):
    url, batch = _applied(editor_client, good_file)
    change = StatusChange.objects.get(jurisdiction_id=fips)
    _edit_in_the_admin(other_editor_client, change, **edit)
    change.refresh_from_db()
    named = (
        f"status change #{change.pk} ({change.jurisdiction.name}, TX: "
        f"{change.get_status_display().lower()} on {change.effective_on.isoformat()})"
    )
    before, versions = snapshot(), StatusChange.history.count()

    # The page that asks before undoing names the row, what changed and who changed it, and offers no button.
    page = editor_client.get(reverse("admin:jurisdictions_importbatch_undo", args=[batch.pk])).content.decode()
    assert "cannot be undone" in page and 'name="undo"' not in page
    assert f"{named} has since been edited by otto: {changed} changed" in page
    # Undoing anyway (a stale page, a second tab) is refused the same way.
    response = editor_client.post(url, {"undo": "1"}, follow=True)
    html = response.content.decode()
    assert "Nothing was undone" in html and named in html
    assert snapshot() == before and StatusChange.history.count() == versions
    assert ImportBatch.objects.get().state == ImportState.APPLIED


def test_an_undo_goes_ahead_when_only_rows_it_did_not_write_were_edited_since(
    editor_client, other_editor_client, good_file
):
    before = snapshot()["changes"]
    url, batch = _applied(editor_client, good_file)
    # Dallas County's row was in the file unchanged: the import did not write it.
    dallas = StatusChange.objects.get(jurisdiction_id="48113", effective_on=activation("48113"))
    _edit_in_the_admin(other_editor_client, dallas, note="A colleague's note")
    response = editor_client.post(url, {"undo": "1"}, follow=True)
    assert "Undid activated.csv" in response.content.decode()
    dallas_now = StatusChange.objects.filter(pk=dallas.pk).values().get()
    assert dallas_now["note"] == "A colleague's note"
    assert snapshot()["changes"] == [dallas_now if row["id"] == dallas.pk else row for row in before]


def test_an_edit_put_back_exactly_does_not_block_the_undo(editor_client, other_editor_client, good_file):
    url, batch = _applied(editor_client, good_file)
    harris = StatusChange.objects.get(jurisdiction_id="48201")
    _edit_in_the_admin(other_editor_client, harris, note="A slip")
    _edit_in_the_admin(other_editor_client, harris, note=harris.note)
    response = editor_client.post(url, {"undo": "1"}, follow=True)
    assert "Undid activated.csv" in response.content.decode()
    assert activation("48201") == datetime.date(2008, 10, 27)


def test_a_preview_gone_stale_is_not_applied(editor_client, good_file):
    url = upload(editor_client, "activated.csv", good_file)["Location"]
    harris = StatusChange.objects.get(jurisdiction_id="48201")
    harris.effective_on = datetime.date(2008, 10, 28)
    harris.save()
    before = snapshot()
    response = editor_client.post(url, {"confirm": "1"}, follow=True)
    assert "The tracker changed since this preview" in response.content.decode()
    assert snapshot()["changes"] == before["changes"]
    assert ImportBatch.objects.get().counts["changed"] == 0


def test_spacing_of_names_and_spreadsheet_datetimes_are_tolerated(dataset):
    la_salle = activation("22059")
    text = f"State,County,Activation Date\nLA,LaSalle Parish,{la_salle.isoformat()} 00:00:00\n"
    plan = importer.plan_import("list.csv", text.encode())
    assert not plan.errors and plan.rows[0].fips == "22059" and plan.counts["unchanged"] == 1


def test_windows_1252_names_and_every_date_format_are_read(editor_client, dataset):
    dona_ana = activation("35013")
    text = (
        "state,county,activation date\r\n"
        f'NM,Doña Ana County,"{dona_ana:%b} {dona_ana.day}, {dona_ana.year}"\r\n'
        f"MO,St. Louis County,{activation('29189'):%m/%d/%Y}\r\n"
        f"MO,Saint Louis city,{activation('29510').isoformat()}\r\n"
    )
    response = upload(editor_client, "list.csv", text.encode("cp1252"))
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert ImportBatch.objects.get().counts["unchanged"] == 3


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("list.xlsx", b"PK\x03\x04 spreadsheet", "is not a CSV file"),
        ("list.csv", b"%PDF-1.4\x00\x01\x02binary", "is not a CSV file"),
        ("list.csv", b"", "The submitted file is empty"),
        ("list.csv", b"\r\n\r\n  \r\n", "is empty"),
        ("list.csv", b"State,Jurisdiction,Activation Date\r\n\r\n", "has a header but no rows"),
        ("list.csv", b"a,b,c\r\n1,2,3\r\n", "has no header row naming an activation date"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message_and_nothing_changes(editor_client, name, data, message):
    before = snapshot()
    response = upload(editor_client, name, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


def test_a_file_over_the_size_limit_is_refused(editor_client, monkeypatch, good_file):
    monkeypatch.setattr(importer, "MAX_BYTES", 100)
    before = snapshot()
    response = upload(editor_client, "big.csv", good_file)
    assert "the limit is 100" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    "row, reason, suggestion",
    [
        ("TX,Haris County,,2010-01-01", "Texas is called “Haris County”", "Harris County, TX (48201)"),
        ("TX,Harris County,,13/45/2010", "“13/45/2010” is not a date", ""),
        ("TX,Harris County,,2099-01-01", "is outside the program", ""),
        ("TX,Harris County,,", "The activation date is missing", ""),
        ("AL,Harris County,48201,2010-01-01", "FIPS 48201 is Harris County, Texas, not in Alabama", ""),
        ("TX,Dallas County,48201,2010-01-01", "but the row names “Dallas County”", ""),
        ("ZZ,Harris County,,2010-01-01", "“ZZ” is not a state", ""),
        (",Harris County,,2010-01-01", "has no state", ""),
        ("TX,Harris County,,2008-10-28\r\nTX,Harris County,48201,2008-10-29", "the file disagrees with itself", ""),
    ],
)
def test_rows_with_errors_are_listed_and_the_file_cannot_be_applied(editor_client, row, reason, suggestion):
    data = f"State,Jurisdiction,FIPS,Activation Date\r\nTX,Dallas,,2010-01-01\r\n{row}\r\n".encode()
    before = snapshot()
    response = upload(editor_client, "errors.csv", data)
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert "cannot be applied" in html and "Confirm and apply" not in html
    plan = response.context["plan"]
    error = plan.errors[0]
    # Header on line 1, a good row on line 2: the bad row is line 3 (line 4 for the second of two rows).
    assert error.line == (4 if "\n" in row else 3)
    assert reason in error.reason
    assert f"<td>{error.line}</td>" in html
    assert suggestion in error.suggestions if suggestion else True
    assert snapshot() == before


def test_an_import_needs_a_source(editor_client, good_file):
    before = snapshot()
    response = upload(editor_client, "activated.csv", good_file, source_title="", source_url="")
    assert "Every import needs a source" in response.content.decode()
    assert snapshot() == before


def test_an_existing_source_can_be_picked(editor_client, good_file):
    source = Source.objects.first()
    response = upload(editor_client, "activated.csv", good_file, source=source.pk, source_title="", source_url="")
    assert response.status_code == 302
    assert ImportBatch.objects.get().source == source


def test_the_shipped_activation_file_imports_as_all_unchanged(dataset):
    from django.conf import settings

    data = (settings.DATASET_DIR / "activations.csv").read_bytes()
    plan = importer.plan_import("activations.csv", data)
    assert plan.counts["unchanged"] == Jurisdiction.objects.filter(in_dataset=True).count() and not plan.errors


def test_every_shipped_unit_is_found_by_state_and_name_alone(dataset):
    import csv
    import io

    from django.conf import settings

    rows = list(csv.DictReader(io.StringIO((settings.DATASET_DIR / "activations.csv").read_text())))
    text = "State,Jurisdiction,Activation Date\n" + "".join(
        f'{row["state_postal"]},"{row["jurisdiction_name"]}",{row["activation_date"]}\n' for row in rows
    )
    plan = importer.plan_import("names.csv", text.encode())
    assert plan.errors == []
    assert plan.counts["unchanged"] == len(rows)


# --- names as published lists spell them (issue 11) --------------------------------------------------------------


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _date_of(fips: str) -> str:
    """The unit's recorded activation date (so the row is unchanged), or a date in the program's span."""
    change = StatusChange.objects.filter(jurisdiction_id=fips, status="activated").order_by("effective_on").first()
    return change.effective_on.isoformat() if change else "2012-01-01"


def test_every_spelling_of_the_shared_table_imports_as_its_unit(dataset):
    """tests/search_spellings.py's SPELLINGS, each as an import row with its unit's state; codes go to the FIPS
    column."""
    rows, expected = [["State", "Jurisdiction", "FIPS", "Activation Date"]], []
    for query, fips in SPELLINGS:
        unit = Jurisdiction.objects.get(fips=fips)
        history = unit.status_from_id or fips  # 46102's history is recorded on 46113
        is_code = query.replace(" ", "").isdigit()
        rows.append([unit.state_id, "" if is_code else query, query if is_code else "", _date_of(history)])
        expected.append(history)
    plan = importer.plan_import("spellings.csv", _csv(rows))
    assert [(row.value, row.reason) for row in plan.errors] == []
    assert [row.fips for row in plan.rows] == expected
    assert plan.counts["new"] == plan.counts["changed"] == 0


@pytest.mark.parametrize("state, name, candidates", AMBIGUOUS)
def test_a_name_that_fits_several_units_is_an_error_row_naming_each(dataset, state, name, candidates):
    plan = importer.plan_import(
        "list.csv", _csv([["State", "Jurisdiction", "Activation Date"], [state, name, "2010-04-20"]])
    )
    (error,) = plan.errors
    assert "fits more than one jurisdiction" in error.reason
    assert {label.rsplit("(", 1)[1].rstrip(")") for label in error.suggestions} == candidates
    for fips in candidates:
        assert f"({fips})" in error.reason


def test_richmond_and_baltimore_rows_are_refused_in_the_admin_and_nothing_is_written(editor_client):
    before = snapshot()
    data = b"State,Jurisdiction,Activation Date\r\nVirginia,Richmond,4/20/2010\r\nMaryland,Baltimore,2/22/2012\r\n"
    response = upload(editor_client, "list.csv", data)
    html = response.content.decode()
    assert "cannot be applied" in html and "Confirm and apply" not in html
    for text in [
        "Richmond County (51159)",
        "Richmond city (51760)",
        "Baltimore County (24005)",
        "Baltimore city (24510)",
    ]:
        assert text in html
    assert response.context["plan"].counts["error"] == 2
    assert snapshot() == before


@pytest.mark.parametrize("code, period_units, named", LATER_CODES)
def test_a_later_fips_code_is_an_error_row_with_a_hint(dataset, code, period_units, named):
    plan = importer.plan_import("list.csv", _csv([["FIPS", "Activation Date"], [code, "2012-01-01"]]))
    (error,) = plan.errors
    assert named in error.reason and "the tracker does not hold" in error.reason
    assert {label.rsplit("(", 1)[1].rstrip(")") for label in error.suggestions} == period_units


def test_older_codes_and_names_map_to_the_period_units(dataset):
    rows = [
        ["State", "Jurisdiction", "FIPS", "Activation Date"],
        ["SD", "", "46102", _date_of("46113")],
        ["AK", "", "02158", _date_of("02270")],
        ["SD", "Oglala Lakota County", "", _date_of("46113")],
        ["SD", "Shannon County", "46102", _date_of("46113")],
    ]
    plan = importer.plan_import("list.csv", _csv(rows))
    assert not plan.errors
    assert [row.fips for row in plan.rows] == ["46113", "02270", "46113", "46113"]


@pytest.mark.parametrize("state, name", STATE_AGENCIES)
def test_a_state_agency_row_is_refused_with_a_clear_reason(dataset, state, name):
    plan = importer.plan_import(
        "list.csv", _csv([["State", "Jurisdiction", "Activation Date"], [state, name, "2011-01-01"]])
    )
    (error,) = plan.errors
    assert "is a state agency, not a county" in error.reason


def test_a_list_written_in_agency_forms_imports_without_errors(dataset):
    """Every shipped unit named as ICE's participant lists name them: a third in agency form or with "Co."."""
    units = list(Jurisdiction.objects.filter(in_dataset=True).order_by("fips"))
    forms = [
        lambda name: name.replace(" County", " County Sheriff's Office"),
        lambda name: name.replace(" County", " Co."),
        lambda name: name,
    ]
    rows = [["State", "Jurisdiction", "Activation Date"]]
    rows += [[unit.state_id, forms[i % 3](unit.name), _date_of(unit.fips)] for i, unit in enumerate(units)]
    plan = importer.plan_import("ice.csv", _csv(rows))
    assert [(row.value, row.reason) for row in plan.errors] == []
    assert [row.fips for row in plan.rows] == [unit.fips for unit in units]


def test_a_large_file_with_unmatched_rows_gives_every_such_row_its_closest_names(dataset):
    """3,200 rows, one in ten misspelt: each misspelt row is an error with suggestions (timed in
    bench/import_bench.py, not here)."""
    units = list(Jurisdiction.objects.filter(in_dataset=True).filter(name__endswith=" County").order_by("fips")[:3200])
    rows, meant = [["State", "Jurisdiction", "Activation Date"]], []
    for i in range(3200):
        unit = units[i % len(units)]
        name = unit.name
        if i % 10 == 9:
            second = next(i for i in range(1, len(name)) if name[i].isalpha())  # "O'Brien": the "B"
            name = name[:second] + name[second] * 2 + name[second + 1 :]  # "Harris County" -> "Haarris County"
            meant.append(f"{unit.name}, {unit.state_id} ({unit.fips})")
        rows.append([unit.state_id, name, _date_of(unit.fips)])
    plan = importer.plan_import("big.csv", _csv(rows))
    assert len(plan.rows) == 3200
    assert [error.line for error in plan.errors] == list(range(11, 3202, 10))
    # The unit meant is among the closest names of every misspelt row.
    assert [label in error.suggestions for label, error in zip(meant, plan.errors, strict=True)] == [True] * 320


def test_a_date_an_import_replaces_stays_visible_on_the_public_page_as_an_earlier_report(
    editor_client, good_file, client
):
    """The import changes Harris County's date from 27 to 28 October 2008 with its own source; the public page
    shows the new date, and the earlier sourced date as an earlier report (not only in the admin history)."""
    response = upload(editor_client, "activated.csv", good_file)
    editor_client.post(response["Location"], {"confirm": "1"})
    page = client.get("/jurisdictions/48201/").content.decode()
    history = page.split('id="history"')[1].split("</ol>")[0]
    assert '<time datetime="2008-10-28">28 October 2008</time>' in history
    assert "ICE: Activated jurisdictions (test)" in history
    earlier = history.split('class="earlier-report"')[1]
    assert '<time datetime="2008-10-27">27 October 2008</time>' in earlier
    assert "Secure Communities county activation dates" in earlier  # the dataset's own source


def test_an_undone_import_leaves_no_earlier_report(editor_client, good_file, client):
    response = upload(editor_client, "activated.csv", good_file)
    editor_client.post(response["Location"], {"confirm": "1"})
    batch = ImportBatch.objects.get()
    editor_client.post(reverse("admin:jurisdictions_importbatch_preview", args=[batch.pk]), {"undo": "1"})
    page = client.get("/jurisdictions/48201/").content.decode()
    assert "earlier-report" not in page and "28 October 2008" not in page

"""Every CSV the site produces is safe to open in a spreadsheet, and the API gives the format the client asked for.

A cell that starts like a formula (=, +, -, @, tab, carriage return) would be run by Excel or LibreOffice when a
journalist opens the download (OWASP: CSV injection). Editors write free text, and an editor's account can be
stolen, so every editor-writable text field is filled with such a value here and every CSV endpoint is read.
"""

import csv
import io

import pytest

from agreements.models import Agreement, AgreementStatusChange, Event
from common.api.formats import FORMULA_STARTS, csv_cell
from jurisdictions.models import Jurisdiction, Source, StatusChange

pytestmark = pytest.mark.django_db
API = "/api/v1/"
HOSTILE = ['=HYPERLINK("http://evil.example/","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\tTAB", "\rCR"]
CSV_ENDPOINTS = ["jurisdictions", "states", "agreements", "sources", "events"]


def _cells(client, endpoint: str) -> list[dict]:
    response = client.get(
        f"{API}{endpoint}/?format=csv&include=successors"
        if endpoint == "jurisdictions"
        else f"{API}{endpoint}/?format=csv"
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _fill_every_text_field(value: str) -> None:
    """Put `value` in every text field an editor can write, on the rows the CSVs show."""
    Source.objects.update(title=value, publisher=value, note=value)
    Jurisdiction.objects.filter(fips__in=["48201", "46113", "02158"]).update(name=value, change_note=value)
    StatusChange.objects.filter(jurisdiction__in=["48201", "29177"]).update(note=value)
    Agreement.objects.update(state_party=value, federal_party=value, notes=value)
    AgreementStatusChange.objects.update(note=value)
    Event.objects.update(summary=value)


@pytest.mark.parametrize("value", HOSTILE)
def test_no_csv_cell_starts_like_a_formula(client, dataset, value):
    _fill_every_text_field(value)
    for endpoint in CSV_ENDPOINTS:
        rows = _cells(client, endpoint)
        assert rows, endpoint
        seen_hostile = False
        for row in rows:
            for column, cell in row.items():
                assert not cell.startswith(FORMULA_STARTS), (endpoint, column, cell[:40])
                if cell == "'" + value:
                    seen_hostile = True
        # The value is kept, only neutralised: the apostrophe is shown by no spreadsheet. (The states CSV holds
        # no editor-writable text: a state's name is a reference field only superusers change.)
        assert seen_hostile or endpoint == "states", endpoint


def test_numbers_and_dates_stay_numbers_and_dates(client, dataset):
    _fill_every_text_field(HOSTILE[0])
    harris = next(row for row in _cells(client, "jurisdictions") if row["fips"] == "48201")
    assert harris["fips"] == "48201" and harris["activated_on"] == "2008-10-27"
    texas = next(row for row in _cells(client, "states") if row["postal"] == "TX")
    assert texas["total_jurisdictions"] == "254" and texas["fips"] == "48"
    assert csv_cell(-3) == "-3" and csv_cell(2.5) == "2.5" and csv_cell(True) == "true" and csv_cell(None) == ""


@pytest.mark.parametrize(
    "accept, wanted",
    [
        ("text/csv, application/json;q=0", "text/csv"),
        ("application/json;q=0, text/csv", "text/csv"),
        ("text/csv;q=0.4, application/json;q=0.9", "application/json"),
        ("application/x-ndjson", "application/x-ndjson"),
        ("*/*", "application/json"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "application/json"),
    ],
)
def test_the_api_honours_quality_values_in_accept(client, dataset, accept, wanted):
    response = client.get(API + "jurisdictions/?state=RI", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == wanted


def test_a_format_the_client_refuses_everywhere_is_a_406(client, dataset):
    assert client.get(API + "stats/", HTTP_ACCEPT="text/csv, application/json;q=0").status_code == 406


def test_a_type_refused_with_q_0_is_never_given_even_under_a_wildcard(client, dataset):
    response = client.get(API + "jurisdictions/?state=RI", HTTP_ACCEPT="*/*, application/json;q=0")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_a_named_type_keeps_its_parameters(client, dataset):
    response = client.get(API + "stats/?as_of=2011-08-05", HTTP_ACCEPT="application/json; indent=2")
    assert response.content.startswith(b'{\n  "as_of"')

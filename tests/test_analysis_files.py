"""The files for analysis (xlsx, SQLite with Datasette's metadata, datapackage.json), of any day and in every
release, each opened by its own library, with the rows of the CSV of the same day."""

import csv
import datetime
import io
import json
import re
import sqlite3

import openpyxl
import pytest

from jurisdictions.models import StatusChange
from releases.models import Release, ReleaseFile
from releases.services import release_publish

pytestmark = pytest.mark.django_db
DAYS = ["2009-06-30", "2011-08-05", "2013-01-22"]
TABLES = ["states", "sources", "jurisdictions", "events", "agreements"]
CSV_QUERY = {"jurisdictions": "&include=successors"}


@pytest.fixture(autouse=True)
def _no_limits(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "bulk": None}}


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _csv(client, table: str, query: str) -> list[list[str]]:
    response = client.get(f"/api/v1/{table}/?format=csv{CSV_QUERY.get(table, '')}{query}")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))


def _download(client, name: str, query: str) -> bytes:
    response = client.get(f"/downloads/{name}?{query.lstrip('&')}")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"].startswith("attachment")
    return response.content


def _sqlite(body: bytes, tmp_path) -> sqlite3.Connection:
    path = tmp_path / "scomm.sqlite"
    path.write_bytes(body)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def _check_agrees_with_csv(client, query: str, xlsx: bytes, database: sqlite3.Connection) -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True)
    assert book.sheetnames[:2] == ["about", "columns"]
    described = {(row[0], row[1]) for row in book["columns"].iter_rows(min_row=2, values_only=True)}
    for table in TABLES:
        rows = _csv(client, table, query)
        sheet = list(book[table].iter_rows(values_only=True))
        # Same columns, same rows, in the same order, as the CSV of that day.
        assert list(sheet[0]) == rows[0], table
        assert len(sheet) == len(rows), table
        assert [str(row[0]) for row in sheet[1:]] == [row[0] for row in rows[1:]], table
        assert all((table, column) in described for column in rows[0]), table
        (count,) = database.execute(f'SELECT count(*) FROM "{table}"').fetchone()
        assert count == len(rows) - 1, table
    # Typed, not text: a date is a date, a count a number.
    header, *units = list(book["jurisdictions"].iter_rows(values_only=True))
    harris = dict(zip(header, next(row for row in units if row[0] == "48201"), strict=True))
    assert isinstance(harris["in_dataset"], bool) and harris["state"] == "TX"


def _statuses(client, query: str) -> dict[str, int]:
    rows = _csv(client, "jurisdictions", query)
    at = rows[0].index("status")
    counted = rows[0].index("in_dataset")
    found: dict[str, int] = {}
    for row in rows[1:]:
        if row[counted] == "true":
            found[row[at]] = found.get(row[at], 0) + 1
    return found


@pytest.mark.parametrize("day", DAYS)
def test_the_files_of_a_day_open_in_their_libraries_and_agree_with_the_csv(client, dataset, tmp_path, day):
    query = f"&as_of={day}"
    xlsx = _download(client, "scomm.xlsx", query)
    database = _sqlite(_download(client, "scomm.sqlite", query), tmp_path)
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []
    assert database.execute("PRAGMA foreign_keys").fetchone() == (1,)
    _check_agrees_with_csv(client, query, xlsx, database)
    by_status = dict(
        database.execute("SELECT status, count(*) FROM jurisdictions WHERE in_dataset = 1 GROUP BY status").fetchall()
    )
    assert by_status == _statuses(client, query)
    stats = client.get(f"/api/v1/stats/?as_of={day}").json()
    assert by_status.get("activated", 0) == stats["activated_jurisdictions"]
    # The histories hold only what had happened by the day, and join to the units and sources.
    (latest,) = database.execute("SELECT max(date) FROM jurisdiction_history").fetchone()
    assert latest <= day
    (joined,) = database.execute(
        "SELECT count(*) FROM jurisdiction_history h JOIN jurisdictions j USING (fips) "
        "JOIN sources s ON s.id = h.source_id"
    ).fetchone()
    assert joined == database.execute("SELECT count(*) FROM jurisdiction_history").fetchone()[0] > 0


def test_the_database_refuses_a_row_that_points_nowhere(client, dataset, tmp_path):
    database = _sqlite(_download(client, "scomm.sqlite", "as_of=2011-08-05"), tmp_path)
    with pytest.raises(sqlite3.IntegrityError):
        with database:
            database.execute("INSERT INTO jurisdiction_history (id, fips, source_id) VALUES (-1, '99999', 1)")


def test_datasette_metadata_describes_every_table_and_column(client, dataset, tmp_path):
    database = _sqlite(_download(client, "scomm.sqlite", ""), tmp_path)
    metadata = json.loads(_download(client, "metadata.json", ""))
    # Under the file's name as published and as a browser saves it (Datasette names a database for its file).
    response = client.get("/downloads/scomm.sqlite")
    saved = re.search(r'filename="([^"]+)\.sqlite"', response["Content-Disposition"]).group(1)
    assert saved.startswith("scomm-as-of-")
    assert set(metadata["databases"]) == {"scomm", saved}
    described = metadata["databases"]["scomm"]["tables"]
    names = [row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert sorted(described) == sorted(names)
    for name in names:
        columns = [row[1] for row in database.execute(f'PRAGMA table_info("{name}")')]
        assert sorted(described[name]["columns"]) == sorted(columns), name
        assert all(text.strip() for text in described[name]["columns"].values()), name
    assert metadata["license_url"] == "https://creativecommons.org/licenses/by/4.0/"


def test_an_edit_shows_in_the_next_download(client, dataset, tmp_path):
    before = _sqlite(_download(client, "scomm.sqlite", "as_of=2013-01-22"), tmp_path)
    assert before.execute("SELECT activated_on FROM jurisdictions WHERE fips = '48201'").fetchone() == ("2008-10-27",)
    before.close()
    StatusChange.objects.filter(jurisdiction="48201").update(effective_on=datetime.date(2008, 10, 28))
    from common import reading

    reading.bump_version(datetime.datetime.now(datetime.UTC))
    after = _sqlite(_download(client, "scomm.sqlite", "as_of=2013-01-22"), tmp_path)
    assert after.execute("SELECT activated_on FROM jurisdictions WHERE fips = '48201'").fetchone() == ("2008-10-28",)


def test_an_unknown_file_is_a_404_and_a_bad_day_a_400(client, dataset):
    assert client.get("/downloads/scomm.exe").status_code == 404
    assert client.get("/downloads/scomm.xlsx?as_of=2011-8-5").status_code == 400
    assert client.get("/downloads/scomm.xlsx?release=r999").status_code == 404


# --- releases -------------------------------------------------------------------------------------------------


def _stored(number: int) -> dict[str, bytes]:
    return {
        file.name: bytes(file.content)
        for file in ReleaseFile.objects.filter(release__number=number).only("name", "content")
    }


def test_every_release_holds_the_files_and_they_agree_with_its_csv(client, dataset, tmp_path):
    StatusChange.objects.filter(jurisdiction="48201").update(note='=HYPERLINK("http://evil.example/")')
    release = release_publish(note="With the analysis files")
    stored = _stored(release.number)
    manifest = release.manifest["files"]
    for name in ("scomm.xlsx", "scomm.sqlite", "metadata.json", "datapackage.json"):
        assert name in manifest and len(stored[name]) == manifest[name]["size"]
    database = _sqlite(stored["scomm.sqlite"], tmp_path)
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []
    saved_as = f"scomm-{release.public_id}-scomm"
    assert set(json.loads(stored["metadata.json"])["databases"]) == {"scomm", saved_as}
    assert (
        f'filename="{saved_as}.sqlite"'
        in client.get(f"/releases/{release.public_id}/scomm.sqlite")["Content-Disposition"]
    )
    query = f"&release={release.public_id}"
    _check_agrees_with_csv(client, query, stored["scomm.xlsx"], database)
    # The release's own jurisdictions.csv is the counted units: the rows with in_dataset true.
    counted = list(csv.reader(io.StringIO(stored["jurisdictions.csv"].decode("utf-8-sig"))))
    (rows,) = database.execute("SELECT count(*) FROM jurisdictions WHERE in_dataset = 1").fetchone()
    assert rows == len(counted) - 1 == 3143
    # Editors' text is text in the workbook, never a formula.
    book = openpyxl.load_workbook(io.BytesIO(stored["scomm.xlsx"]))
    notes = [cell for row in book["jurisdiction_history"].iter_rows() for cell in row if cell.column == 7]
    hostile = [cell for cell in notes if str(cell.value).startswith("=HYPERLINK")]
    assert hostile and all(cell.data_type == "s" for cell in hostile)
    # The same files at the release's permanent addresses, and for the live download of that release.
    response = client.get(f"/releases/{release.public_id}/scomm.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(response.streaming_content) == stored["scomm.xlsx"]


# --- datapackage.json: a schema check (the Frictionless validator is not installable here) -----------------------

NAME = re.compile(r"^[a-z0-9._/-]+$")
FIELD_TYPES = {"string", "integer", "boolean", "date", "number"}


def _valid_value(text: str, kind: str) -> bool:
    if text == "":
        return True
    if kind == "integer":
        return re.fullmatch(r"-?[0-9]+", text) is not None
    if kind == "boolean":
        return text in ("true", "false")
    if kind == "date":
        try:
            datetime.date.fromisoformat(text)
        except ValueError:
            return False
        return len(text) == 10
    return True


def _check_package(package: dict, read) -> None:
    """Data Package v1 rules: name, licences, unique resource names, a path each, sha256 hashes that match, and
    for each tabular resource a Table Schema that its CSV meets (header, types, keys, foreign keys)."""
    assert NAME.match(package["name"]) and package["licenses"][0]["path"]
    names = [resource["name"] for resource in package["resources"]]
    assert len(names) == len(set(names)) and all(NAME.match(name) for name in names)
    tables = {}
    for resource in package["resources"]:
        assert resource["path"] and resource["format"] and resource["mediatype"]
        body = read(resource["path"])
        if "hash" in resource:
            import hashlib

            assert resource["hash"] == "sha256:" + hashlib.sha256(body).hexdigest(), resource["name"]
            assert resource["bytes"] == len(body)
        if resource["profile"] != "tabular-data-resource":
            continue
        schema = resource["schema"]
        fields = schema["fields"]
        assert all(field["type"] in FIELD_TYPES and field["description"] for field in fields), resource["name"]
        rows = list(csv.reader(io.StringIO(body.decode(resource["encoding"]))))
        assert rows[0] == [field["name"] for field in fields], resource["name"]
        for row in rows[1:]:
            for text, field in zip(row, fields, strict=True):
                assert _valid_value(text, field["type"]), (resource["name"], field["name"], text)
        key = [rows[0].index(name) for name in schema["primaryKey"]]
        keys = [tuple(row[i] for i in key) for row in rows[1:]]
        assert len(keys) == len(set(keys)), resource["name"]
        tables[resource["name"].removesuffix("-csv")] = (rows, schema)
    for name, (rows, schema) in tables.items():
        for foreign in schema.get("foreignKeys", []):
            other_rows, _ = tables[foreign["reference"]["resource"]]
            wanted = other_rows[0].index(foreign["reference"]["fields"])
            present = {row[wanted] for row in other_rows[1:]}
            at = rows[0].index(foreign["fields"])
            assert all(row[at] in present for row in rows[1:] if row[at]), (name, foreign)
    xlsx = next(resource for resource in package["resources"] if resource["format"] == "xlsx")
    assert {table["name"] for table in xlsx["tables"]} >= set(TABLES) | {"jurisdiction_history"}


def test_a_releases_datapackage_describes_every_file_and_passes_the_schema_check(dataset):
    release = Release.objects.get(number=1)
    stored = _stored(1)
    package = json.loads(stored["datapackage.json"])
    described = {resource["path"] for resource in package["resources"]}
    assert described == set(stored) - {"datapackage.json"}
    assert package["version"] == "r1"
    _check_package(package, lambda path: stored[path])
    assert release.manifest["files"]["datapackage.json"]["sha256"]


def test_a_days_datapackage_points_at_the_addresses_that_answer_it(client, dataset):
    package = json.loads(_download(client, "datapackage.json", "as_of=2011-08-05"))

    def read(address: str) -> bytes:
        response = client.get(address.removeprefix("http://testserver"))
        assert response.status_code == 200, address
        return _body(response)

    assert all("as_of=2011-08-05" in resource["path"] for resource in package["resources"])
    _check_package(package, read)


@pytest.mark.parametrize(
    "prefix, heading", [("", "For spreadsheets, databases and R"), ("/es", "Para hojas de cálculo")]
)
def test_the_downloads_page_offers_the_files_in_both_languages(client, dataset, prefix, heading):
    page = client.get(f"{prefix}/downloads/").content.decode()
    assert heading in page
    for name in ("scomm.xlsx", "scomm.sqlite", "metadata.json", "datapackage.json"):
        assert f'href="/downloads/{name}"' in page, name
    assert "Disallow: /downloads/*." in client.get("/robots.txt").content.decode()


def test_building_the_files_counts_against_the_download_allowance(client, dataset, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "bulk": "1/minute"}}
    assert client.get("/downloads/scomm.xlsx?as_of=2010-01-01").status_code == 200
    # The same day again is kept: no new build, no new count.
    assert client.get("/downloads/scomm.sqlite?as_of=2010-01-01").status_code == 200
    refused = client.get("/downloads/scomm.xlsx?as_of=2010-01-02")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1

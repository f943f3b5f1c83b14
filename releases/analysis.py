"""The files for analysis of one day, current or in a release: an xlsx workbook, a SQLite database with its
Datasette metadata.json, and a Frictionless datapackage.json describing every file.

The tables are the API's own full downloads for that day (the CSV every list gives, with the same columns and
rows), typed from the serializers' fields and described by their help texts, plus the dated histories and the
citation links from the read model, which the CSVs can only join with " | ". So a sheet holds exactly what the
CSV of the same day holds. Written by common/tabular.py.
"""

import csv
import datetime
import io
import json
from typing import NamedTuple
from urllib.parse import urlencode

from django.core.exceptions import DisallowedHost
from django.test import RequestFactory
from django.urls import resolve, reverse
from rest_framework import serializers

from agreements.models import AgreementStatusChange
from common.api.formats import FORMULA_STARTS
from common.dates import today_is
from common.tabular import Column, Table, datasette_metadata, table_schema, to_sqlite, to_xlsx
from jurisdictions.models import StatusChange

XLSX_FILE, SQLITE_FILE, METADATA_FILE, DATAPACKAGE_FILE = (
    "scomm.xlsx",
    "scomm.sqlite",
    "metadata.json",
    "datapackage.json",
)
XLSX_TYPE, SQLITE_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.sqlite3"
LICENCE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0: the tracker's agreements, events, notes and compilation. The "
    "activation dates are Alsan & Yang (2018) and Asad & Baer-Bositis (2025), via Vargas-Núñez et al. (2026, PNAS), "
    "whose package states no licence: cite them.",
}
SOURCES = [
    {
        "title": "Vargas-Núñez et al. (2026), PNAS, replication package (activation dates)",
        "path": "https://github.com/asadlasad/vargasnunezetal_2026_pnas",
    },
    {
        "title": "U.S. Census Bureau cartographic boundaries via us-atlas (county shapes)",
        "path": "https://github.com/topojson/us-atlas",
    },
]


class Listed(NamedTuple):
    """A table that is one of the API's lists: its CSV download, typed."""

    name: str
    url_name: str
    query: dict
    primary_key: tuple
    foreign_keys: tuple
    description: str


# Parents before children: the SQLite database is written in this order.
LISTED = [
    Listed(
        "states", "api:state-list", {}, ("postal",), (), "The 50 states and DC, with their counted units on the day."
    ),
    Listed("sources", "api:source-list", {}, ("id",), (), "Every source a fact cites."),
    Listed(
        "jurisdictions",
        "api:jurisdiction-list",
        {"include": "successors"},
        ("fips",),
        (("state", "states", "postal"), ("status_from", "jurisdictions", "fips")),
        "Every county or county-equivalent with its status on the day: the 3,143 counted units of 2008-2013 "
        "(in_dataset true) and the units on today's map that show the status of a unit they replaced (false).",
    ),
    Listed(
        "events",
        "api:event-list",
        {},
        ("id",),
        (("state", "states", "postal"),),
        "Dated, sourced state and program events.",
    ),
    Listed(
        "agreements",
        "api:agreement-list",
        {},
        ("id",),
        (("state", "states", "postal"),),
        "State memoranda of agreement with ICE (and refusals), with their standing on the day.",
    ),
]

# Columns whose serializer field has no help text, and columns whose CSV type differs from the field's.
DESCRIPTIONS = {
    "name": "Name as the Census spells it (a state's or a unit's).",
    "state_name": "The state's name.",
    "fips": "FIPS code: five digits for a county, two for a state. Keep the leading zeros.",
    "publisher": "Who published the source.",
    "note": "What the source says, and its limits.",
    "notes": "What a reader should know about the agreement.",
    "kind": "What sort of record it is (for a unit: county, parish, borough, city, ...; for an event: its kind).",
    "state_party": "The state body that signed the agreement.",
    "federal_party": "The federal party (ICE).",
    "signed_precision": "day or month: how precisely the signing date is known.",
    "precision": "day or month: how precisely the date is known.",
    "status_since": "The date the status on the day took effect (YYYY-MM-DD, or YYYY-MM for a month).",
    "summary": "What happened, as its sources describe it.",
    "url": "This record in the API.",
    "html_url": "Its page on the site.",
    "program_status": "The program's nationwide state on the day (running, discontinued, reinstated).",
    "earlier_reports": "Dates other sources gave before an edit replaced them, each with the source's address.",
    "sources": "The addresses of its sources, joined with ' | '.",
    "replaced_by": "FIPS of the units that replaced it, joined with ' | '.",
    "status_counts": "Counted units per status.",
    "id": "The record's id (stable: other tables point at it).",
    "published_on": "When the source was published; empty when unknown.",
    "key": "Short stable id the data files use, or empty.",
}
# Agreements' dates may be a month only (YYYY-MM): text, never padded to a day.
STRING_COLUMNS = {("agreements", "status_since")}


def _type(field) -> str:
    if isinstance(field, serializers.BooleanField):
        return "boolean"
    if isinstance(field, serializers.IntegerField):
        return "integer"
    if isinstance(field, serializers.DateField):
        return "date"
    return "string"


def _cell(text: str, kind: str):
    """A CSV cell as a typed value (the CSV's formula guard undone: text is text in a workbook or database)."""
    if text == "":
        return None
    if kind == "boolean":
        return text == "true"
    if kind == "integer":
        return int(text)
    if kind == "date":
        return datetime.date.fromisoformat(text)
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


class Caller:
    """Runs the API's list views for one snapshot (a release's or the current data), as a reader's request would
    ask them, on the site's address `host`."""

    def __init__(self, choice, *, host: str, secure: bool, query: dict):
        self.choice, self.host, self.secure, self.query = choice, host, secure, query
        self.factory = RequestFactory()
        try:
            self.factory.get("/", HTTP_HOST=host).get_host()
        except DisallowedHost:
            raise ValueError(f"{host} is not among ALLOWED_HOSTS") from None

    @property
    def site(self) -> str:
        return f"{'https' if self.secure else 'http'}://{self.host}"

    def path(self, url_name: str, query: dict) -> str:
        return f"{reverse(url_name)}?{urlencode({**query, **self.query})}"

    def path_of(self, name: str) -> str:
        """The address of an analysis file of this day (tracker/analysis.py answers it)."""
        query = urlencode(self.query)
        return reverse("analysis_file", args=[name]) + (f"?{query}" if query else "")

    def get(self, url_name: str, query: dict):
        """The response (a 200, or whatever the view answered)."""
        path = reverse(url_name)
        request = self.factory.get(path, {**query, **self.query}, HTTP_HOST=self.host, secure=self.secure)
        request.release_choice = self.choice
        match = resolve(path)
        # No throttling: the reader's own request was counted once.
        view = match.func.cls.as_view(match.func.actions, throttle_classes=[], **match.func.initkwargs)
        return view(request, *match.args, **match.kwargs)

    def body(self, url_name: str, query: dict) -> bytes:
        response = self.get(url_name, query)
        if response.status_code != 200:
            raise ValueError(f"{url_name} answered {response.status_code}")
        return b"".join(response.streaming_content) if response.streaming else response.content


def _listed_table(caller: Caller, listed: Listed) -> Table:
    text = caller.body(listed.url_name, {"format": "csv", **listed.query}).decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    fields = resolve(reverse(listed.url_name)).func.cls.serializer_class().fields
    columns = []
    for name in header:
        field = fields.get(name)
        kind = "string" if field is None or (listed.name, name) in STRING_COLUMNS else _type(field)
        description = DESCRIPTIONS.get(name) if (listed.name, name) in STRING_COLUMNS else None
        description = description or (str(field.help_text) if field is not None and field.help_text else "")
        columns.append(Column(name, kind, description or DESCRIPTIONS[name]))
    kinds = [column.type for column in columns]
    rows = [tuple(_cell(text, kind) for text, kind in zip(row, kinds, strict=True)) for row in reader]
    return Table(listed.name, listed.description, columns, rows, listed.primary_key, listed.foreign_keys)


def _help(model, name: str) -> str:
    return str(model._meta.get_field(name).help_text)


def _history_tables(snapshot, day: datetime.date, listed: dict[str, Table]) -> list[Table]:
    """The dated histories up to `day` and the citation links, from the read model, for the rows listed."""
    units = {row[0] for row in listed["jurisdictions"].rows}
    agreement_ids = {row[0] for row in listed["agreements"].rows}
    event_ids = {row[0] for row in listed["events"].rows}
    changes = []
    for fips in sorted(units):
        unit = snapshot.units[fips]
        if unit.status_from_id:
            continue  # its history is its status_from unit's, listed there
        for change in snapshot.timelines[fips]:
            if change.effective_on <= day:
                changes.append(
                    (
                        change.pk,
                        fips,
                        change.effective_on,
                        change.status,
                        change.confidence,
                        change.alternative_date,
                        change.note,
                        change.source_id,
                    )
                )
    agreement_changes, agreement_sources = [], []
    for agreement in snapshot.agreements:
        if agreement.pk not in agreement_ids:
            continue
        for change in agreement.timeline:
            if change.effective_on <= day:
                agreement_changes.append(
                    (
                        change.pk,
                        agreement.pk,
                        change.effective_iso,
                        change.precision,
                        change.status,
                        change.note,
                        change.event_id,
                        change.source_id,
                    )
                )
        agreement_sources += [(agreement.pk, source.pk) for source in agreement.sources.all()]
    event_sources = [
        (event.pk, source.pk) for event in snapshot.events if event.pk in event_ids for source in event.sources.all()
    ]
    source = ("source_id", "sources", "id")
    return [
        Table(
            "jurisdiction_history",
            "Each unit's dated status changes up to the day, oldest first, each with its source (units that show "
            "another unit's status have none of their own: see jurisdictions.status_from).",
            [
                Column("id", "integer", "The change's id."),
                Column("fips", "string", _help(StatusChange, "jurisdiction")),
                Column("date", "date", _help(StatusChange, "effective_on")),
                Column("status", "string", _help(StatusChange, "status")),
                Column("confidence", "string", _help(StatusChange, "confidence")),
                Column("alternative_date", "date", _help(StatusChange, "alternative_date")),
                Column("note", "string", _help(StatusChange, "note")),
                Column("source_id", "integer", _help(StatusChange, "source")),
            ],
            sorted(changes, key=lambda row: (row[1], row[2], row[0])),
            ("id",),
            (("fips", "jurisdictions", "fips"), source),
        ),
        Table(
            "agreement_history",
            "Each agreement's dated changes of standing up to the day, each with its source.",
            [
                Column("id", "integer", "The change's id."),
                Column("agreement_id", "integer", _help(AgreementStatusChange, "agreement")),
                Column("date", "string", "YYYY-MM-DD, or YYYY-MM when only the month is known."),
                Column("precision", "string", _help(AgreementStatusChange, "precision")),
                Column("status", "string", _help(AgreementStatusChange, "status")),
                Column("note", "string", _help(AgreementStatusChange, "note")),
                Column("event_id", "integer", _help(AgreementStatusChange, "event")),
                Column("source_id", "integer", _help(AgreementStatusChange, "source")),
            ],
            agreement_changes,
            ("id",),
            (("agreement_id", "agreements", "id"), ("event_id", "events", "id"), source),
        ),
        Table(
            "agreement_sources",
            "The sources each agreement cites.",
            [Column("agreement_id", "integer", "The agreement."), Column("source_id", "integer", "A source it cites.")],
            sorted(agreement_sources),
            ("agreement_id", "source_id"),
            (("agreement_id", "agreements", "id"), source),
        ),
        Table(
            "event_sources",
            "The sources each event cites.",
            [Column("event_id", "integer", "The event."), Column("source_id", "integer", "A source it cites.")],
            sorted(event_sources),
            ("event_id", "source_id"),
            (("event_id", "events", "id"), source),
        ),
    ]


class Built(NamedTuple):
    tables: list
    files: dict  # name -> bytes: the workbook, the database and its metadata.json


def saved_name(name: str, day: datetime.date, release) -> str:
    """The name a browser saves an analysis file of a day under (its Content-Disposition), e.g.
    scomm-r2-as-of-2011-08-05.sqlite."""
    stem, extension = name.rsplit(".", 1)
    return f"{stem}{f'-{release.public_id}' if release else ''}-as-of-{day.isoformat()}.{extension}"


def build(caller: Caller, day: datetime.date, *, label: str, site: str, saved_as: str) -> Built:
    """The tables of `day` from `caller`'s snapshot and their files. `label` says which data they are, e.g.
    "release r2, as of 2011-08-05" or "as of 2011-08-05"."""
    with today_is(day):
        listed = {listed.name: _listed_table(caller, listed) for listed in LISTED}
    tables = list(listed.values()) + _history_tables(caller.choice.snapshot, day, listed)
    title = f"Secure Communities tracker, {label}"
    about = [
        ("title", title),
        ("as_of", day.isoformat()),
        ("site", f"{site}/downloads/"),
        ("licence", LICENCE["title"]),
        ("how to read", "The sheet 'columns' describes every column; empty cells are unknown or not applicable."),
    ]
    metadata = datasette_metadata(
        tables,
        databases=[SQLITE_FILE.rsplit(".", 1)[0], saved_as.rsplit(".", 1)[0]],
        about={
            "title": title,
            "description": f"Every table of the tracker as of {day.isoformat()}; see {site}/downloads/.",
            "license": "CC BY 4.0 (the tracker's compilation); cite the sources of the activation dates",
            "license_url": LICENCE["path"],
            "source": "Secure Communities tracker",
            "source_url": f"{site}/downloads/",
        },
    )
    files = {
        XLSX_FILE: to_xlsx(tables, about=about),
        SQLITE_FILE: to_sqlite(tables),
        METADATA_FILE: _json(metadata),
    }
    return Built(tables, files)


def _json(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1) + "\n").encode()


def _tables_of(tables) -> list[dict]:
    return [{"name": t.name, "description": t.description, "schema": table_schema(t)} for t in tables]


def datapackage(
    built: Built, *, name: str, title: str, site: str, files: dict[str, dict], version: str | None = None
) -> bytes:
    """datapackage.json (Frictionless Data Package): `files` maps each file's path (a name in a release, or an
    address) to what is known of it: kind ("csv" with its table's name, or another format), bytes and sha256."""
    by_name = {table.name: table for table in built.tables}
    resources = []
    for path, about in files.items():
        resource = {
            "name": about["name"],
            "path": path,
            "format": about["format"],
            "mediatype": about["mediatype"],
        }
        if "table" in about:
            table = by_name[about["table"]]
            resource |= {
                "profile": "tabular-data-resource",
                "description": about.get("description", table.description),
                "encoding": "utf-8-sig",
                "schema": table_schema(table),
            }
        else:
            resource |= {"profile": "data-resource", "description": about["description"]}
        if about.get("tables"):
            resource["tables"] = _tables_of(built.tables)
        if "sha256" in about:
            resource |= {"bytes": about["bytes"], "hash": f"sha256:{about['sha256']}"}
        resources.append(resource)
    package = {
        "profile": "data-package",
        "name": name,
        "title": title,
        "homepage": f"{site}/downloads/",
        "licenses": [LICENCE],
        "sources": SOURCES,
        "resources": resources,
    }
    if version:
        package["version"] = version
    return _json(package)


# What each file is, for datapackage.json: (format, media type, description).
ABOUT_FILES = {
    "jurisdictions.csv": (
        "csv",
        "text/csv",
        "The counted units of 2008-2013 (the API's default list) with their status.",
    ),
    "states.csv": ("csv", "text/csv", None),
    "agreements.csv": ("csv", "text/csv", None),
    "events.csv": ("csv", "text/csv", None),
    "sources.csv": ("csv", "text/csv", None),
    "jurisdictions.ndjson": (
        "ndjson",
        "application/x-ndjson",
        "The counted units, one JSON object a line, with each unit's full dated history and sources.",
    ),
    "jurisdictions.geojson": (
        "geojson",
        "application/geo+json",
        "A FeatureCollection (RFC 7946, WGS84) of the units on today's county map with their status; the counted "
        "units without a shape are listed in its without_shape member.",
    ),
    XLSX_FILE: ("xlsx", XLSX_TYPE, "Every table below as a sheet, with a sheet describing the columns."),
    SQLITE_FILE: ("sqlite", SQLITE_TYPE, "Every table below in one SQLite database, foreign keys declared."),
    METADATA_FILE: (
        "json",
        "application/json",
        "Datasette's metadata for scomm.sqlite: titles, licence, descriptions.",
    ),
    "data.json": ("json", "application/json", "The release's data as the tracker stores it (its read model's rows)."),
    "changelog.json": ("json", "application/json", "What changed since the previous release."),
    "manifest.json": ("json", "application/json", "The release's manifest: every file's size and SHA-256."),
}


def _entries(names_and_paths, sizes: dict | None = None) -> dict[str, dict]:
    entries = {}
    for name, path in names_and_paths:
        fmt, mediatype, description = ABOUT_FILES[name]
        entry = {"name": name.replace(".", "-"), "format": fmt, "mediatype": mediatype}
        if fmt == "csv":
            entry["table"] = name.removesuffix(".csv")
        if description:
            entry["description"] = description
        if name in (XLSX_FILE, SQLITE_FILE):
            entry["tables"] = True
        if sizes and name in sizes:
            entry |= sizes[name]
        entries[path] = entry
    return entries


def release_files(caller: Caller, *, files: dict[str, bytes], hashes) -> dict[str, bytes]:
    """The analysis files of a release (`caller`: on its frozen snapshot) and its datapackage.json, which
    describes every file of the release, `files` and these (each with its size and SHA-256 from `hashes`), and
    the manifest (without a hash: the manifest lists this file's)."""
    pin, site = caller.choice.release, caller.site
    # releases/views.py saves a release's file as scomm-r2-<name>.
    label = f"release {pin.public_id} ({pin.day.isoformat()})"
    built = build(caller, pin.day, label=label, site=site, saved_as=f"scomm-{pin.public_id}-{SQLITE_FILE}")
    made = {**files, **built.files}
    sizes = {name: {"bytes": len(body), "sha256": hashes(body)} for name, body in made.items()}
    names = [name for name in ABOUT_FILES if name in made or name == "manifest.json"]
    package = datapackage(
        built,
        name=f"scomm-tracker-{pin.public_id}",
        title=f"Secure Communities tracker, release {pin.public_id}",
        site=site,
        files=_entries(((name, name) for name in names), sizes),
        version=pin.public_id,
    )
    return {**built.files, DATAPACKAGE_FILE: package}


def live_files(caller: Caller, day: datetime.date) -> dict[str, bytes]:
    """The analysis files of `day` from `caller`'s snapshot (the current data or a release; its query is the
    reader's as_of and release, as given), and a datapackage.json whose resources are the addresses that answer
    each file for that day."""
    choice, site = caller.choice, caller.site
    label = f"as of {day.isoformat()}" + (f", release {choice.release.public_id}" if choice.release else "")
    built = build(caller, day, label=label, site=site, saved_as=saved_name(SQLITE_FILE, day, choice.release))
    paths = []
    for listed in LISTED:
        paths.append((f"{listed.name}.csv", site + caller.path(listed.url_name, {"format": "csv", **listed.query})))
    paths.append(("jurisdictions.ndjson", site + caller.path("api:jurisdiction-list", {"format": "ndjson"})))
    paths.append(("jurisdictions.geojson", site + caller.path("api:jurisdiction-list", {"format": "geojson"})))
    for name in (XLSX_FILE, SQLITE_FILE, METADATA_FILE):
        paths.append((name, site + caller.path_of(name)))
    entries = _entries(paths)
    # The jurisdictions of these files include the later map units (include=successors), as the sheet does.
    entries[paths[2][1]]["description"] = LISTED[2].description
    package = datapackage(
        built,
        name=f"scomm-tracker-as-of-{day.isoformat()}" + (f"-{choice.release.public_id}" if choice.release else ""),
        title=f"Secure Communities tracker, {label}",
        site=site,
        files=entries,
    )
    return {**built.files, DATAPACKAGE_FILE: package}

"""The Frictionless datapackage.json that describes the analysis files (releases/analysis.py), of a release or
of a day: the files' names and media types, the licence and sources, and each file's entry (`datapackage`,
`file_entries`). Apart from building the tables because it only describes files already made."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from common.tabular import table_schema

if TYPE_CHECKING:
    from releases.analysis import Built

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


def json_bytes(value) -> bytes:
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
    return json_bytes(package)


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


def file_entries(names_and_paths, sizes: dict | None = None) -> dict[str, dict]:
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

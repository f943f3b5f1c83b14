"""The files for analysis of one day, current or in a release: an xlsx workbook, a SQLite database with its
Datasette metadata.json, and a Frictionless datapackage.json describing every file.

The tables are the API's own full downloads for that day (the CSV every list gives, with the same columns and
rows), typed from the serializers' fields and described by their help texts, plus the dated histories and the
citation links from the read model, which the CSVs can only join with " | ". So a sheet holds exactly what the
CSV of the same day holds (the tables: releases/analysis_tables.py). Written by common/tabular.py, described by
datapackage.json (releases/analysis_package.py).
"""

import datetime
from typing import NamedTuple
from urllib.parse import urlencode

from django.core.exceptions import DisallowedHost
from django.test import RequestFactory
from django.urls import resolve, reverse

from common.dates import today_is
from common.tabular import datasette_metadata, to_sqlite, to_xlsx
from releases.analysis_package import (
    ABOUT_FILES,
    DATAPACKAGE_FILE,
    LICENCE,
    METADATA_FILE,
    SQLITE_FILE,
    XLSX_FILE,
    datapackage,
    file_entries,
    json_bytes,
)
from releases.analysis_tables import LISTED, history_tables, listed_table


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
        listed = {listed.name: listed_table(caller, listed) for listed in LISTED}
    tables = list(listed.values()) + history_tables(caller.choice.snapshot, day, listed)
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
        METADATA_FILE: json_bytes(metadata),
    }
    return Built(tables, files)


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
        files=file_entries(((name, name) for name in names), sizes),
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
    entries = file_entries(paths)
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

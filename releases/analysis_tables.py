"""The tables of the analysis files of one day (releases/analysis.py): the API's full CSV downloads of that day,
typed from the serializers' fields and described by their help texts (`listed_table`), plus the dated histories
and the citation links from the read model, which the CSVs can only join with " | " (`history_tables`)."""

from __future__ import annotations

import csv
import datetime
import io
from typing import TYPE_CHECKING, NamedTuple

from django.urls import resolve, reverse
from rest_framework import serializers

from agreements.models import AgreementStatusChange
from common.api.formats import FORMULA_STARTS
from common.tabular import Column, Table
from jurisdictions.models import StatusChange

if TYPE_CHECKING:
    from releases.analysis import Caller


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


def listed_table(caller: Caller, listed: Listed) -> Table:
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


def history_tables(snapshot, day: datetime.date, listed: dict[str, Table]) -> list[Table]:
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

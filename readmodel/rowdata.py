"""The rows a snapshot is built from, in the form a release freezes as its data.json: read from the database
(`read_rows`), written and read back as bytes (`encode_rows`, `decode_rows`), with the earlier reports that the
edit history of dated changes keeps (`walk_versions`, `replaced_reports`). The Snapshot itself is built from
such rows by readmodel/snapshot.py; this module holds the form, which releases store and compare.
"""

import datetime
import json

from agreements.models import Agreement, AgreementStatusChange, Event
from jurisdictions.models import Jurisdiction, Source, SourceDocument, State, StatusChange

# The rows a snapshot is built from: read from the database, or from a release's frozen data.json.
#
# One read model, two sources: `read_rows()` reads every public row from the database into plain lists (the form
# a release stores as data.json, see releases/), and `from_rows()` (readmodel/snapshot.py) builds the Snapshot
# from such rows, whichever source they came from. The form, documented for readers of a release:
#   {"format": 1,
#    "<table>": {"columns": [field names], "rows": [[values], ...]}   for each of TABLES, in primary-key order,
#    "<link>": [[from id, to id], ...]                                 for each of LINKS,
#    "earlier_reports": [[status change id, earlier date, source id, replaced at], ...]}
# Dates are YYYY-MM-DD, times ISO 8601 with their offset, text as it is.

ROWS_FORMAT = 1
TABLES = {
    "states": State,
    "sources": Source,
    "jurisdictions": Jurisdiction,
    "status_changes": StatusChange,
    "agreements": Agreement,
    "agreement_status_changes": AgreementStatusChange,
    "events": Event,
}
LINKS = {
    "successors": (Jurisdiction.replaced_by.through, "from_jurisdiction_id", "to_jurisdiction_id"),
    "agreement_sources": (Agreement.sources.through, "agreement_id", "source_id"),
    "event_sources": (Event.sources.through, "event_id", "source_id"),
}

# The edit history's reason for an import's undo names the import's own reason (jurisdictions/services.py).
UNDO_PREFIX = "Undo of "


def _columns(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def read_rows() -> dict:
    """Every public row, from the database, in a fixed number of queries (one per table and link, one for the
    edit history of dated changes)."""
    rows: dict = {"format": ROWS_FORMAT}
    for name, model in TABLES.items():
        columns = _columns(model)
        rows[name] = {
            "columns": columns,
            "rows": [list(row) for row in model.objects.order_by("pk").values_list(*columns)],
        }
    for name, (through, left, right) in LINKS.items():
        rows[name] = [list(pair) for pair in through.objects.order_by(left, right).values_list(left, right)]
    rows["earlier_reports"] = _earlier_reports(rows)
    rows["documents"] = [
        [source_id, sha256, media_type, size, retrieved_on.isoformat()]
        for source_id, sha256, media_type, size, retrieved_on in SourceDocument.objects.order_by("pk").values_list(
            "source_id", "sha256", "media_type", "size", "retrieved_on"
        )
    ]
    return rows


def _earlier_reports(rows: dict) -> list[list]:
    """The earlier dates every dated change carried, from its edit history in one query: a public page shows a
    replaced, sourced date as an earlier report rather than letting an import erase it from view. An import that
    was undone leaves no earlier report: its undo puts the page back as it was."""
    history = StatusChange.history.order_by("history_id").values_list(
        "id", "effective_on", "source_id", "history_date", "history_type", "history_change_reason", "history_id"
    )
    kept_of = {change_id: kept for change_id, _, kept in walk_versions(history)}
    table = rows["status_changes"]
    pk_at = table["columns"].index("id")
    source_ids = {row[0] for row in rows["sources"]["rows"]}
    reports = []
    for row in table["rows"]:
        for day, source_id, replaced_at in replaced_reports(kept_of.get(row[pk_at], [])):
            if source_id in source_ids:
                reports.append([row[pk_at], day, source_id, replaced_at])
    return reports


def walk_versions(history):
    """Walk the edit history of dated changes, oldest first: rows of (change id, date, source id, time, type,
    reason, history id). Yields, for each row that is not a deletion, (change id, history id, the versions of
    that change that still count after it: (date, source id, time, reason), oldest first). An undo of an import
    drops the versions that import wrote, so an undone import leaves no earlier report."""
    versions: dict[int, list] = {}
    for change_id, effective_on, source_id, history_date, history_type, reason, history_id in history:
        if history_type == "-":
            continue
        kept = versions.setdefault(change_id, [])
        if reason and reason.startswith(UNDO_PREFIX):
            undone = reason.removeprefix(UNDO_PREFIX)
            kept[:] = [version for version in kept if version[3] != undone]
        kept.append((effective_on, source_id, history_date, reason))
        yield change_id, history_id, kept


def replaced_reports(kept: list) -> list[tuple]:
    """The earlier reports of a change from its versions (see `walk_versions`): (date, source id, replaced at) for
    each earlier date that another source gave. A date read again from the source now cited is a correction of
    the tracker's reading, not a second report (the edit history keeps it)."""
    if not kept:
        return []
    day, source = kept[-1][0], kept[-1][1]
    seen, reports = set(), []
    for (earlier, source_id, _, _), (_, _, replaced_at, _) in zip(kept, kept[1:], strict=False):
        if earlier != day and source_id != source and (earlier, source_id) not in seen:
            seen.add((earlier, source_id))
            reports.append((earlier, source_id, replaced_at))
    return reports


def _plain(value):
    if isinstance(value, datetime.date):  # dates and times alike
        return value.isoformat()
    raise TypeError(f"Cannot freeze {type(value).__name__}")


def encode_rows(rows: dict) -> bytes:
    """The rows as the bytes of a release's data.json: UTF-8 JSON, keys sorted, one table a line."""
    lines = [
        f"{json.dumps(name)}:{json.dumps(rows[name], ensure_ascii=False, default=_plain, separators=(',', ':'))}"
        for name in sorted(rows)
    ]
    return ("{\n" + ",\n".join(lines) + "\n}\n").encode()


def decode_rows(data: bytes) -> dict:
    """Rows from a release's data.json, with dates and times as Python values again."""
    rows = json.loads(data)
    for name, model in TABLES.items():
        table = rows[name]
        fields = [model._meta.get_field(column) if _known(model, column) else None for column in table["columns"]]
        parsers = [
            (index, field.to_python)
            for index, field in enumerate(fields)
            if field is not None and field.get_internal_type() in ("DateField", "DateTimeField")
        ]
        if parsers:
            for row in table["rows"]:
                for index, parse in parsers:
                    if row[index] is not None:
                        row[index] = parse(row[index])
    rows["earlier_reports"] = [
        [change_id, datetime.date.fromisoformat(day), source_id, datetime.datetime.fromisoformat(at)]
        for change_id, day, source_id, at in rows["earlier_reports"]
    ]
    return rows


def _known(model, attname: str) -> bool:
    return any(field.attname == attname for field in model._meta.concrete_fields)

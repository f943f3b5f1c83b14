"""What changed between two releases, from their frozen rows (readmodel/rowdata.py's data.json form).

Units whose dated statuses changed (before and after), agreements and events added or changed, sources added.
"""

from readmodel import rowdata

# The fields of a dated status that a reader cites; a change in any of them is a changed unit.
_STATUS_FIELDS = ("status", "effective_on", "confidence", "alternative_date", "source_id")
_AGREEMENT_FIELDS = ("state_id", "state_party", "federal_party", "signed_on", "signed_precision", "notes")
_AGREEMENT_STATUS_FIELDS = ("status", "effective_on", "precision", "source_id")
_EVENT_FIELDS = ("occurred_on", "precision", "state_id", "kind", "summary")


def _records(rows: dict, table: str) -> dict:
    columns = rows[table]["columns"]
    key = columns.index("id") if "id" in columns else 0
    return {row[key]: dict(zip(columns, row, strict=True)) for row in rows[table]["rows"]}


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _picked(record: dict, fields) -> dict:
    return {name: _plain(record.get(name)) for name in fields}


def _grouped(records: dict, owner: str, fields) -> dict:
    by_owner: dict = {}
    for record in sorted(records.values(), key=lambda r: (r["effective_on"], r["id"])):
        by_owner.setdefault(record[owner], []).append(_picked(record, fields))
    return by_owner


def _links(rows: dict, name: str) -> dict:
    by_owner: dict = {}
    for owner, source_id in rows[name]:
        by_owner.setdefault(owner, []).append(source_id)
    return {owner: sorted(ids) for owner, ids in by_owner.items()}


def compute(previous: dict | None, current: dict, *, previous_id: str | None) -> dict:
    """The changelog of `current` against `previous` (both rows as `rowdata.decode_rows` gives them)."""
    empty = {"units_changed": [], "agreements_added": [], "agreements_changed": [], "events_added": []}
    empty |= {"events_changed": [], "sources_added": []}
    if previous is None:
        return {"previous": None, **empty}
    log = {"previous": previous_id, **empty}

    units_before, units_after = _records(previous, "jurisdictions"), _records(current, "jurisdictions")
    unit_key = "fips"
    units_before = {record[unit_key]: record for record in units_before.values()}
    units_after = {record[unit_key]: record for record in units_after.values()}
    history_before = _grouped(_records(previous, "status_changes"), "jurisdiction_id", _STATUS_FIELDS)
    history_after = _grouped(_records(current, "status_changes"), "jurisdiction_id", _STATUS_FIELDS)
    for fips in sorted(set(history_before) | set(history_after)):
        before, after = history_before.get(fips, []), history_after.get(fips, [])
        if before != after:
            unit = units_after.get(fips) or units_before.get(fips) or {}
            log["units_changed"].append(
                {
                    "fips": fips,
                    "name": unit.get("name", ""),
                    "state": unit.get("state_id", ""),
                    "before": before,
                    "after": after,
                }
            )

    agreements_before, agreements_after = _records(previous, "agreements"), _records(current, "agreements")
    changes_before = _grouped(_records(previous, "agreement_status_changes"), "agreement_id", _AGREEMENT_STATUS_FIELDS)
    changes_after = _grouped(_records(current, "agreement_status_changes"), "agreement_id", _AGREEMENT_STATUS_FIELDS)
    cited_before, cited_after = _links(previous, "agreement_sources"), _links(current, "agreement_sources")
    for pk, record in sorted(agreements_after.items()):
        after = {
            **_picked(record, _AGREEMENT_FIELDS),
            "statuses": changes_after.get(pk, []),
            "sources": cited_after.get(pk, []),
        }
        if pk not in agreements_before:
            log["agreements_added"].append({"id": pk, **after})
            continue
        old = agreements_before[pk]
        before = {
            **_picked(old, _AGREEMENT_FIELDS),
            "statuses": changes_before.get(pk, []),
            "sources": cited_before.get(pk, []),
        }
        if before != after:
            changed = sorted(name for name in after if before[name] != after[name])
            log["agreements_changed"].append({"id": pk, "fields": changed, "before": before, "after": after})

    events_before, events_after = _records(previous, "events"), _records(current, "events")
    sourced_before, sourced_after = _links(previous, "event_sources"), _links(current, "event_sources")
    for pk, record in sorted(events_after.items()):
        after = {**_picked(record, _EVENT_FIELDS), "sources": sourced_after.get(pk, [])}
        if pk not in events_before:
            log["events_added"].append({"id": pk, **after})
            continue
        before = {**_picked(events_before[pk], _EVENT_FIELDS), "sources": sourced_before.get(pk, [])}
        if before != after:
            changed = sorted(name for name in after if before[name] != after[name])
            log["events_changed"].append({"id": pk, "fields": changed, "before": before, "after": after})

    sources_before, sources_after = _records(previous, "sources"), _records(current, "sources")
    for pk, record in sorted(sources_after.items()):
        if pk not in sources_before:
            log["sources_added"].append(_picked(record, ("id", "title", "publisher", "url", "published_on")))
    return log


def counts(rows: dict) -> dict:
    """How many rows of each kind a release holds."""
    tables = {name: len(rows[name]["rows"]) for name in rowdata.TABLES}
    columns = rows["jurisdictions"]["columns"]
    counted = columns.index("in_dataset")
    tables["counted_jurisdictions"] = sum(1 for row in rows["jurisdictions"]["rows"] if row[counted])
    return tables

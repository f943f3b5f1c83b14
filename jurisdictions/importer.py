"""Read a published list of activated jurisdictions (CSV) and plan what it would change, writing nothing.

Real files are messy: UTF-8 with or without a byte-order mark or Windows-1252, CRLF line ends, quoted fields,
blank lines, stray spaces, a title line above the header, and dates as 2011-08-05, 8/5/2011 or Aug 5, 2011.
Each row is matched to a jurisdiction by FIPS code or by name within its state by `search.Matcher.resolve`, the
same reading of names as the site's search: "Harris Co. Sheriff's Office", "LaSalle", "Baltimore city". A name
that fits several units ("Richmond" in Virginia: the county and the independent city) is an error row naming
each, never a guess. `plan_import()` returns one entry per row; `jurisdictions/services.py` applies a plan in one
transaction.
"""

import csv
import datetime
import hashlib
import io
import re
from dataclasses import dataclass, field

from django.conf import settings

from common.dates import us_today
from jurisdictions import search
from jurisdictions.models import DATASET_LOAD_REASON, PROGRAM_START, Jurisdiction, State, Status, StatusChange

MAX_BYTES = getattr(settings, "IMPORT_MAX_BYTES", 2 * 1024 * 1024)
ALLOWED_EXTENSIONS = (".csv", ".txt")

# Header names seen in published lists and our own files, compared lower-cased with punctuation as spaces.
COLUMN_ALIASES = {
    "state": {"state", "state postal", "state code", "st", "state name", "state abbreviation", "postal"},
    "name": {
        "jurisdiction",
        "jurisdiction name",
        "county",
        "county name",
        "name",
        "county or equivalent",
        "jurisdictions",
    },
    "fips": {"fips", "county fips", "fips code", "county fips code", "geoid", "fips county code"},
    "date": {
        "activation date",
        "activated",
        "activated on",
        "date activated",
        "activation",
        "date",
        "deployment date",
        "date of activation",
    },
}
DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y", "%d %B %Y"]

NEW, CHANGED, UNCHANGED, DUPLICATE, ERROR = "new", "changed", "unchanged", "duplicate", "error"
# A row that would overwrite (or bring back) an activation an editor or an import changed since the dataset load:
# listed, never applied (a review of the shipped dataset only: ImportBatch.protects_edits).
CONFLICT = "conflict"


class ImportRefused(Exception):
    """The whole file is refused (not a CSV, empty, too large, no usable header); nothing is planned."""


@dataclass
class PlannedRow:
    line: int
    value: str
    action: str
    fips: str = ""
    label: str = ""
    date: str = ""
    current: str = ""
    change_id: int | None = None
    reason: str = ""
    suggestions: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Plan:
    rows: list[PlannedRow]

    @property
    def errors(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.action == ERROR]

    def of(self, action: str) -> list[PlannedRow]:
        return [row for row in self.rows if row.action == action]

    @property
    def counts(self) -> dict[str, int]:
        counts = {action: 0 for action in (NEW, CHANGED, UNCHANGED, DUPLICATE, CONFLICT, ERROR)}
        for row in self.rows:
            counts[row.action] += 1
        counts["rows"] = len(self.rows)
        return counts

    def actions(self) -> list[tuple]:
        """What applying it would write: compared at confirm time to detect a plan gone stale."""
        return [(row.action, row.fips, row.date, row.change_id) for row in self.rows if row.action in (NEW, CHANGED)]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(name: str, data: bytes) -> str:
    """The file's text, or ImportRefused for what is not a CSV we can read."""
    if not name.lower().endswith(ALLOWED_EXTENSIONS):
        raise ImportRefused(f"“{name}” is not a CSV file: upload a .csv file (save a spreadsheet as CSV first).")
    if len(data) > MAX_BYTES:
        raise ImportRefused(
            f"“{name}” is {len(data):,} bytes; the limit is {MAX_BYTES:,}. Split the list into smaller files."
        )
    if not data.strip():
        raise ImportRefused(f"“{name}” is empty.")
    if b"\x00" in data:
        raise ImportRefused(f"“{name}” is not a CSV file: it holds binary data (is it a spreadsheet or a PDF?).")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused(f"“{name}” is not readable text: save it as CSV in UTF-8.")


def _header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _find_columns(cells: list[str]) -> dict[str, int]:
    columns = {}
    for index, cell in enumerate(cells):
        key = _header_key(cell)
        for column, aliases in COLUMN_ALIASES.items():
            if key in aliases and column not in columns:
                columns[column] = index
    return columns


def read_rows(name: str, data: bytes) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """The header's columns and the data rows with their line numbers (blank lines skipped)."""
    text = decode(name, data)
    reader = csv.reader(io.StringIO(text, newline=""))
    columns: dict[str, int] | None = None
    rows = []
    seen_before_header = 0
    try:
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            cells = [cell.strip() for cell in cells]
            if not any(cells):
                continue
            if columns is None:
                found = _find_columns(cells)
                if "date" in found and ("name" in found or "fips" in found):
                    columns = found
                    continue
                seen_before_header += 1
                # A title line or two above the header is common; more means this is not such a list.
                if seen_before_header > 5:
                    break
                continue
            rows.append((line, cells))
    except csv.Error as error:
        raise ImportRefused(f"“{name}” is not a well-formed CSV file (line {reader.line_num}: {error}).") from error
    if columns is None:
        raise ImportRefused(
            f"“{name}” has no header row naming an activation date and a jurisdiction name or FIPS column "
            "(e.g. “State,Jurisdiction,FIPS,Activation Date”)."
        )
    if not rows:
        raise ImportRefused(f"“{name}” is empty: it has a header but no rows.")
    return columns, rows


def parse_date(value: str) -> datetime.date | None:
    text = re.sub(r"\s+", " ", value.strip()).replace(".", "")
    # Spreadsheets export dates as datetimes at midnight: "2011-08-05 00:00:00".
    text = re.sub(r" \d{1,2}:\d{2}(:\d{2})?$", "", text)
    text = re.sub(r"^Sept\b", "Sep", text, flags=re.IGNORECASE)
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def build_matcher(units: list[Jurisdiction] | None = None) -> search.Matcher:
    """A `search.Matcher` over every jurisdiction in the database (three queries; two when `units` are given,
    each with its `state` loaded)."""
    if units is None:
        units = list(Jurisdiction.objects.select_related("state"))
    replaced: dict[str, list[str]] = {}
    pairs = Jurisdiction.replaced_by.through.objects.values_list("from_jurisdiction_id", "to_jurisdiction_id")
    for retired, successor in pairs.order_by("to_jurisdiction_id"):
        replaced.setdefault(retired, []).append(successor)
    places = [search.Place.from_record(unit, replaced.get(unit.fips, ())) for unit in units]
    return search.Matcher(places, State.objects.values_list("postal", "fips", "name"))


class _Lookup:
    """Everything matching needs, read in a few queries."""

    def __init__(self, matcher: search.Matcher | None = None):
        self.units = {unit.fips: unit for unit in Jurisdiction.objects.select_related("state", "status_from")}
        self.matcher = matcher or build_matcher(list(self.units.values()))
        self.activations: dict[str, list[StatusChange]] = {}
        for change in StatusChange.objects.filter(status=Status.ACTIVATED).order_by("effective_on", "pk"):
            self.activations.setdefault(change.jurisdiction_id, []).append(change)


def _match(cells: list[str], columns: dict[str, int], lookup: _Lookup) -> tuple[Jurisdiction | None, str, list[str]]:
    """(unit, reason, suggestions): the unit a row means, or why none (see `search.Matcher.resolve`)."""

    def cell(column):
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else ""

    resolution = lookup.matcher.resolve(cell("state"), cell("name"), cell("fips"))
    unit = lookup.units.get(resolution.place.fips) if resolution.place else None
    if unit is None:
        return None, resolution.error, [place.label for place in resolution.suggestions]
    return unit, "", []


def edited_since_load() -> dict[str, str]:
    """{fips: who last changed the unit's dated status rows, when and why} for every unit whose rows an editor or
    an import created, changed or deleted after the dataset load (one query over the edit history)."""
    edited: dict[str, str] = {}
    history = (
        StatusChange.history.exclude(history_change_reason=DATASET_LOAD_REASON)
        .order_by("history_date", "history_id")
        .values_list("jurisdiction_id", "history_user__username", "history_date", "history_change_reason")
    )
    for fips, user, when, reason in history:
        edited[fips] = f"{user or 'an import or command'} on {when:%Y-%m-%d}" + (f" ({reason})" if reason else "")
    return edited


def plan_import(name: str, data: bytes, *, matcher: search.Matcher | None = None, protect_edits: bool = False) -> Plan:
    """What importing this file would do, row by row. Raises ImportRefused for a file that cannot be read.

    `matcher`: a Matcher already built for the current data (the read side keeps one per data version); by
    default one is built from the database (a few tens of ms). `protect_edits`: a row that would create or change
    the activation of a unit edited since the dataset load is a CONFLICT instead (reviewing the shipped dataset:
    the database is the record, and an editor's or an import's work is never overwritten or brought back)."""
    columns, raw_rows = read_rows(name, data)
    lookup = _Lookup(matcher)
    edited = edited_since_load() if protect_edits else {}
    today = us_today()
    rows: list[PlannedRow] = []
    first_line: dict[str, PlannedRow] = {}
    for line, cells in raw_rows:
        value = ", ".join(cell for cell in cells if cell)
        unit, reason, suggestions = _match(cells, columns, lookup)
        date_text = cells[columns["date"]] if columns["date"] < len(cells) else ""
        when = parse_date(date_text)
        if unit is None:
            rows.append(PlannedRow(line, value, ERROR, reason=reason, suggestions=suggestions))
            continue
        # A unit drawn on today's map that borrows its history records its activation on the historical unit.
        unit = unit.status_from or unit
        label = f"{unit.name}, {unit.state_id}"
        row = PlannedRow(line, value, ERROR, fips=unit.fips, label=label)
        rows.append(row)
        if not date_text:
            row.reason = "The activation date is missing."
            continue
        if when is None:
            row.reason = f"“{date_text}” is not a date (write 2011-08-05, 8/5/2011 or Aug 5, 2011)."
            continue
        row.date = when.isoformat()
        if when < PROGRAM_START or when > today:
            row.reason = f"{when.isoformat()} is outside the program's span ({PROGRAM_START.isoformat()} to today)."
            continue
        earlier = first_line.get(unit.fips)
        if earlier is not None:
            if earlier.date == row.date:
                row.action, row.reason = DUPLICATE, f"Same as line {earlier.line}; counted once."
            else:
                row.reason = (
                    f"{label} appears on line {earlier.line} with {earlier.date} and here with {row.date}: "
                    "the file disagrees with itself. Remove the wrong row."
                )
            continue
        first_line[unit.fips] = row
        activations = lookup.activations.get(unit.fips, [])
        if not activations:
            row.action = NEW
        else:
            first = activations[0]
            row.current, row.change_id = first.effective_on.isoformat(), first.pk
            if first.effective_on == when:
                row.action = UNCHANGED
            elif any(change.effective_on == when for change in activations[1:]):
                row.reason = f"{label} already has a later activation on {row.date}: correct its history by hand."
            elif first.alternative_date == when:
                row.reason = f"{row.date} is the disputed alternative date of {label}: resolve the dispute by hand."
            else:
                row.action = CHANGED
        if row.action != UNCHANGED and unit.fips in edited:
            row.action = CONFLICT
            row.reason = (
                f"Edited since the dataset load by {edited[unit.fips]}: kept as it is. If the file is right, "
                "change the row by hand, with its source."
            )
    return Plan(rows)

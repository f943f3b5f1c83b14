"""Bulk formats: every matching row, streamed (CSV, NDJSON, GeoJSON), and their renderers for negotiation.

The renderers only pick the format (`?format=csv` or `Accept: text/csv`): the rows are streamed by the view, in
~64 KB blocks, from the snapshot. A renderer sees only errors, which it writes as JSON text.
"""

import csv
import json

from rest_framework.renderers import BaseRenderer

BULK_FORMATS = {"csv", "ndjson", "geojson"}
# Appended to each list's description in the OpenAPI schema.
FORMATS_NOTE = (
    " Add `format=csv` (or `Accept: text/csv`) for every matching row as CSV, `format=ndjson` for "
    "newline-delimited JSON; both ignore pagination and stream."
)
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "ndjson": "application/x-ndjson; charset=utf-8",
    "geojson": "application/geo+json",
}


class CSVRenderer(BaseRenderer):
    """`?format=csv` or `Accept: text/csv`: every matching row, streamed by the view."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode() if data is not None else b""


class NDJSONRenderer(CSVRenderer):
    """`?format=ndjson`: one JSON object a line, every matching row (for bulk pulls)."""

    media_type = "application/x-ndjson"
    format = "ndjson"


class GeoJSONRenderer(CSVRenderer):
    """`?format=geojson`: a FeatureCollection (RFC 7946) of WGS84 shapes with the rows' properties."""

    media_type = "application/geo+json"
    format = "geojson"


# A cell a spreadsheet would run as a formula starts with one of these (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """One CSV cell: empty for None, true/false, lists of citations joined with " | ", text neutralised.

    Text that a spreadsheet would run as a formula gets a leading apostrophe (shown by no spreadsheet, and
    read as text); numbers stay numbers, and dates (YYYY-MM-DD) never start with a formula character.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        value = " | ".join(
            str(item.get("link") or item.get("title") or item.get("url") or "") if isinstance(item, dict) else str(item)
            for item in value
        )
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def csv_header(columns) -> str:
    # A byte-order mark makes Excel read UTF-8 (accents in names, section signs in notes) correctly.
    return "\ufeff" + csv.writer(_Echo()).writerow(columns)


def csv_lines(rows, columns):
    """One CSV line (text, with its line end) per row dict, cells in `columns` order."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([csv_cell(row.get(column)) for column in columns])


def stream_csv(rows, columns):
    """CSV text pieces: a header of `columns`, then one line per row dict."""
    yield csv_header(columns)
    yield from csv_lines(rows, columns)


def stream_ndjson(rows):
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"


def in_blocks(pieces, size: int = 64 * 1024):
    """Join small string pieces into ~64 KB byte blocks: one socket write per block, not one per row."""
    buffer, length = [], 0
    for piece in pieces:
        buffer.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(buffer).encode()
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer).encode()

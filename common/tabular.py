"""Typed tables for analysts, written as an xlsx workbook, a SQLite database and a Frictionless data package.

One description of the tables (their columns' names, Table Schema types and meanings, keys) drives the three
files, so the workbook's column sheet, the database's Datasette metadata and the data package's schemas say the
same thing. XlsxWriter writes the workbook (four times faster than openpyxl's write-only mode here); the
standard library's sqlite3 writes the database in memory and hands its bytes over (`Connection.serialize`).
"""

import datetime
import sqlite3
from dataclasses import dataclass, field
from io import BytesIO

# Table Schema field types used here, and the SQLite column type each one is stored as.
SQLITE_TYPES = {"string": "TEXT", "integer": "INTEGER", "boolean": "INTEGER", "date": "TEXT", "number": "REAL"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Table Schema type: string, integer, boolean, date, number
    description: str


@dataclass
class Table:
    """A table: rows are tuples in `columns` order, values None, str, int, float, bool or datetime.date."""

    name: str
    description: str
    columns: list[Column]
    rows: list[tuple]
    primary_key: tuple[str, ...] = ()
    # (column, other table, its column)
    foreign_keys: tuple[tuple[str, str, str], ...] = ()
    extra: dict = field(default_factory=dict)


def table_schema(table: Table) -> dict:
    """The Frictionless Table Schema of a table (empty cells are missing values)."""
    schema = {
        "fields": [{"name": c.name, "type": c.type, "description": c.description} for c in table.columns],
        "missingValues": [""],
    }
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": column, "reference": {"resource": other, "fields": other_column}}
            for column, other, other_column in table.foreign_keys
        ]
    return schema


# --- xlsx ------------------------------------------------------------------------------------------------------


def to_xlsx(tables: list[Table], *, about: list[tuple[str, str]]) -> bytes:
    """A workbook: an "about" sheet (`about`: label and text pairs), a "columns" sheet describing every column
    of every table, then one sheet per table with a header row. Text is always text: a cell that starts with "="
    is never a formula, an address never a link, digits never a number (the files carry editors' free text and
    FIPS codes with leading zeros)."""
    import xlsxwriter

    out = BytesIO()
    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "default_date_format": "yyyy-mm-dd",
    }
    with xlsxwriter.Workbook(out, options) as book:
        bold = book.add_format({"bold": True})

        def sheet(name: str, header, rows, widths=()):
            written = book.add_worksheet(name[:31])
            written.write_row(0, 0, header, bold)
            written.freeze_panes(1, 0)
            for number, row in enumerate(rows, start=1):
                written.write_row(number, 0, row)
            for column, width in enumerate(widths):
                written.set_column(column, column, width)

        sheet("about", ("about", ""), about, (16, 100))
        described = [(t.name, c.name, c.type, c.description) for t in tables for c in t.columns]
        sheet("columns", ("table", "column", "type", "description"), described, (24, 20, 10, 100))
        for table in tables:
            sheet(table.name, [column.name for column in table.columns], table.rows)
    return out.getvalue()


# --- SQLite ----------------------------------------------------------------------------------------------------


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_statement(table: Table) -> str:
    parts = [f"{_quoted(c.name)} {SQLITE_TYPES[c.type]}" for c in table.columns]
    if table.primary_key:
        parts.append(f"PRIMARY KEY ({', '.join(map(_quoted, table.primary_key))})")
    for column, other, other_column in table.foreign_keys:
        # Deferred: a table may point at its own rows (a unit at the unit it takes its status from).
        parts.append(
            f"FOREIGN KEY ({_quoted(column)}) REFERENCES {_quoted(other)} ({_quoted(other_column)}) "
            "DEFERRABLE INITIALLY DEFERRED"
        )
    return f"CREATE TABLE {_quoted(table.name)} (\n  " + ",\n  ".join(parts) + "\n)"


def _sqlite_value(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return int(value) if isinstance(value, bool) else value


def to_sqlite(tables: list[Table]) -> bytes:
    """The tables as a SQLite database file (tables in the order given, parents first), foreign keys declared and
    checked: a row pointing nowhere raises ValueError rather than ship."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        with connection:
            for table in tables:
                connection.execute(create_statement(table))
                for column, *_ in table.foreign_keys:
                    connection.execute(
                        f"CREATE INDEX {_quoted(f'{table.name}_{column}')} ON {_quoted(table.name)} ({_quoted(column)})"
                    )
                marks = ", ".join("?" * len(table.columns))
                connection.executemany(
                    f"INSERT INTO {_quoted(table.name)} VALUES ({marks})",
                    ([_sqlite_value(value) for value in row] for row in table.rows),
                )
            broken = connection.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise ValueError(f"Rows that point nowhere: {broken[:5]}")
        connection.execute("VACUUM")
        return bytes(connection.serialize())
    finally:
        connection.close()


def datasette_metadata(tables: list[Table], *, databases: list[str], about: dict) -> dict:
    """Datasette's metadata.json for the database file under each of the names in `databases` (Datasette names a
    database for its file, without the extension: the file as published and as a browser saves it): the title,
    licence and source in `about`, each table's and column's description."""
    described = {
        "tables": {
            table.name: {
                "description": table.description,
                "columns": {column.name: column.description for column in table.columns},
            }
            for table in tables
        }
    }
    return {**about, "databases": dict.fromkeys(databases, described)}

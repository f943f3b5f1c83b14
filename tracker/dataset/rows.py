"""Reading the shipped dataset's CSV files (fixtures/): rows with their line numbers, checked dates and source
lists, and the one error that names every problem found. The parts of `plan_dataset` (plan.py) and of the
leads and sources checks (sources.py) that only read cells, kept apart so each check reads as its rules."""

import csv
import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from agreements.models import Precision
from common.dates import us_today
from jurisdictions.models import PROGRAM_START, Kind

SOURCE_SEPARATOR = " ; "


class DatasetError(Exception):
    """The files are not loadable; `problems` lists each one as 'file, line N: reason'."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Row:
    file: str
    line: int
    values: dict

    def where(self) -> str:
        return f"{self.file}, line {self.line}"


def read_rows(path: Path, required: list[str], problems: list[str]) -> list[Row]:
    """Rows of a CSV file with their line numbers; a missing file or column is a problem, not a crash."""
    if not path.exists():
        problems.append(f"{path.name}: file is missing")
        return []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in required if column not in (reader.fieldnames or [])]
        if missing:
            problems.append(f"{path.name}, line 1: missing column(s) {', '.join(missing)}")
            return []
        rows = []
        for values in reader:
            if not any((value or "").strip() for value in values.values()):
                continue
            clean = {key: (value or "").strip() for key, value in values.items() if key is not None}
            rows.append(Row(path.name, reader.line_num, clean))
        return rows


def parse_date(row: Row, column: str, problems: list[str], *, allow_month=False, required=True):
    """A date in YYYY-MM-DD (or YYYY-MM where allowed); returns (date, precision) or (None, '')."""
    value = row.values.get(column, "")
    if not value:
        if required:
            problems.append(f"{row.where()}: {column} is empty")
        return None, ""
    try:
        if allow_month and re.fullmatch(r"\d{4}-\d{2}", value):
            return datetime.date.fromisoformat(value + "-01"), Precision.MONTH
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        parsed = datetime.date.fromisoformat(value)
    except ValueError:
        problems.append(f"{row.where()}: {column} '{value}' is not a valid date (expected YYYY-MM-DD)")
        return None, ""
    if not PROGRAM_START <= parsed <= us_today():
        problems.append(f"{row.where()}: {column} {value} is outside {PROGRAM_START.year} to today")
        return None, ""
    return parsed, Precision.DAY


def kind_from_name(name: str) -> str:
    """The unit's kind as its Census name says it ('Juneau City and Borough', 'Baltimore city')."""
    if name == "District of Columbia":
        return Kind.DISTRICT
    for suffix, kind in [
        ("City and Borough", Kind.CITY_AND_BOROUGH),
        ("Census Area", Kind.CENSUS_AREA),
        ("Borough", Kind.BOROUGH),
        ("Parish", Kind.PARISH),
        ("Municipality", Kind.MUNICIPALITY),
        ("County", Kind.COUNTY),
    ]:
        if name.endswith(suffix):
            return kind
    if name.lower().endswith(" city"):
        return Kind.CITY
    return Kind.COUNTY


def split_urls(value: str) -> list[str]:
    return [url.strip() for url in value.split(SOURCE_SEPARATOR.strip()) if url.strip()]

"""The `as_of` parameter: 'what was true on that date' for pages, map, API and exports."""

import datetime

from jurisdictions.models import PROGRAM_START


class BadDate(ValueError):
    """A date parameter that is not a real YYYY-MM-DD date inside the range the tracker covers."""


def parse_day(value: str | None, *, name: str = "as_of") -> datetime.date | None:
    """None for a missing value; the date for a valid one; BadDate with a reader-facing reason otherwise."""
    if value is None or value.strip() == "":
        return None
    value = value.strip()
    try:
        if len(value) != 10:
            raise ValueError
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise BadDate(f"{name} must be a date written YYYY-MM-DD, e.g. 2011-08-05; got '{value[:40]}'.") from None
    if day < PROGRAM_START:
        raise BadDate(f"{name} must be on or after {PROGRAM_START.isoformat()}, before which nothing is recorded.")
    if day > datetime.date.today():
        raise BadDate(f"{name} cannot be in the future.")
    return day

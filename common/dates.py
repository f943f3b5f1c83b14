"""Dates the tracker answers for: the program's span, "today" in the United States, and the `as_of` parameter.

A helper: it imports no app code, so models, pages and the API use it as they use a library.
"""

import contextlib
import contextvars
import datetime
import re
from zoneinfo import ZoneInfo

from django.utils import formats, translation
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _

# The program's span for dated facts: nothing is recorded before 2008 (the first activation was 2008-10-27).
PROGRAM_START = datetime.date(2008, 1, 1)

# "Today" for an answer without `as_of`: the date in the United States, not in UTC (at 8 pm in New York the UTC
# date is already tomorrow's, which would show a change scheduled for tomorrow as done). DESIGN.md, as-of semantics.
US_TIME_ZONE = ZoneInfo("America/New_York")


# An answer for a numbered data release (`?release=r3`) answers for the release's own day wherever it would say
# "today", so that the same URL gives the same bytes next year: `today_is` pins it for one request.
_pinned_today: contextvars.ContextVar[datetime.date | None] = contextvars.ContextVar("pinned_today", default=None)


def us_today(now: datetime.datetime | None = None) -> datetime.date:
    """Today's date in America/New_York (at `now`, an aware datetime; default: this moment, or the day a release
    answer is pinned to by `today_is`)."""
    if now is None:
        pinned = _pinned_today.get()
        if pinned is not None:
            return pinned
    return (now or datetime.datetime.now(datetime.UTC)).astimezone(US_TIME_ZONE).date()


def real_today() -> datetime.date:
    """Today in the US, whatever a release answer pinned (for validating a date a reader typed)."""
    return us_today(datetime.datetime.now(datetime.UTC))


@contextlib.contextmanager
def today_is(day: datetime.date | None):
    """Within the block, `us_today()` is `day` (None: the real date). For one release answer."""
    token = _pinned_today.set(day)
    try:
        yield
    finally:
        _pinned_today.reset(token)


def pin_today(day: datetime.date | None):
    """`today_is` for code that cannot use a with-block (DRF's initial/finalize_response): returns the token for
    `unpin_today`."""
    return _pinned_today.set(day)


def unpin_today(token) -> None:
    _pinned_today.reset(token)


def us_midnight(day: datetime.date) -> datetime.datetime:
    """The moment `day` began in America/New_York (aware), e.g. for a Last-Modified of an answer for today."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=US_TIME_ZONE)


# YYYY-MM-DD in ASCII digits (re's [0-9] is ASCII; \d is not).
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BadDate(ValueError):
    """A date parameter that is not a real YYYY-MM-DD date inside the range the tracker covers."""


def parse_day(value: str | None, *, name: str = "as_of") -> datetime.date | None:
    """None for a missing value; the date for a valid one; BadDate with a reader-facing reason otherwise.

    Valid: YYYY-MM-DD, from PROGRAM_START to today (US). Errors name the parameter and quote at most 40
    characters of the value.
    """
    if value is None or value.strip() == "":
        return None
    value = value.strip()
    try:
        # Python reads ISO week dates (2011-W31-5) and other scripts' digits too: only YYYY-MM-DD in 0-9 is a day.
        if _ISO_DAY.fullmatch(value) is None:
            raise ValueError
        day = datetime.date.fromisoformat(value)
    except ValueError:
        # In the page's language (the API's is always English: common/middleware.py LocaleMiddleware).
        message = _("%(name)s must be a date written YYYY-MM-DD, e.g. 2011-08-05; got '%(value)s'.")
        raise BadDate(message % {"name": name, "value": value[:40]}) from None
    if day < PROGRAM_START:
        message = _("%(name)s must be on or after %(start)s, before which nothing is recorded.")
        raise BadDate(message % {"name": name, "start": PROGRAM_START.isoformat()})
    if day > real_today():
        raise BadDate(_("%(name)s cannot be in the future.") % {"name": name})
    return day


# Dates in words, in the page's language. English keeps the house style ("5 August 2011"; Django's English
# DATE_FORMAT, which the admin uses, says "Aug. 5, 2011"); Spanish takes tracker/formats/es ("5 de agosto de 2011").
_ENGLISH = {"long": "j F Y", "month": "F Y", "short": "j M Y", "short_month": "M Y"}
_SPANISH = {"long": "DATE_FORMAT", "month": "YEAR_MONTH_FORMAT", "short": "j b. Y", "short_month": "b. Y"}


def local_date(value: datetime.date | None, kind: str = "long") -> str:
    """`value` in words in the active language: kind "long" ('5 August 2011' / '5 de agosto de 2011'), "month"
    ('August 2011' / 'agosto de 2011'), "short" ('5 Aug 2011' / '5 ago. 2011') or "short_month"."""
    if not value:
        return ""
    if translation.get_language() == "es":
        return format_date(value, formats.get_format(_SPANISH[kind]))
    return format_date(value, _ENGLISH[kind])

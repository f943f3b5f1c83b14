"""Query parameters of public answers: declared types, strict parsing, one 400 vocabulary, the canonical query.

Every public view declares what it takes (`{"state": Codes(str.upper), "page": PAGE, ...}`); `parse` reads a
request's query against that declaration and nothing else:

- whole numbers are ASCII digits only ('²', Arabic-Indic or full-width digits are refused), within a range and at
  most 18 digits long (so no conversion of a 10,000-digit number is ever tried);
- days are ISO `YYYY-MM-DD` only (`common.dates.parse_day`: no week or ordinal dates, no `20110805`);
- `page` is a number from 1, on pages and the API alike (`last`, `0`, `-1` are refused);
- lists take repeated and comma-separated values alike (`state=TX&state=CA`, `state=TX,CA`);
- parameters nobody declared are ignored.

A refusal is `BadParameter(name, message)`, worded in the active language (the API's is English). The canonical
query is the parsed values written back, defaults dropped, values normalised and names sorted: `state=tx` and
`state=TX`, or two orders of the same parameters, are one query, for the ETag, the Cite box, download names and
the answer store (common/answer_cache.py) alike.

A helper that imports no app code.
"""

import datetime
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from common.dates import BadDate, parse_day

# A number longer than this is refused before any conversion (int() of thousands of digits is slow, or refused).
MAX_DIGITS = 18
# A value quoted back in a refusal is cut to this many characters.
QUOTED = 40
# More values than this in one list parameter is refused (a list is filtered value by value).
MAX_LIST_VALUES = 500


class BadParameter(ValueError):
    """A query parameter that is not written as its declared type: a 400 naming it."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


def _quote(value: str) -> str:
    return value[:QUOTED]


def whole_number(name: str, raw: str, *, low: int = 1, high: int | None = None) -> int:
    """`raw` as a whole number from `low` (to `high`), written in ASCII digits; BadParameter otherwise."""
    value = raw.strip()
    if (
        not (value.isascii() and value.isdigit())
        or len(value) > MAX_DIGITS
        or not low <= int(value) <= (high or int(value))
    ):
        if high is None:
            message = _("%(name)s must be a whole number from %(low)s, written with the digits 0-9; got '%(value)s'.")
        else:
            message = _(
                "%(name)s must be a whole number from %(low)s to %(high)s, written with the digits 0-9; "
                "got '%(value)s'."
            )
        raise BadParameter(name, message % {"name": name, "low": low, "high": high, "value": _quote(value)})
    return int(value)


def split_values(values) -> list[str]:
    """Repeated and comma-separated values alike, stripped, empty ones dropped: ["TX,CA", "IL"] -> [TX, CA, IL]."""
    return [item.strip() for value in values if value for item in value.split(",") if item.strip()]


class Param:
    """A declared parameter: `parse(values)` (the request's values for its name, never empty) -> its value, and
    `write(value)` -> the canonical text of that value. `default` is the value meant when it is absent."""

    default = None
    many = False

    def parse(self, name: str, values: list[str]):
        raise NotImplementedError

    def write(self, value) -> list[str]:
        return [str(value)]

    # A parameter that must be given once (a release): repeating it is refused. Any other single value given
    # twice is read as Django reads it, the last one.
    once = False

    def _once(self, name: str, values: list[str]) -> str:
        given = [value for value in values if value.strip()]
        if self.once and len(given) > 1:
            raise BadParameter(name, _("Give %(name)s once.") % {"name": name})
        return given[-1].strip() if given else ""


class Number(Param):
    """A whole number from `low` to `high` (ASCII digits)."""

    def __init__(self, *, low: int = 1, high: int | None = None, default: int | None = None):
        self.low, self.high, self.default = low, high, default

    def parse(self, name, values):
        raw = self._once(name, values)
        return self.default if raw == "" else whole_number(name, raw, low=self.low, high=self.high)


class Day(Param):
    """A day written YYYY-MM-DD, from the program's start to today (US)."""

    def parse(self, name, values):
        try:
            return parse_day(self._once(name, values), name=name)
        except BadDate as error:
            raise BadParameter(name, str(error)) from None

    def write(self, value: datetime.date) -> list[str]:
        return [value.isoformat()]


class Text(Param):
    """Free text (a search), stripped, at most `max_length` characters."""

    def __init__(self, *, max_length: int = 100):
        self.max_length = max_length

    def parse(self, name, values):
        value = self._once(name, values)
        if len(value) > self.max_length:
            message = _("%(name)s takes at most %(n)s characters.") % {"name": name, "n": self.max_length}
            raise BadParameter(name, message)
        return value or None


class Word(Param):
    """One of `choices` (after `normalize`), `default` when absent."""

    def __init__(self, choices, *, default=None, normalize=str.strip):
        self.choices, self.default, self.normalize = tuple(choices), default, normalize

    def parse(self, name, values):
        raw = self._once(name, values)
        if raw == "":
            return self.default
        value = self.normalize(raw)
        if value not in self.choices:
            message = _("Unknown %(name)s '%(value)s': use one of %(choices)s.")
            raise BadParameter(name, message % {"name": name, "value": _quote(raw), "choices": ", ".join(self.choices)})
        return value


class Flag(Param):
    """true or false (also 1/0, yes/no)."""

    TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no"}

    def parse(self, name, values):
        raw = self._once(name, values).lower()
        if raw == "":
            return None
        if raw in self.TRUE:
            return True
        if raw in self.FALSE:
            return False
        raise BadParameter(
            name, _("%(name)s must be true or false; got '%(value)s'.") % {"name": name, "value": _quote(raw)}
        )

    def write(self, value) -> list[str]:
        return ["true" if value else "false"]


class Codes(Param):
    """A list of codes, repeated or comma-separated, each normalised (`str.upper` for states); a set, unless
    `ordered` (an ordering), so its canonical form is sorted. Whether each code exists is the FilterSet's to say."""

    many = True

    def __init__(self, normalize=str, *, ordered: bool = False):
        self.normalize, self.ordered = normalize, ordered

    def parse(self, name, values):
        items = split_values(values)
        if len(items) > MAX_LIST_VALUES:
            message = _("%(name)s takes at most %(n)s values; for more, download the CSV and filter it.")
            raise BadParameter(name, message % {"name": name, "n": MAX_LIST_VALUES})
        items = list(dict.fromkeys(self.normalize(item) for item in items))
        return tuple(items if self.ordered else sorted(items)) or None

    def write(self, value) -> list[str]:
        return [",".join(value)]


# The one page rule: a number from 1 (a page past the last is the view's 404).
PAGE = Number(low=1, default=1)


class Parsed(dict):
    """The declared parameters' values (absent ones at their default), and the canonical query."""

    def __init__(self, values: dict, pairs: list[tuple[str, str]]):
        super().__init__(values)
        self.pairs = pairs

    @property
    def canonical(self) -> str:
        return urlencode(self.pairs)

    def query(self, drop=(), **override) -> str:
        """The canonical query without `drop`, with `override` (a value at its default or None is dropped)."""
        names = set(drop) | set(override)
        pairs = [(name, value) for name, value in self.pairs if name not in names]
        pairs += [(name, str(value)) for name, value in override.items() if value not in (None, "")]
        return urlencode(sorted(pairs))


def parse(declared: dict, query) -> Parsed:
    """Read `query` (a QueryDict) against `declared` ({name: Param}); BadParameter for the first bad value."""
    values, pairs = {}, []
    for name in sorted(declared):
        param = declared[name]
        given = [value for value in query.getlist(name) if value.strip()]
        value = param.parse(name, given) if given else param.default
        values[name] = value
        if value is not None and value != param.default:
            pairs += [(name, text) for text in param.write(value)]
    return Parsed(values, pairs)

"""The "Cite this" box: the release, the URL that reproduces the answer (its filters, `as_of` and `release`), the
access date, in APA, Chicago and BibTeX."""

import datetime
import re
from typing import NamedTuple
from urllib.parse import urlencode

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.dates import local_date

PROJECT = "Secure Communities tracker"
# Query parameters that do not change what is cited: the ones the citation sets itself, and the format.
_SET_BY_CITATION = {"release", "as_of", "format"}
_TITLE_SUFFIX = re.compile(r"\s*·\s*Secure Communities tracker\s*$")


class Citation(NamedTuple):
    release: str  # "r3"
    published: datetime.date
    url: str
    title: str
    day: datetime.date  # the day the answer is for
    accessed: datetime.date | None
    apa: str
    chicago: str
    bibtex: str


def citable_url(request, release_id: str, day: datetime.date, path: str | None = None) -> str:
    """The page's address with its filters, `as_of` (the day it answers for) and `release` added."""
    reading = getattr(request, "reading", None)
    # A public answer cites its canonical query (declared parameters, normalised, sorted).
    pairs = reading.params.pairs if reading is not None else [(n, v) for n, vs in request.GET.lists() for v in vs]
    kept = [(name, value) for name, value in pairs if name not in _SET_BY_CITATION]
    kept += [("as_of", day.isoformat()), ("release", release_id)]
    return f"{request.scheme}://{request.get_host()}{path or request.path}?{urlencode(kept)}"


def _long(day: datetime.date) -> str:
    """A date as each citation style writes it: "November 29, 2026" (APA and Chicago, US English) or
    "29 de noviembre de 2026" on a Spanish page."""
    if translation.get_language() == "es":
        return local_date(day, "long")
    return date_format(day, "F j, Y")


def accessed_placeholder() -> str:
    """What a citation says for the access date when the page cannot (a release answer never changes, so its bytes
    cannot hold today's date): the reader's browser writes the date in (static/js/cite.js)."""
    return _("[date accessed]")


def cite(request, *, release_id: str, published: datetime.date, title: str, day: datetime.date, accessed, path=None):
    """Every form of the citation of this page at this release; `accessed` None: the placeholder."""
    url = citable_url(request, release_id, day, path)
    title = _TITLE_SUFFIX.sub("", title or "").strip() or PROJECT
    # A Spanish page's title ends with the site's Spanish name.
    title = title.removesuffix(" · " + _("Secure Communities tracker")).strip() or PROJECT
    year = published.year
    version = _("Release %(release)s, data as of %(day)s") % {"release": release_id, "day": day.isoformat()}
    apa = _("%(author)s. (%(year)s). %(title)s (%(version)s) [Data set]. Retrieved %(accessed)s, from %(url)s") % {
        "author": PROJECT,
        "year": year,
        "title": title,
        "version": version,
        "accessed": _long(accessed) if accessed else accessed_placeholder(),
        "url": url,
    }
    chicago = _('%(author)s. "%(title)s." %(version)s. Published %(published)s. Accessed %(accessed)s. %(url)s.') % {
        "author": PROJECT,
        "title": title,
        "version": version,
        "published": _long(published),
        "accessed": _long(accessed) if accessed else accessed_placeholder(),
        "url": url,
    }
    key = f"scomm_{release_id}_{day.isoformat().replace('-', '')}"
    accessed_word = _("Accessed")
    bibtex = "\n".join(
        [
            f"@misc{{{key},",
            f"  author = {{{{{PROJECT}}}}},",
            f"  title = {{{{{_bibtex_escape(title)}}}}},",
            f"  year = {{{year}}},",
            f"  version = {{{release_id}}},",
            f"  howpublished = {{\\url{{{url}}}}},",
            f"  note = {{{_bibtex_escape(version)}. {accessed_word} "
            f"{accessed.isoformat() if accessed else accessed_placeholder()}}},",
            "}",
        ]
    )
    return Citation(release_id, published, url, title, day, accessed, apa, chicago, bibtex)


def _bibtex_escape(text: str) -> str:
    return re.sub(r"([{}&%$#_])", r"\\\1", text)

"""The page's language in its links and dates: the same page in the other language, the hreflang alternates, a
language-free path made local, and dates as each language writes them.

English lives at the site's paths and Spanish under /es/ (tracker/urls.py), so the other language's address of
a page is its path with the prefix added or removed, and the query (`as_of`, filters) kept.
"""

from django import template
from django.utils import translation

from tracker.dates import local_date
from tracker.middleware import SPANISH_PREFIX, unprefixed

register = template.Library()


def _date(value, kind: str) -> str:
    return local_date(value, kind)


@register.filter
def long_date(value) -> str:
    """'5 August 2011' / '5 de agosto de 2011'."""
    return _date(value, "long")


@register.filter
def month_year(value) -> str:
    """'August 2011' / 'agosto de 2011'."""
    return _date(value, "month")


@register.filter
def short_date(value) -> str:
    """'5 Aug 2011' / '5 ago. 2011'."""
    return _date(value, "short")


@register.filter
def short_month(value) -> str:
    """'Aug 2011' / 'ago. 2011'."""
    return _date(value, "short_month")


def path_in(language: str, path: str) -> str:
    """A language-free site path (`/jurisdictions/48201/`) as the address of that page in `language`."""
    path = unprefixed(path)
    return SPANISH_PREFIX[:-1] + path if language == "es" else path


@register.filter
def local_path(path: str) -> str:
    """A language-free site path in the page's language: `/states/TX/` is `/es/states/TX/` on a Spanish page."""
    return path_in(translation.get_language(), path or "/")


@register.simple_tag(takes_context=True)
def language_urls(context) -> dict:
    """The current page in each language, with its query: {"en": "/states/TX/?as_of=...", "es": ..., "other": ...}."""
    request = context["request"]
    query = request.META.get("QUERY_STRING", "")
    urls = {code: path_in(code, request.path) + (f"?{query}" if query else "") for code in ("en", "es")}
    current = translation.get_language()
    urls["other_code"] = "en" if current == "es" else "es"
    urls["other"] = urls[urls["other_code"]]
    return urls


@register.filter
def local_path_en(path: str) -> str:
    """The English address of a page's path (its language prefix removed)."""
    return path_in("en", path or "/")


@register.filter
def local_path_es(path: str) -> str:
    """The Spanish address of a page's path."""
    return path_in("es", path or "/")

"""The page's language in its links and dates: the same page in the other language, the hreflang alternates, a
language-free path made local, and dates as each language writes them.

English lives at the site's paths and Spanish under /es/ (tracker/urls.py), so the other language's address of
a page is its path with the prefix added or removed, and the query (`as_of`, filters) kept.
"""

import re

from django import template
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.utils import translation
from django.utils.encoding import iri_to_uri
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import normalize_newlines
from django.utils.translation import gettext

from common.dates import local_date
from common.middleware import SPANISH_PREFIX, unprefixed

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
    # The query as the client sent it, percent-encoded where it was not (raw UTF-8 reaches WSGI as latin-1 text):
    # what request.get_full_path() does.
    reading = getattr(request, "reading", None)
    if reading is not None:
        # A public answer links to its canonical query: the bytes depend on nothing its ETag does not name.
        query = reading.canonical
    else:
        query = iri_to_uri(get_bytes_from_wsgi(request.META, "QUERY_STRING", "").decode("utf-8", "replace"))
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


# Editors' texts (event summaries, agreement and status notes, historical units' notes) have a Spanish version in
# a field beside the English one, named with "_es" (Event.summary_es). Quotations in the sources' own words are
# written between “ and ” and stay in their language.
_QUOTATION = re.compile(r"\u201c[^\u201d]*\u201d")


def editors_text(record, field: str) -> tuple[str, str]:
    """The text of `record.field` in the page's language and the language it is in: ("...", "es") on a Spanish
    page when the Spanish version is written, else the English text and "en"."""
    english = getattr(record, field, "") or ""
    if translation.get_language() == "es":
        spanish = getattr(record, f"{field}_es", "") or ""
        if spanish.strip():
            return spanish, "es"
    return english, "en"


def _spanish_markup(text: str) -> str:
    """A Spanish editor's text, escaped, with its quotations in the sources' words marked as English."""
    text = normalize_newlines(text)
    parts, last = [], 0
    for match in _QUOTATION.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(format_html('<span lang="en">{}</span>', match.group()))
        last = match.end()
    parts.append(escape(text[last:]))
    return "".join(parts)


@register.simple_tag
def in_language(record, field: str, tag: str = "span", css_class: str = "", breaks: bool = False):
    """An editor's text in an element `tag` (with `css_class`), in the page's language.

    English pages: `<span lang="en">text</span>`, as they always were. Spanish pages: the Spanish version,
    `<span>texto</span>` (its quotations marked lang="en"), or, while there is none, the English text marked
    lang="en" class="untranslated" followed by "(en inglés)". `breaks`: line breaks kept as <br> (linebreaksbr).
    """
    text, language = editors_text(record, field)
    if breaks:
        return _with_breaks(in_language(record, field, tag, css_class))
    attributes = format_html(' class="{}"', css_class) if css_class else ""
    if language == "es":
        return mark_safe(f"<{tag}{attributes}>{_spanish_markup(text)}</{tag}>")
    if translation.get_language() == "es" and text:
        return format_html(
            '<{}{}><span lang="en" class="untranslated">{}</span> <small class="in-english">({})</small></{}>',
            tag,
            attributes,
            text,
            gettext("in English"),
            tag,
        )
    return format_html('<{}{} lang="en">{}</{}>', tag, attributes, text, tag)


def _with_breaks(html: str):
    """linebreaksbr on markup whose text is already escaped: each line break of the text becomes <br>."""
    return mark_safe(normalize_newlines(html).replace("\n", "<br>"))

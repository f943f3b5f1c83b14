"""English and Spanish: the catalogs are complete and current, every public page answers in Spanish under /es/
with nothing of the interface left in English, and the two languages never share a cached answer."""

import gettext
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"
DOMAINS = ("django", "djangojs")
# The one way the catalogs are made; a change here is a change to the committed .po files.
MAKEMESSAGES_OPTIONS = {
    "locale": ["es"],
    "no_location": True,
    "no_wrap": True,
    "no_obsolete": True,
    "ignore_patterns": [".venv/*", "staticfiles/*", "bench/*", "tests/*", "test-output/*", "templates/admin/*"],
    "verbosity": 0,
}


# --- the catalogs -------------------------------------------------------------------------------------------


class _Entry:
    def __init__(self):
        self.context = None
        self.msgid = None
        self.plural = None
        self.strings = []
        self.fuzzy = False


def _unquote(text: str) -> str:
    return text[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def _parse_po(path: Path) -> list[_Entry]:
    """The entries of a .po file written by makemessages with --no-wrap (one line per string)."""
    entries, entry = [], _Entry()
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry.msgid is not None:
                entries.append(entry)
            entry = _Entry()
        elif line.startswith("#,") and "fuzzy" in line:
            entry.fuzzy = True
        elif line.startswith("msgctxt "):
            entry.context = _unquote(line[8:])
        elif line.startswith("msgid "):
            entry.msgid = _unquote(line[6:])
        elif line.startswith("msgid_plural "):
            entry.plural = _unquote(line[13:])
        elif line.startswith("msgstr"):
            entry.strings.append(_unquote(line.split(" ", 1)[1]))
    return [entry for entry in entries if entry.msgid]


def _keys(entries) -> set[tuple]:
    return {(entry.context, entry.msgid) for entry in entries}


def _tools_or_fail():
    for tool in ("xgettext", "msgfmt", "msgmerge"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} (GNU gettext) is needed: apt-get install gettext, or python3 dev.py test.")


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_committed_catalog_holds_exactly_the_strings_the_code_marks(domain, tmp_path, monkeypatch):
    _tools_or_fail()
    project = Path(settings.BASE_DIR)
    copy = tmp_path / "project"
    shutil.copytree(
        project,
        copy,
        ignore=shutil.ignore_patterns(".git", ".venv", "staticfiles", "test-output", "*.sqlite3", "__pycache__"),
    )
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command("makemessages", domain=domain, **MAKEMESSAGES_OPTIONS)
    fresh = _keys(_parse_po(copy / "locale" / "es" / "LC_MESSAGES" / f"{domain}.po"))
    committed = _keys(_parse_po(LOCALE / f"{domain}.po"))
    new, gone = sorted(fresh - committed, key=str), sorted(committed - fresh, key=str)
    assert not new and not gone, (
        f"locale/es/LC_MESSAGES/{domain}.po is stale: run makemessages (see MAKEMESSAGES_OPTIONS) and translate. "
        f"New: {new}. No longer used: {gone}."
    )


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_string_has_a_spanish_translation(domain):
    entries = _parse_po(LOCALE / f"{domain}.po")
    assert entries
    untranslated = [entry.msgid for entry in entries if not all(entry.strings) or not entry.strings]
    fuzzy = [entry.msgid for entry in entries if entry.fuzzy]
    assert not untranslated, f"No Spanish for: {untranslated}"
    assert not fuzzy, f"Fuzzy (unchecked) translations: {fuzzy}"
    # Placeholders survive translation: a missing %(name)s would drop a number or a date from the page.
    for entry in entries:
        wanted = sorted(set(re.findall(r"%\(\w+\)s|\{\w+\}|%s", entry.msgid + (entry.plural or ""))))
        for text in entry.strings:
            assert sorted(set(re.findall(r"%\(\w+\)s|\{\w+\}|%s", text))) == wanted, (entry.msgid, text)


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_committed_mo_is_the_compiled_po(domain, tmp_path):
    _tools_or_fail()
    compiled = tmp_path / f"{domain}.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(LOCALE / f"{domain}.po")], check=True)
    with compiled.open("rb") as fresh, (LOCALE / f"{domain}.mo").open("rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(fresh)._catalog, (
            f"locale/es/LC_MESSAGES/{domain}.mo is stale: msgfmt -o {domain}.mo {domain}.po"
        )


# --- the pages ------------------------------------------------------------------------------------------------

# Every public page, with a date where it shows one. (path, query)
PAGES = [
    ("/", ""),
    ("/", "?as_of=2011-08-05"),
    ("/jurisdictions/", "?as_of=2011-08-05&state=TX"),
    ("/jurisdictions/", "?q=zzzzqqq"),
    ("/jurisdictions/48201/", "?as_of=2011-08-05"),
    ("/jurisdictions/02270/", ""),
    ("/jurisdictions/36009/", ""),
    ("/states/", "?as_of=2011-08-05"),
    ("/states/IL/", "?as_of=2011-08-05"),
    ("/states/TX/", ""),
    ("/states/NY/", ""),
    ("/states/MA/", ""),
    ("/states/DC/", ""),
    ("/agreements/", "?as_of=2011-08-05"),
    ("/agreements/", ""),
    ("/corrections/", ""),
    ("/corrections/report/", "?page=/states/TX/"),
    ("/corrections/report/thanks/", "?page=/states/TX/"),
    ("/about/", ""),
    ("/downloads/", ""),
    ("/api/v1/", ""),
]

# English words that are no Spanish words: a text on a Spanish page made of them is interface left in English.
_ENGLISH = re.compile(
    r"\b(the|of|and|is|with|which|this|from|was|were|by|not|on|to|your|page|The|This|Your|On|From|Page|Show)\b"
)


class _Text(HTMLParser):
    """Visible text and labels of a page, outside what is meant to stay English: the sources' own words (titles,
    quotations, publishers: lang="en", citations), code, and the link to the English page. An editor's text
    shown in English for want of its Spanish version (lang="en" class="untranslated") is not exempt."""

    SKIP = {"script", "style", "code", "pre", "cite"}
    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
        "path",
        "line",
    }

    def __init__(self):
        super().__init__()
        self.stack, self.texts, self.lang = [], [], None

    def _kept(self) -> bool:
        return not any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
            return
        english = attrs.get("lang") == "en" and "untranslated" not in (attrs.get("class") or "").split()
        skip = tag in self.SKIP or english or attrs.get("id") == "map-data"
        if self._kept() and not skip:
            for name in ("aria-label", "placeholder", "title", "alt", "label"):
                if attrs.get(name):
                    self.texts.append(attrs[name])
            if tag == "meta" and attrs.get("name") == "description":
                self.texts.append(attrs.get("content", ""))
        if tag not in self.VOID and not tag.endswith("/"):
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag, attrs):
        before = len(self.stack)
        self.handle_starttag(tag, attrs)
        del self.stack[before:]

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if self._kept() and data.strip():
            self.texts.append(data.strip())


def _texts(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def _get(client, url):
    response = client.get(url, HTTP_ACCEPT="text/html")
    assert response.status_code in (200, 400, 404), (url, response.status_code)
    return response


def _names(snapshot) -> set[str]:
    """Proper names (states, jurisdictions, agencies) that are the same in both languages."""
    names = {state.name for state in snapshot.states.values()}
    names |= {unit.name for unit in snapshot.units.values()}
    for agreements in snapshot.agreements_by_state.values():
        for agreement in agreements:
            names |= {agreement.state_party, agreement.federal_party}
    return names


def _english_left(html: str, names: set[str]) -> list[str]:
    found = []
    for text in _texts(html).texts:
        rest = text
        for name in sorted(names, key=len, reverse=True):
            if name and name in rest:
                rest = rest.replace(name, "")
        if _ENGLISH.search(rest):
            found.append(text)
    return found


@pytest.mark.parametrize(("path", "query"), PAGES)
def test_every_public_page_is_in_spanish_under_es(client, dataset, path, query):
    from common import reading

    english = _get(client, path + query)
    spanish = _get(client, "/es" + path + query)
    assert english.status_code == spanish.status_code
    html = spanish.content.decode()
    assert '<html lang="es">' in html
    assert spanish["Content-Language"] == "es"
    # The switch leads to the same page in English, with its query.
    assert f'href="{path}{query.replace("&", "&amp;")}" hreflang="en" lang="en" id="language-switch"' in html
    assert f'hreflang="es" href="http://testserver/es{path}' in html
    assert f'hreflang="x-default" href="http://testserver{path}' in html
    # No interface text in English: every text of the page is Spanish, a name, or marked as the sources' own.
    left = _english_left(html, _names(reading.current()))
    assert not left, f"English on /es{path}{query}: {left}"
    # The English phrases of the English page's interface are not on the Spanish one.
    english_html = english.content.decode()
    assert '<html lang="en">' in english_html
    assert f'href="/es{path}{query.replace("&", "&amp;")}" hreflang="es" lang="es" id="language-switch"' in english_html


def test_spanish_dates_and_numbers_are_written_as_us_spanish_newsrooms_write_them(client, dataset):
    html = _get(client, "/es/?as_of=2011-08-05").content.decode()
    assert "5 de agosto de 2011" in html
    assert "1,475 de 3,143 jurisdicciones activadas en 43 estados el 5 de agosto de 2011" in html
    assert "1.475" not in html
    states = _get(client, "/es/states/?as_of=2011-08-05").content.decode()
    assert "El 5 de agosto de 2011, 1,475 de 3,143 jurisdicciones" in states
    county = _get(client, "/es/jurisdictions/48201/").content.decode()
    assert "27 de octubre de 2008" in county
    # FIPS codes and years take no thousands separator.
    assert "48201" in county and "48,201" not in county and "2,008" not in county


@pytest.mark.parametrize(
    ("url", "status"),
    [("/es/no-such-page/", 404), ("/es/jurisdictions/99999/", 404), ("/es/?as_of=2031-01-01", 400)],
)
def test_error_pages_are_in_spanish(client, dataset, url, status):
    from common import reading

    response = client.get(url)
    assert response.status_code == status
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert not _english_left(html, _names(reading.current()))
    if status == 400:
        assert "as_of no puede ser una fecha futura." in html


def test_unprefixed_addresses_are_english_whatever_the_browser_asks(client, dataset):
    response = client.get("/states/", HTTP_ACCEPT_LANGUAGE="es", HTTP_COOKIE="django_language=es")
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    assert "Accept-Language" not in response.get("Vary", "")


def test_the_api_stays_english_and_untouched_by_the_language(client, dataset):
    english = client.get("/api/v1/stats/?as_of=2015-01-01")
    client.get("/es/?as_of=2015-01-01")
    again = client.get("/api/v1/stats/?as_of=2015-01-01", HTTP_ACCEPT_LANGUAGE="es")
    assert english.content == again.content
    assert "Content-Language" not in again
    assert b"discontinued nationwide" in english.content
    # Its docs page has a Spanish twin; the API's own JSON does not.
    for docs in ("/api/v1/", "/es/api/v1/"):
        html = client.get(docs, HTTP_ACCEPT="text/html").content.decode()
        # Status labels in both languages beside the codes, on either language's docs page.
        assert (
            '<td><code>rescinded</code></td><td lang="en">Rescinded by ICE</td><td lang="es">Rescindido por ICE</td>'
            in html
        )
        assert '<td><code>activated</code></td><td lang="en">Activated</td><td lang="es">Activada</td>' in html
    assert client.get("/es/api/v1/stats/").status_code == 404


def test_the_same_page_asked_in_turn_answers_in_its_own_language_with_its_own_etag(client, dataset):
    answers = [client.get(url) for url in ("/states/TX/", "/es/states/TX/", "/states/TX/")]
    langs = [re.search(r'<html lang="(\w+)">', answer.content.decode()).group(1) for answer in answers]
    assert langs == ["en", "es", "en"]
    assert answers[0]["ETag"] == answers[2]["ETag"] != answers[1]["ETag"]
    assert "Situación" in answers[1].content.decode() and "Situación" not in answers[2].content.decode()
    # The home page's cached county markup (tracker/map.py) follows the language too.
    homes = [client.get(url).content.decode() for url in ("/", "/es/", "/")]
    assert 'aria-label="Harris County, Texas — activated 27 October 2008"' in homes[0]
    assert 'aria-label="Harris County, Texas — activado el 27 de octubre de 2008"' in homes[1]
    assert homes[0] == homes[2]
    # A conditional request in one language never gets the other's 304.
    etag = answers[1]["ETag"]
    assert client.get("/states/TX/", HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert client.get("/es/states/TX/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_search_suggestions_follow_the_page_language(client, dataset):
    english = client.get("/search/suggest?q=harris+tx").json()
    spanish = client.get("/es/search/suggest?q=harris+tx").json()
    assert english["results"][0]["url"] == "/jurisdictions/48201/"
    assert spanish["results"][0]["url"] == "/es/jurisdictions/48201/"
    notes = client.get("/es/search/suggest?q=99999").json()["notes"]
    assert notes == ["Ningún condado ni equivalente de condado tiene el código FIPS 99999."]
    assert client.get("/search/suggest?q=99999").json()["notes"][0].startswith("No county")


def test_the_javascript_catalog_is_an_external_cacheable_script_per_language(client):
    spanish = client.get("/es/jsi18n/")
    assert spanish.status_code == 200 and "javascript" in spanish["Content-Type"]
    assert "max-age=3600" in spanish["Cache-Control"]
    assert "Reproducir" in spanish.content.decode() and "agosto" in spanish.content.decode()
    assert "Reproducir" not in client.get("/jsi18n/").content.decode()


def test_the_sitemap_lists_both_languages_with_alternates(client, dataset):
    xml = client.get("/sitemap.xml").content.decode()
    assert "<loc>http://testserver/states/TX/</loc>" in xml
    assert "<loc>http://testserver/es/states/TX/</loc>" in xml
    assert '<xhtml:link rel="alternate" hreflang="es" href="http://testserver/es/jurisdictions/48201/"/>' in xml
    assert '<xhtml:link rel="alternate" hreflang="x-default" href="http://testserver/jurisdictions/48201/"/>' in xml


def test_a_report_sent_from_a_spanish_page_is_about_the_record_and_thanks_in_spanish(client, dataset):
    from corrections.models import CorrectionReport

    response = client.post(
        "/es/corrections/report/",
        {"page": "/es/states/TX/", "description": "La fecha está mal.", "source_url": "", "contact_email": ""},
    )
    assert response.status_code == 303
    assert response["Location"].startswith("/es/corrections/report/thanks/")
    assert CorrectionReport.objects.get().record_path == "/states/TX/"
    thanks = client.get(response["Location"]).content.decode()
    assert "Gracias" in thanks and 'href="/es/states/TX/"' in thanks


def test_a_refused_body_is_worded_in_the_pages_language_and_the_api_stays_english(client, dataset):
    spanish = client.post("/es/states/TX/", {"x": "1"})
    assert spanish.status_code == 413 and spanish.content.decode() == "Esta dirección no acepta un cuerpo de solicitud."
    english = client.post("/states/TX/", {"x": "1"})
    assert english.status_code == 413 and english.content.decode() == "This address takes no request body."
    api = client.post("/api/v1/jurisdictions/", {"x": "1"})
    assert api.json() == {"errors": {"body": ["This address takes no request body."]}}


def test_the_dataset_description_for_search_engines_is_in_the_pages_language(client, dataset):
    import json

    def dataset_ld(path):
        page = client.get(path).content.decode()
        return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))

    spanish, english = dataset_ld("/es/downloads/"), dataset_ld("/downloads/")
    assert spanish["inLanguage"] == "es" and spanish["url"] == "http://testserver/es/downloads/"
    assert (
        spanish["name"].startswith("Activaciones de Secure Communities") and "3,143 condados" in spanish["description"]
    )
    assert english["inLanguage"] == "en" and english["url"] == "http://testserver/downloads/"
    assert english["name"] == "Secure Communities activations and state agreements, 2008-2013"

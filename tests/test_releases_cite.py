"""The Cite box: a page cited with its filters, as_of day and release, the access date left to the browser, and
dates written the Spanish way on Spanish pages."""

import re
from html import unescape

from django.utils import translation

from common.dates import local_date
from releases.models import Release
from releases.services import release_publish
from tests.releases_helpers import edit_public_data

# --- the Cite box --------------------------------------------------------------------------------------------


def _cite_url(html: str) -> str:
    return unescape(re.search(r'<a class="cite-url" href="([^"]+)"', html).group(1))


def test_the_cite_box_cites_the_page_with_its_filters_as_of_and_release(client, dataset):
    html = client.get("/jurisdictions/?state=TX&status=activated&as_of=2011-08-05").content.decode()
    assert "Cite this" in html
    url = _cite_url(html)
    assert url == "http://testserver/jurisdictions/?state=TX&status=activated&as_of=2011-08-05&release=r1"
    for form in ("APA", "Chicago", "BibTeX"):
        assert f"<summary>{form}</summary>" in html
    apa = unescape(re.search(r'data-cite="apa">(.*?)</pre>', html, re.S).group(1))
    assert apa.startswith("Secure Communities tracker. (")
    assert "Release r1, data as of 2011-08-05" in apa and url in apa and "Retrieved" in apa
    bibtex = unescape(re.search(r'data-cite="bibtex">(.*?)</pre>', html, re.S).group(1))
    assert bibtex.startswith("@misc{scomm_r1_20110805,") and "version = {r1}" in bibtex
    # The cited address answers (the same release, the same filters and day).
    assert client.get(url.removeprefix("http://testserver")).status_code == 200


def test_a_release_pages_cite_box_leaves_the_access_date_to_the_browser(client, dataset, releases_dir):
    from common.dates import us_today

    html = client.get("/states/IL/?release=r1").content.decode()
    apa = unescape(re.search(r'data-cite="apa">(.*?)</pre>', html, re.S).group(1))
    assert "Retrieved [date accessed], from" in apa
    assert 'data-accessed-placeholder="[date accessed]"' in html
    assert "/static/js/cite.js" in html
    assert "Accessed " + us_today().strftime("%B %-d, %Y") not in html
    assert "Accessed [date accessed]" in html


def test_the_cite_box_without_as_of_cites_the_day_shown(client, dataset):
    from common.dates import us_today

    html = client.get("/states/IL/").content.decode()
    assert _cite_url(html) == f"http://testserver/states/IL/?as_of={us_today().isoformat()}&release=r1"


def test_the_cite_box_on_a_release_page_cites_that_release(client, dataset, releases_dir):
    release_publish(note="Second")
    html = client.get("/jurisdictions/48201/?release=r1").content.decode()
    r1 = Release.objects.get(number=1)
    assert _cite_url(html) == f"http://testserver/jurisdictions/48201/?as_of={r1.day.isoformat()}&release=r1"
    html = client.get("/jurisdictions/48201/").content.decode()
    assert "&amp;release=r2" in html


def test_the_cite_box_says_when_the_data_moved_after_the_release(client, dataset):
    assert "The data has changed since r1" not in client.get("/about/").content.decode()
    edit_public_data(1)
    assert "The data has changed since r1" in client.get("/about/").content.decode()


def test_the_api_docs_have_the_cite_box_and_the_releases_section(client, dataset):
    html = client.get("/api/v1/", HTTP_ACCEPT="text/html").content.decode()
    assert 'id="releases"' in html and "stats/?as_of=2011-08-05&amp;release=r1" in html
    assert _cite_url(html).startswith("http://testserver/api/v1/?as_of=")
    assert _cite_url(html).endswith("&release=r1")


def test_the_release_page_is_the_same_every_day(client, dataset):
    text = client.get("/releases/r1/").content.decode()
    assert "Accessed [date accessed]" in text


def test_the_cite_box_on_a_spanish_page_writes_dates_the_spanish_way(client, dataset):
    from common.dates import real_today

    with translation.override("es"):
        today = local_date(real_today(), "long")
        published = local_date(Release.objects.get(number=1).day, "long")
    html = client.get("/es/jurisdictions/48201/").content.decode()
    apa = unescape(re.search(r'data-cite="apa">(.*?)</pre>', html, re.S).group(1))
    assert f"Recuperado el {today}, de http://testserver/es/jurisdictions/48201/" in apa
    # The title is the page's, without the site's name (in either language).
    assert "Harris County, Texas (" in apa and "Rastreador" not in apa
    chicago = unescape(re.search(r'data-cite="chicago">(.*?)</pre>', html, re.S).group(1))
    assert f"Publicado el {published}." in chicago and f"Consultado el {today}." in chicago
    bibtex = unescape(re.search(r'data-cite="bibtex">(.*?)</pre>', html, re.S).group(1))
    assert "Consultado el " in bibtex and "Accessed" not in bibtex
    assert f"(publicada el {published})" in html

"""Embeddable cards (/embed/...), the "Embed this" box and the oEmbed endpoint.

Only the card routes may be framed by another site; every other page keeps `frame-ancestors 'none'` and
X-Frame-Options DENY. A card sets no cookie, runs no script, weighs under 20 KB with its stylesheet, and follows
the data (it is answered from the same read model as the pages).
"""

import datetime
import html
import json
import re
from urllib.parse import quote

import pytest

from common.dates import us_today
from jurisdictions.models import Jurisdiction, Status
from tests.factories import PAGE_ALLOWANCE_QUERIES, SNAPSHOT_BUILD_QUERIES, make_source, make_status_change

pytestmark = pytest.mark.django_db


def _get_today(client, path):
    """The card and the US dates it may say "today" is (a run can cross midnight in New York between them)."""
    before = us_today()
    page = client.get(path).content.decode()
    return page, {f"{day:%-d %B %Y}" for day in (before, us_today())}


CARDS = [
    "/embed/jurisdictions/48201/",
    "/embed/jurisdictions/17031/?as_of=2010-05-01",
    "/embed/jurisdictions/51515/",  # Bedford city, VA: a historical unit with no shape today
    "/embed/jurisdictions/46102/",  # Oglala Lakota County, SD: status from the unit it replaced
    "/embed/states/IL/",
    "/embed/states/wy/?as_of=2010-01-01",
    "/embed/states/DC/",
]
# Pages that must never be framed (a sample of every kind of page and answer).
NOT_FRAMABLE = [
    "/",
    "/jurisdictions/",
    "/jurisdictions/48201/",
    "/states/IL/",
    "/agreements/",
    "/about/",
    "/downloads/",
    "/corrections/",
    "/corrections/report/",
    "/api/v1/",
    "/admin/login/",
]


def _directives(response) -> dict:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", CARDS)
def test_a_card_may_be_framed_by_any_site_and_carries_nothing_else(client, dataset, path):
    response = client.get(path, HTTP_ACCEPT_ENCODING="identity")
    assert response.status_code == 200
    assert _directives(response)["frame-ancestors"] == ["*"]
    assert "X-Frame-Options" not in response
    # The rest of the policy stays as strict as everywhere else.
    assert _directives(response)["script-src"] == ["'self'"]
    assert not response.cookies and "Set-Cookie" not in response
    page = response.content.decode()
    assert "<script" not in page and "<form" not in page
    # Under 20 KB with its one stylesheet, and nothing else loaded.
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert stylesheets == ["/static/css/embed.css"]
    css = b"".join(client.get(stylesheets[0]).streaming_content)
    assert len(response.content) + len(css) < 20_000
    # Nothing is loaded from elsewhere (links to the sources are links, not loads).
    assert " src=" not in page
    loaded = re.findall(r'<link rel="(?!canonical)[^"]+" href="([^"]+)"', page)
    assert all(href.startswith("/static/") for href in loaded)


@pytest.mark.parametrize("path", NOT_FRAMABLE)
def test_every_other_page_refuses_to_be_framed(client, dataset, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert _directives(response)["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


def test_a_county_card_says_status_since_when_agreement_source_and_links_back(client, dataset):
    page, today = _get_today(client, "/embed/jurisdictions/17031/")
    assert "Cook County, Illinois" in page
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", page)).split())
    assert any(f"status on {day} Cook County, Illinois Activated on 22 January 2013." in text for day in today)
    assert "Illinois State Police: Rescinded by ICE" in " ".join(text.split())
    assert "Source:" in text and "securecommunities.dta" in page
    assert 'href="http://testserver/jurisdictions/17031/" target="_blank" rel="noopener"' in page
    # The program's own state is said beside the county's, never folded into it.
    assert "reinstated nationwide" in text


def test_a_county_card_as_of_a_date(client, dataset):
    text = " ".join(
        re.sub(r"<[^>]+>", "", client.get("/embed/jurisdictions/17031/?as_of=2010-05-01").content.decode()).split()
    )
    assert "status on 1 May 2010 Cook County, Illinois Not activated." in text
    assert (
        'href="http://testserver/jurisdictions/17031/?as_of=2010-05-01"'
        in client.get("/embed/jurisdictions/17031/?as_of=2010-05-01").content.decode()
    )
    discontinued = client.get("/embed/jurisdictions/17031/?as_of=2015-06-01").content.decode()
    assert "ICE had replaced Secure Communities nationwide" in discontinued
    assert "Priority Enforcement Program" in discontinued


def test_a_disputed_date_is_shown_as_disputed_on_the_card(client, dataset):
    unit = next(
        unit for unit in Jurisdiction.objects.all() if any(change.is_disputed for change in unit.status_changes.all())
    )
    page = client.get(f"/embed/jurisdictions/{unit.fips}/").content.decode()
    assert "(disputed: also reported as " in page


def test_a_state_card_counts_its_jurisdictions_and_says_its_agreement(client, dataset):
    page, today = _get_today(client, "/embed/states/IL/")
    text = " ".join(re.sub(r"<[^>]+>", "", page).split())
    assert any(
        f"state on {day} Illinois 102 of 102 jurisdictions activated; all since 22 January 2013" in text
        for day in today
    )
    assert "Illinois State Police: Rescinded by ICE" in text
    wyoming = " ".join(
        re.sub(r"<[^>]+>", "", client.get("/embed/states/WY/?as_of=2010-01-01").content.decode()).split()
    )
    assert "state on 1 January 2010 Wyoming 0 of 23 jurisdictions activated." in wyoming
    # A state with no agreement on record, activated before the rescission: said plainly, not invented.
    texas = " ".join(re.sub(r"<[^>]+>", "", client.get("/embed/states/TX/").content.decode()).split())
    assert "not yet sourced" in texas


@pytest.mark.parametrize(
    "path,status",
    [
        ("/embed/jurisdictions/99999/", 404),
        ("/embed/jurisdictions/4820/", 404),
        ("/embed/jurisdictions/48201%00/", 400),
        ("/embed/states/ZZ/", 404),
        ("/embed/jurisdictions/48201/?as_of=2011-02-30", 400),
        ("/embed/jurisdictions/48201/?as_of=yesterday", 400),
        ("/embed/states/IL/?as_of=99999-01-01", 400),
        ("/embed/states/%EF%AC%82/", 404),  # "ﬂ", which upper() would turn into FL
        ("/embed/states/I%C4%B0/", 404),
    ],
)
def test_bad_card_addresses_are_clear_errors(client, dataset, path, status):
    assert client.get(path).status_code == status


def test_a_card_follows_the_data_and_its_etag_moves(client, dataset):
    before = client.get("/embed/jurisdictions/48201/")
    assert client.get("/embed/jurisdictions/48201/", HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304
    unit = Jurisdiction.objects.get(fips="48201")
    make_status_change(
        unit,
        effective_on=datetime.date(2008, 10, 20),
        status=Status.ACTIVATED,
        source=make_source(key="embed-test", title="A test report"),
    )
    after = client.get("/embed/jurisdictions/48201/")
    assert after["ETag"] != before["ETag"]
    assert 'on <time datetime="2008-10-20">20 October 2008</time>' in after.content.decode()


def test_a_card_costs_the_data_version_query_once_built(client, dataset, django_assert_num_queries):
    # Each card is computed, so each also counts its client's allowance (COMPUTED_RATE).
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES + PAGE_ALLOWANCE_QUERIES):
        assert client.get("/embed/jurisdictions/48201/").status_code == 200
    with django_assert_num_queries(1 + PAGE_ALLOWANCE_QUERIES):
        assert client.get("/embed/states/TX/?as_of=2012-01-01").status_code == 200


# --- the "Embed this" box and oEmbed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "page,card",
    [
        ("/jurisdictions/48201/", "/embed/jurisdictions/48201/"),
        ("/jurisdictions/48201/?as_of=2011-08-05", "/embed/jurisdictions/48201/?as_of=2011-08-05"),
        ("/states/IL/", "/embed/states/IL/"),
    ],
)
def test_county_and_state_pages_offer_the_iframe_code_and_an_oembed_link(client, dataset, page, card):
    content = client.get(page).content.decode()
    box = content.split('class="embed-this"')[1].split("</details>")[0]
    code = html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", box, re.S).group(1))
    assert code.startswith(f'<iframe src="http://testserver{card}" title="Secure Communities in ')
    assert 'loading="lazy"' in code and "<script" not in code
    discovery = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', content)
    answer = client.get(html.unescape(discovery.group(1)).replace("http://testserver", ""))
    assert answer.status_code == 200
    assert json.loads(answer.content)["html"] == code


@pytest.mark.parametrize(
    "url,card",
    [
        ("http://testserver/jurisdictions/17031/", "/embed/jurisdictions/17031/"),
        (
            "http://testserver/jurisdictions/17031/?as_of=2010-05-01&utm_source=x",
            "/embed/jurisdictions/17031/?as_of=2010-05-01",
        ),
        ("/states/il/", "/embed/states/IL/"),
        ("http://testserver/embed/states/TX/", "/embed/states/TX/"),
    ],
)
def test_oembed_answers_a_rich_iframe_for_county_and_state_pages(client, dataset, url, card):
    response = client.get("/oembed", {"url": url})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    answer = json.loads(response.content)
    assert answer["version"] == "1.0" and answer["type"] == "rich"
    assert answer["provider_name"] == "Secure Communities tracker"
    # As tall as this card needs at a phone's width (jurisdictions/embed_height.py; measured in
    # tests/test_browser_embeds.py), and the same in the code.
    assert answer["width"] == 480 and 150 < answer["height"] < 600
    assert f'height="{answer["height"]}"' in answer["html"]
    assert f'src="http://testserver{card}"' in answer["html"]


def test_oembed_honours_maxwidth_and_maxheight(client, dataset):
    answer = json.loads(client.get("/oembed", {"url": "/states/IL/", "maxwidth": "320", "maxheight": "260"}).content)
    assert (answer["width"], answer["height"]) == (320, 260)
    assert 'width="320" height="260"' in answer["html"]
    # Respected even below the card's size (the frame then scrolls), as the spec says.
    small = json.loads(client.get("/oembed", {"url": "/states/IL/", "maxwidth": "100"}).content)
    assert small["width"] == 100 and 'width="100"' in small["html"]


@pytest.mark.parametrize(
    "query,status",
    [
        ({}, 400),
        ({"url": ""}, 400),
        ({"url": "/states/IL/", "format": "xml"}, 501),
        ({"url": "https://elsewhere.example/jurisdictions/17031/"}, 404),
        ({"url": "javascript:alert(1)"}, 404),
        ({"url": "/about/"}, 404),
        ({"url": "/jurisdictions/"}, 404),
        ({"url": "/jurisdictions/99999/"}, 404),
        ({"url": "/states/ZZ/"}, 404),
        ({"url": "/nowhere/"}, 404),
        ({"url": "/states/IL/?as_of=2011-13-01"}, 400),
        ({"url": "/states/IL/", "maxwidth": "-5"}, 400),
        ({"url": "/states/IL/", "maxwidth": "0"}, 400),
        ({"url": "http://[::1/x"}, 404),
        ({"url": "http://[abc]/x"}, 404),
        ({"url": "http://testserver:99999/states/IL/"}, 404),
        ({"url": "/states/\ufb02/"}, 404),
        ({"url": "/states/IL/", "maxwidth": "1e9"}, 400),
        ({"url": "/states/IL/", "maxheight": "９９"}, 400),
    ],
)
def test_oembed_refuses_what_it_cannot_answer(client, dataset, query, status):
    response = client.get("/oembed", query)
    assert response.status_code == status, response.content
    if status in (400, 404):
        assert json.loads(response.content)["error"]


def test_oembed_for_a_page_with_a_quoted_address(client, dataset):
    url = "http://testserver/jurisdictions/17031/?as_of=2011-08-05"
    response = client.get("/oembed?url=" + quote(url, safe="") + "&format=json")
    assert 'src="http://testserver/embed/jurisdictions/17031/?as_of=2011-08-05"' in json.loads(response.content)["html"]


def test_a_cards_error_page_is_not_framable(client, dataset):
    response = client.get("/embed/jurisdictions/48201/?as_of=2011-02-30")
    assert response.status_code == 400
    assert _directives(response)["frame-ancestors"] == ["'none'"] and response["X-Frame-Options"] == "DENY"


def test_historical_and_later_units_say_so_on_their_card(client, dataset):
    bedford = " ".join(re.sub(r"<[^>]+>", "", client.get("/embed/jurisdictions/51515/").content.decode()).split())
    assert "A historical unit, since replaced by Bedford County, VA (51019)." in bedford
    oglala = " ".join(re.sub(r"<[^>]+>", "", client.get("/embed/jurisdictions/46102/").content.decode()).split())
    assert "its status is the one recorded for Shannon County (46113)" in oglala


def test_a_card_before_the_rescission_does_not_foretell_it(client, dataset):
    before = client.get("/embed/states/AK/?as_of=2009-01-01").content.decode()
    after = client.get("/embed/states/AK/?as_of=2011-08-05").content.decode()
    assert "rescinded every agreement" not in before
    assert "ICE rescinded every agreement on 5 August 2011" in after


@pytest.mark.parametrize(
    "url",
    [
        "http://TESTSERVER/states/IL/",
        "http://testserver:80/states/IL/",
        "http://testserver/states/IL",
        "/jurisdictions/17031",
    ],
)
def test_oembed_accepts_the_same_address_written_differently(client, dataset, url):
    assert client.get("/oembed", {"url": url, "format": "JSON"}).status_code == 200


def test_oembed_answers_head(client, dataset):
    assert client.head("/oembed", {"url": "/states/IL/"}).status_code == 200


# --- in Spanish --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CARDS)
def test_every_card_has_a_spanish_twin_under_es(client, dataset, path):
    from common import reading
    from tests.test_i18n import _english_left, _names

    response = client.get("/es" + path)
    assert response.status_code == 200
    assert _directives(response)["frame-ancestors"] == ["*"] and not response.cookies
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert not _english_left(page, _names(reading.current()))
    # Its links lead to the Spanish pages.
    assert re.search(r'class="foot"><a href="http://testserver/es/(jurisdictions|states)/', page)


def test_a_spanish_card_says_dates_the_spanish_way(client, dataset):
    text = " ".join(re.sub(r"<[^>]+>", "", client.get("/es/embed/jurisdictions/48201/").content.decode()).split())
    assert "Activada el 27 de octubre de 2008." in text
    state = " ".join(
        re.sub(r"<[^>]+>", "", client.get("/es/embed/states/IL/?as_of=2011-08-05").content.decode()).split()
    )
    assert "estado al 5 de agosto de 2011" in state and "26 de 102 jurisdicciones activadas" in state


def test_oembed_for_a_spanish_page_gives_the_spanish_card(client, dataset):
    answer = json.loads(
        client.get("/oembed", {"url": "http://testserver/es/jurisdictions/48201/?as_of=2011-08-05"}).content
    )
    assert 'src="http://testserver/es/embed/jurisdictions/48201/?as_of=2011-08-05"' in answer["html"]
    assert answer["title"] == "Secure Communities en Harris County, TX"
    # The English page still gets the English card.
    english = json.loads(client.get("/oembed", {"url": "/jurisdictions/48201/"}).content)
    assert 'src="http://testserver/embed/jurisdictions/48201/"' in english["html"]


def test_a_card_names_the_release_it_shows(client, dataset):
    from releases.models import Release

    latest = Release.objects.order_by("-number").first()
    current = client.get("/embed/jurisdictions/48201/").content.decode()
    assert f"current data; latest release r{latest.number}" in current
    assert f'href="http://testserver/releases/r{latest.number}/"' in current
    pinned = client.get(f"/embed/jurisdictions/48201/?release=r{latest.number}")
    assert pinned.status_code == 200 and _directives(pinned)["frame-ancestors"] == ["*"]
    assert f">release r{latest.number}</a>" in pinned.content.decode()
    assert client.get("/embed/jurisdictions/48201/?release=r999").status_code == 404

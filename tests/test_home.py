"""The home page (national county map, headline, rollout, date form) and the lookup box's suggestions."""

import datetime
import gzip
import json
import re

import pytest

from common import reading
from jurisdictions.models import Jurisdiction
from tests.factories import PAGE_ALLOWANCE_QUERIES, SNAPSHOT_BUILD_QUERIES
from tracker import map as county_maps

pytestmark = pytest.mark.django_db

# The first page of a data version builds the snapshot and counts the client's allowance of computed answers;
# the home page itself adds no query.
HOME_QUERIES = SNAPSHOT_BUILD_QUERIES + PAGE_ALLOWANCE_QUERIES


def test_home_renders_every_county_and_the_rollout_headline_in_fixed_queries(
    client, dataset, django_assert_num_queries
):
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<path data-fips=") == 3142
    assert "3,143 of 3,143 jurisdictions in 51 states activated between 27 October 2008 and 22 January 2013" in page


def test_without_a_date_counties_are_coloured_by_half_year_of_activation(client, dataset):
    page = client.get("/").content.decode()
    classes = re.findall(r'<path data-fips="(\d{5})" class="([^"]+)"', page)
    assert len(classes) == 3142
    # Today's status first (for the as-of view, one class away), then the half-year.
    assert dict(classes)["48201"] == "a q0"  # Harris County, 27 October 2008: 2008 H2
    assert dict(classes)["06037"] == "a q2"  # Los Angeles County, 27 August 2009: 2009 H2
    assert dict(classes)["17031"] == "a q9"  # Cook County, 22 January 2013: 2013 H1
    assert '<figure class="cmap story" id="county-map">' in page
    assert 'id="period-legend"' in page and "2008 H2" in page and "2013 H1" in page
    # The status legend is there for the as-of view the date control switches to, hidden until then.
    assert '<ul class="legend status-legend" id="status-legend" aria-label="Legend" hidden>' in page


def test_key_days_are_counted_from_the_snapshot(client, dataset):
    page = client.get("/").content.decode()
    snapshot = reading.current()
    for day in (datetime.date(2008, 10, 27), datetime.date(2011, 8, 5), datetime.date(2013, 1, 22)):
        counts = snapshot.state_counts(day).values()
        activated = sum(row.activated for row in counts)
        states = sum(1 for row in counts if row.activated)
        shown = "all 3,143" if activated == 3143 else f"{activated:,}"
        block = re.search(rf'data-key="\w+">\s*<dt><a href="\?as_of={day}".*?</dd>', page, re.S).group(0)
        assert f'<strong class="key-n">{shown}</strong>' in block
        assert f"in {states} state" in block
    assert '<strong class="key-n">1,475</strong> jurisdictions in 43 states' in page


def test_the_date_slider_spans_every_day_to_today_and_marks_the_later_eras(client, dataset):
    page = client.get("/").content.decode()
    # To today: the date box, the slider and its aria-valuetext always name one day (tests/test_browser_words.py).
    assert 'aria-label="Date, from 27 October 2008 to today"' in page
    assert 'data-era="2014-11-20"' in page and 'data-era="2017-01-25"' in page


def test_the_as_of_view_keeps_its_status_colours(client, dataset):
    page = client.get("/?as_of=2011-08-05").content.decode()
    assert 'id="period-legend"' not in page
    assert not re.search(r'class="q\d', page)
    assert '<a href="/" data-view="story">' in page


def test_home_as_of_a_date_shows_that_days_numbers_in_the_same_queries(client, dataset, django_assert_num_queries):
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get("/?as_of=2011-08-05")
    page = response.content.decode()
    assert "1,475 of 3,143 jurisdictions in 43 states activated on 5 August 2011" in page
    assert 'value="2011-08-05"' in page
    assert page.count('class="a"') == 1475 - _activated_off_map("2011-08-05") + _successors_activated("2011-08-05")


def test_a_repeat_visit_costs_one_query_and_can_be_a_304(client, dataset, django_assert_num_queries):
    first = client.get("/?as_of=2011-08-05")
    with django_assert_num_queries(1):
        again = client.get("/?as_of=2011-08-05")
    assert again.content == first.content
    with django_assert_num_queries(1):
        unchanged = client.get("/?as_of=2011-08-05", HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304
    assert client.get("/?as_of=2011-08-06")["ETag"] != first["ETag"]


def test_an_edit_changes_the_page(client, dataset):
    first = client.get("/?as_of=2011-08-05")
    cook = Jurisdiction.objects.get(fips="17031")
    cook.name = "Cook County (renamed)"
    cook.save()
    again = client.get("/?as_of=2011-08-05", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert "Cook County (renamed), Illinois — activated 22 January 2013" in again.content.decode()


# Counted independently, by the SQL form of the as-of rule.
def _activated_off_map(day):
    units = Jurisdiction.objects.filter(in_dataset=True, on_current_map=False)
    return units.with_status(day).filter(status="activated").count()


def _successors_activated(day):
    units = Jurisdiction.objects.filter(on_current_map=True).filter(in_dataset=False)
    return units.with_status(day).filter(status="activated").count()


def test_without_javascript_each_county_is_a_link_with_an_accessible_name(client, dataset):
    page = client.get("/?as_of=2011-08-05").content.decode()
    assert (
        '<a href="/jurisdictions/17031/" aria-label="Cook County, Illinois — activated 22 January 2013">'
        '<path data-fips="17031" class="n" data-a="2013-01-22" d="M' in page
    )
    assert 'aria-label="Harris County, Texas — activated 27 October 2008"' in page
    # A successor unit says whose data it shows, and is marked as not counted.
    assert (
        'aria-label="Kusilvak Census Area, Alaska — activated 10 April 2012 '
        '(data recorded for Wade Hampton Census Area)">'
        '<path data-fips="02158" class="n" data-s="1" data-a="2012-04-10"' in page
    )
    labels = re.findall(r'<a href="/jurisdictions/(\d{5})/" aria-label="([^"]+)"><path data-fips="(\d{5})"', page)
    assert len(labels) == 3142
    assert all(href == fips for href, _, fips in labels)
    # The no-JS date form, the legend in words, the table alternative.
    assert '<form class="date-form" method="get" action="/">' in page
    assert '<input type="date" id="as-of" name="as_of"' in page
    assert "Not activated yet</li>" in page and "Activated</li>" in page
    assert '/jurisdictions/?as_of=2011-08-05"' in page
    # No inline script (the site's Content-Security-Policy forbids it): only the JSON data block.
    scripts = re.findall(r"<script[^>]*>", page)
    assert all('type="application/json"' in tag or " src=" in tag for tag in scripts), scripts
    assert 'style="' not in page


def test_state_table_agrees_with_the_headline(client, dataset):
    response = client.get("/?as_of=2011-08-05")
    rows = response.context["state_rows"]
    assert len(rows) == 51
    assert sum(row.activated for row in rows) == 1475
    assert sum(1 for row in rows if row.activated) == 43
    assert sum(row.total for row in rows) == 3143
    assert '<a href="/states/IL/?as_of=2011-08-05">Illinois</a></th><td>' in response.content.decode()


@pytest.mark.parametrize("day", ["2008-10-27", "2010-09-30", "2011-08-05", "2012-06-01", "2013-01-22"])
def test_the_browsers_rule_gives_the_servers_numbers(dataset, day):
    """map.js counts units whose activation date is on or before the day; that must equal the as-of rule's."""
    day = datetime.date.fromisoformat(day)
    snapshot = reading.current()
    national = county_maps.county_map(snapshot, day)
    counted = [unit for unit in national.units if unit.counted]
    by_rule = [unit for unit in counted if unit.activated_on and unit.activated_on <= day]
    counts = snapshot.state_counts(day)
    assert len(by_rule) == sum(row.activated for row in counts.values())
    assert len({unit.state_fips for unit in by_rule}) == sum(1 for row in counts.values() if row.activated)
    assert len(counted) == sum(row.total for row in counts.values())
    drawn = [unit for unit in national.units if unit.on_map]
    assert {u.fips for u in drawn if u.activated_on and u.activated_on <= day} == {
        u.fips for u in drawn if u.fips in national.activated_fips
    }


def test_map_data_block_lists_counted_units_without_a_shape(client, dataset):
    page = client.get("/").content.decode()
    block = re.search(r'<script id="map-data" type="application/json">(.*?)</script>', page, re.S).group(1)
    data = json.loads(block)
    assert data["unmapped"]["02270"] == "2012-04-10"  # Wade Hampton, now Kusilvak
    assert len(data["unmapped"]) == 8
    assert any(event["date"] == "2011-08-05" for event in data["events"])


def test_rollout_chart_and_key_events_are_on_the_page(client, dataset):
    page = client.get("/?as_of=2011-08-05").content.decode()
    assert 'id="rollout-chart"' in page
    assert "Activations per year: 2008:" in page
    assert 'href="?as_of=2011-08-05" data-date="2011-08-05"' in page
    assert 'href="?as_of=2013-01-22" data-date="2013-01-22"' in page


@pytest.mark.parametrize(
    "query, message",
    [
        ("as_of=2011-02-30", "as_of must be a date written YYYY-MM-DD"),
        ("as_of=yesterday", "as_of must be a date written YYYY-MM-DD"),
        ("as_of=1990-01-01", "on or after 2008-01-01"),
        ("as_of=2999-01-01", "cannot be in the future"),
    ],
)
def test_home_refuses_a_bad_date_with_the_reason(client, dataset, query, message):
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_home_is_compressed_for_browsers_that_accept_gzip(client, dataset):
    response = client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) < 260_000
    assert gzip.decompress(response.content).count(b"<path data-fips=") == 3142


def test_a_county_page_draws_its_state_with_the_county_highlighted(client, dataset):
    """The one state-map builder (jurisdictions/views.py): Illinois's 102 counties, Cook outlined."""
    body = client.get("/jurisdictions/17031/?as_of=2011-08-05").content.decode()
    state_map = body[body.index('class="state-map') :]
    state_map = state_map[: state_map.index("</svg>")]
    assert state_map.count("data-fips=") == 102
    assert 'data-fips="17031" class="county status-not_activated current"' in state_map
    assert state_map.count(' current"') == 1


# --- lookup suggestions ---------------------------------------------------------------------------------------


def _suggest(client, q):
    response = client.get("/search/suggest", {"q": q})
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("st louis", {"29510", "29189"}),
        ("Saint Louis", {"29510", "29189"}),
        ("miami dade", {"12086"}),
        ("dona ana", {"35013"}),
        ("Doña Ana County", {"35013"}),
        ("48201", {"48201"}),
        ("orleans", {"22071"}),
    ],
)
def test_suggest_is_tolerant(client, dataset, query, expected):
    found = {row["fips"] for row in _suggest(client, query)["results"]}
    assert expected <= found


def test_suggest_result_shape(client, dataset, django_assert_max_num_queries):
    _suggest(client, "warm")  # the snapshot is built
    # The data version, and the client's search allowance: one upsert (common/allowances.py).
    with django_assert_max_num_queries(2):
        data = _suggest(client, "st louis")
    by_fips = {row["fips"]: row for row in data["results"]}
    assert by_fips["29510"] == {
        "fips": "29510",
        "name": "St. Louis city",
        "state": "MO",
        "label": "St. Louis city, Missouri",
        "url": "/jurisdictions/29510/",
        "matched": {"by": "name", "text": "Its name matches."},
    }
    assert by_fips["29189"]["label"] == "St. Louis County, Missouri"


@pytest.mark.parametrize("query", ["Illinois", "illinois", "IL", "il"])
def test_suggest_finds_states_by_name_or_postal_code(client, dataset, query):
    states = _suggest(client, query)["states"]
    assert states[0] == {"postal": "IL", "name": "Illinois", "label": "Illinois", "url": "/states/IL/"}


def test_suggest_with_nothing_to_look_up(client, dataset, django_assert_num_queries):
    _suggest(client, "warm")  # the snapshot is built
    nothing = {"results": [], "states": [], "did_you_mean": [], "notes": []}
    # The data version and the search allowance's upsert (every request counts, an empty one too).
    with django_assert_num_queries(2):
        assert _suggest(client, "  ") == nothing
    assert _suggest(client, "zzzzqqq") == nothing


def test_county_outlines_for_use_my_location(client, dataset):
    response = client.get("/map/counties-wgs84.json")
    data = json.loads(response.content)
    assert len(data) == 3142
    name, rings = data["17031"]
    assert name == "Cook County, Illinois"
    # First point absolute, in 1/10,000 degree: Cook County lies between 88.3 and 87.5 W.
    assert -883000 < rings[0][0] < -875000 and 415000 < rings[0][1] < 422000


def test_county_outlines_are_sent_compressed(client, dataset):
    response = client.get("/map/counties-wgs84.json", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response["Content-Encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(response.content))) == 3142


def test_home_answers_head_and_refuses_post(client, dataset):
    assert client.head("/").status_code == 200
    assert client.generic("POST", "/").status_code == 405
    # With a body, it is refused before anything reads it (common/middleware.py).
    assert client.post("/").status_code == 413

"""The record pages: a jurisdiction (/jurisdictions/<fips>/), the states (/states/ and /states/<postal>/) and the
agreements (/agreements/), as of any day, with pinned query counts and clear errors."""

import re

import pytest

from tests.factories import PAGE_ALLOWANCE_QUERIES, SNAPSHOT_BUILD_QUERIES
from tests.pages_helpers import page_html

pytestmark = pytest.mark.django_db


# --- /jurisdictions/<fips>/ ------------------------------------------------------------------------------


def test_detail_shows_status_date_and_source(client, dataset, django_assert_num_queries):
    # Unit, its history, successors, predecessors, the state's agreements, the state map's statuses.
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES + PAGE_ALLOWANCE_QUERIES):
        response = client.get("/jurisdictions/48201/")
    page = response.content.decode()
    assert "Harris County, Texas" in page
    assert "27 October 2008" in page
    assert "<cite" in page and "Secure Communities county activation dates" in page
    assert 'href="https://github.com/asadlasad/vargasnunezetal_2026_pnas/blob/' in page


def test_detail_query_count_with_agreements_and_as_of(client, dataset, django_assert_num_queries):
    # Plus the agreements' status changes and sources.
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES + PAGE_ALLOWANCE_QUERIES):
        assert client.get("/jurisdictions/17031/?as_of=2011-08-05").status_code == 200


def test_detail_as_of_a_date_before_activation(client, dataset):
    page = page_html(client, "/jurisdictions/17031/?as_of=2011-08-05")
    assert "Status on 5 August 2011</dt><dd>Not activated" in page
    assert "Not yet activated on 5 August 2011" in page
    assert "Status today</dt><dd>Activated" in page


def test_detail_explains_a_disputed_date(client, dataset):
    page = page_html(client, "/jurisdictions/36009/")
    assert "Date disputed" in page
    assert "1 June 2011" in page
    assert "6 January 2011" in page


def test_detail_shows_the_states_agreement_history(client, dataset):
    page = page_html(client, "/jurisdictions/17031/")
    assert "Illinois State Police" in page
    assert "November 2009 (day not known)" in page
    assert "Terminated by the state" in page
    assert "Rescinded by ICE" in page


def test_detail_has_a_state_map_with_the_county_highlighted(client, dataset):
    page = page_html(client, "/jurisdictions/17031/")
    assert page.count("<path ") == 102  # Illinois' counties
    assert re.search(r'data-fips="17031" class="county status-activated current"><title>Cook County', page)
    body = page.split("<body>")[1]
    assert 'href="http://testserver/jurisdictions/17031/"' not in body  # permalink is relative...
    assert "http://testserver/jurisdictions/17031/" in body  # ...and shown in full


def test_detail_of_a_successor_names_the_historical_unit(client, dataset):
    page = page_html(client, "/jurisdictions/46102/")
    assert "Shannon County (46113)" in page
    assert "31 August 2010" in page
    assert "not counted a second time" in page


def test_detail_of_a_retired_unit_links_its_successors_and_highlights_them(client, dataset):
    page = page_html(client, "/jurisdictions/02232/")
    assert "Replaced by:" in page
    assert 'href="/jurisdictions/02105/"' in page and 'href="/jurisdictions/02230/"' in page
    assert "no shape on today's county map" in page
    assert re.search(r'data-fips="02105" class="county status-\w+ current"', page)
    assert "today Hoonah-Angoon Census Area and Skagway Municipality, highlighted" in page


def test_detail_of_a_state_with_no_agreement_says_it_is_not_yet_sourced(client, dataset):
    page = page_html(client, "/jurisdictions/48201/")
    assert "Agreement not yet sourced." in page and "first county was activated on" in page
    assert 'href="/corrections/report/?page=/jurisdictions/48201/"' in page


def test_detail_escapes_a_hostile_as_of(client, dataset):
    response = client.get("/jurisdictions/48201/?as_of=<script>alert(1)</script>")
    assert response.status_code == 400
    assert "<script>alert" not in response.content.decode()


def test_unknown_fips_is_404(client, dataset):
    response = client.get("/jurisdictions/99999/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


# --- /states/ --------------------------------------------------------------------------------------------


def test_state_index_lists_51_states_with_counts_and_agreements(client, dataset, django_assert_num_queries):
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES + PAGE_ALLOWANCE_QUERIES):
        response = client.get("/states/")
    page = response.content.decode()
    assert page.count('<th scope="row"><a href="/states/') == 51
    assert "51 states" in page
    assert "102 of 102" in page  # Illinois today
    assert "2013-01-22" in page


def test_state_index_as_of_the_rescission(client, dataset, django_assert_num_queries):
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES + PAGE_ALLOWANCE_QUERIES):
        page = page_html(client, "/states/?as_of=2011-08-05")
    assert "1,475 of 3,143 jurisdictions" in page
    assert "in 43 states" in page
    assert 'href="/states/IL/?as_of=2011-08-05"' in page
    assert "Rescinded by ICE" in page


def test_state_index_refuses_a_bad_date(client, dataset):
    assert client.get("/states/?as_of=2011-8-5").status_code == 400


# --- /states/<postal>/ -----------------------------------------------------------------------------------


def test_state_page_lists_agreements_and_jurisdictions(client, dataset, django_assert_num_queries):
    # State, its agreements with their changes and sources, its units, its events with their sources.
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES + PAGE_ALLOWANCE_QUERIES):
        response = client.get("/states/NY/?as_of=2011-08-05")
    page = response.content.decode()
    assert "revised MOA negotiated by Gov. Paterson" in page
    assert "Rescinded by ICE" in page
    assert "of 62 jurisdictions activated as of 5 August 2011" in page


def test_state_page_illinois_agreement_history(client, dataset):
    page = page_html(client, "/states/IL/")
    assert "November 2009 (day not known)" in page
    assert '<time datetime="2011-05-04">4 May 2011</time>: <strong>Terminated by the state</strong>' in page
    assert '<time datetime="2011-08-05">5 August 2011</time>: <strong>Rescinded by ICE</strong>' in page
    assert '<time datetime="2009-11">' in page  # month precision, never padded to a day
    assert "<cite" in page


def test_state_page_says_when_the_state_was_fully_activated(client, dataset):
    page = page_html(client, "/states/IL/")
    assert 'Fully activated</dt><dd><time datetime="2013-01-22">22 January 2013</time>' in page
    page = page_html(client, "/states/IL/?as_of=2011-08-05")
    assert "Fully activated</dt><dd>Not yet on 5 August 2011" in page


def test_state_page_shows_state_events_and_map(client, dataset):
    page = page_html(client, "/states/IL/")
    assert "Gov. Quinn sends ICE a letter" in page
    assert page.count("<path ") == 102
    assert 'data-fips="17031"' in page


def test_state_page_of_a_state_without_agreement_says_which_kind_of_gap(client, dataset):
    # Texas's counties were activated from 2008, before ICE's rescission: its agreement is not yet sourced.
    assert "Agreement not yet sourced." in page_html(client, "/states/TX/")
    # Every Maine county was activated after the rescission, when no agreement was asked for.
    maine = page_html(client, "/states/ME/")
    assert "No agreement between Maine and ICE is on record" in maine and "not yet sourced" not in maine


def test_state_page_lower_case_redirects(client, dataset):
    response = client.get("/states/il/?as_of=2011-08-05")
    assert response.status_code == 301
    assert response["Location"] == "/states/IL/?as_of=2011-08-05"


@pytest.mark.parametrize("url", ["/states/ZZ/", "/states/ILL/", "/states/%3Cb%3E/"])
def test_unknown_state_is_404(client, dataset, url):
    assert client.get(url).status_code == 404


def test_state_page_refuses_a_bad_date(client, dataset):
    response = client.get("/states/IL/?as_of=2011-02-29")
    assert response.status_code == 400
    assert "as_of must be a date written YYYY-MM-DD" in response.content.decode()


# --- /agreements/ ----------------------------------------------------------------------------------------


def test_agreements_page_lists_every_agreement_with_history(client, dataset, django_assert_num_queries):
    # Agreements, their changes, their sources, the rescission event and its sources.
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES + PAGE_ALLOWANCE_QUERIES):
        response = client.get("/agreements/")
    page = response.content.decode()
    # Eleven of agreements*.csv and Maryland's, Virginia's and Nevada's of agreement_leads.csv.
    assert page.count('<section class="agreement"') == 14
    assert "14 agreements and their status today" in page
    assert "Illinois State Police" in page and "November 2009 (day not known)" in page
    assert "Washington State Patrol" in page and "State declined to sign" in page


def test_agreements_page_explains_the_rescission_and_the_dispute(client, dataset):
    page = page_html(client, "/agreements/")
    assert 'id="rescission"' in page
    assert "5 August 2011" in page
    assert "<strong>42</strong> states" in page
    assert "<strong>39</strong> governors" in page
    assert 'href="https://www.aila.org/' in page


def test_agreements_page_as_of_a_date(client, dataset, django_assert_num_queries):
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES + PAGE_ALLOWANCE_QUERIES):
        page = page_html(client, "/agreements/?as_of=2010-06-01")
    row = re.search(r"Illinois State Police</a></td>.*?</tr>", page, re.S).group(0)
    assert "In force" in row
    assert "No dated record yet" in page  # e.g. Colorado, signed 2011


def test_agreements_page_refuses_a_bad_date(client, dataset):
    assert client.get("/agreements/?as_of=nope").status_code == 400

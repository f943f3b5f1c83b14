"""The first public pages: the jurisdiction list and detail, server-rendered, with pinned query counts."""

import pytest

pytestmark = pytest.mark.django_db


def test_list_shows_every_counted_jurisdiction_with_status(client, dataset, django_assert_num_queries):
    with django_assert_num_queries(6):
        response = client.get("/jurisdictions/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "3,143 jurisdictions" in page
    assert "Autauga County" in page


def test_list_query_count_does_not_depend_on_the_filter(client, dataset, django_assert_num_queries):
    with django_assert_num_queries(6):
        client.get("/jurisdictions/?state=TX&as_of=2011-08-05&page=2")


def test_list_filters_by_state(client, dataset):
    page = client.get("/jurisdictions/?state=TX").content.decode()
    assert "254 jurisdictions" in page
    assert "Harris County" not in page  # page one holds A to G only
    assert "Anderson County" in page
    assert "Autauga County" not in page


def test_list_filters_by_status_as_of_a_date(client, dataset):
    page = client.get("/jurisdictions/?status=activated&as_of=2011-08-05").content.decode()
    assert "1,475 jurisdictions" in page
    page = client.get("/jurisdictions/?status=not_activated&as_of=2011-08-05").content.decode()
    assert "1,668 jurisdictions" in page


@pytest.mark.parametrize(
    "query, message",
    [
        ("as_of=2011-02-30", "as_of must be a date written YYYY-MM-DD"),
        ("as_of=yesterday", "as_of must be a date written YYYY-MM-DD"),
        ("as_of=1990-01-01", "on or after 2008-01-01"),
        ("as_of=2999-01-01", "cannot be in the future"),
        ("state=ZZ", "Unknown state"),
        ("status=<script>", "Unknown status"),
    ],
)
def test_list_refuses_bad_parameters_with_a_reason(client, dataset, query, message):
    response = client.get(f"/jurisdictions/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_detail_shows_status_date_and_source(client, dataset, django_assert_num_queries):
    with django_assert_num_queries(5):
        response = client.get("/jurisdictions/48201/")
    page = response.content.decode()
    assert "Harris County, Texas" in page
    assert "27 October 2008" in page
    assert "Secure Communities county activation dates" in page
    assert 'href="https://github.com/asadlasad/vargasnunezetal_2026_pnas/blob/' in page


def test_detail_as_of_a_date_before_activation(client, dataset):
    page = client.get("/jurisdictions/17031/?as_of=2011-08-05").content.decode()
    assert "Status on 5 August 2011</dt><dd>Not activated" in page
    assert "Not yet activated on 5 August 2011" in page
    assert "Status today</dt><dd>Activated" in page


def test_detail_explains_a_disputed_date(client, dataset):
    page = client.get("/jurisdictions/36009/").content.decode()
    assert "Date disputed" in page
    assert "6 January 2011" in page


def test_detail_shows_the_states_agreement_history(client, dataset):
    page = client.get("/jurisdictions/17031/").content.decode()
    assert "Illinois State Police" in page
    assert "November 2009 (day not known)" in page
    assert "Terminated by the state" in page
    assert "Rescinded by ICE" in page


def test_detail_of_a_successor_names_the_historical_unit(client, dataset):
    page = client.get("/jurisdictions/46102/").content.decode()
    assert "Shannon County (46113)" in page
    assert "31 August 2010" in page


def test_detail_of_a_state_with_no_agreement_says_so(client, dataset):
    page = client.get("/jurisdictions/48201/").content.decode()
    assert "No agreement between Texas and ICE is recorded with a source" in page


def test_unknown_fips_is_404(client, dataset):
    assert client.get("/jurisdictions/99999/").status_code == 404


def test_state_page_lists_agreements_and_jurisdictions(client, dataset, django_assert_num_queries):
    with django_assert_num_queries(5):
        response = client.get("/states/NY/?as_of=2011-08-05")
    page = response.content.decode()
    assert "revised MOA negotiated by Gov. Paterson" in page
    assert "Rescinded by ICE" in page
    assert "of 62 jurisdictions activated as of 5 August 2011" in page

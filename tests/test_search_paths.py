"""The one name matcher (jurisdictions/search.py) on every public path: the list page, the API's `q` and the
lookup suggestions all find each spelling of the table in tests/search_spellings.py (the importer is tested in
tests/test_search_import.py)."""

import pytest

from tests.search_spellings import SPELLINGS

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def answers(django_db_blocker, django_db_setup):
    """Every spelling asked once on each path (a module-wide pass keeps the 400-odd requests quick)."""
    from django.test import Client, override_settings

    client = Client()
    found = {}
    # Hundreds of searches from one address: more than the per-client search allowance, which is tested elsewhere.
    with django_db_blocker.unblock(), override_settings(SEARCH_RATE=None):
        for query, _ in SPELLINGS:
            api = client.get("/api/v1/jurisdictions/", {"q": query, "include": "successors", "page_size": 100})
            suggest = client.get("/search/suggest", {"q": query})
            page = client.get("/jurisdictions/", {"q": query, "include": "successors"})
            found[query] = (
                [row["fips"] for row in api.json()["results"]],
                [row["fips"] for row in suggest.json()["results"]],
                page.content.decode(),
            )
    return found


@pytest.mark.parametrize("query, fips", SPELLINGS)
def test_every_spelling_finds_its_place_on_every_path(answers, query, fips):
    api, suggestions, page = answers[query]
    assert fips in api[:10], (query, api[:10])
    assert fips in suggestions, (query, suggestions)
    assert f'href="/jurisdictions/{fips}/' in page, query


def test_nothing_found_offers_the_closest_names_on_the_page_and_in_the_api(client, dataset):
    api = client.get("/api/v1/jurisdictions/", {"q": "harriss"}).json()
    assert api["count"] == 0 and "48201" in [row["fips"] for row in api["did_you_mean"]]
    page = client.get("/jurisdictions/", {"q": "harriss"}).content.decode()
    assert "Did you mean" in page and 'href="/jurisdictions/48201/"' in page
    assert "48201" in [row["fips"] for row in client.get("/search/suggest", {"q": "harriss"}).json()["did_you_mean"]]


def test_a_query_that_names_a_state_shows_the_state(client, dataset):
    page = client.get("/jurisdictions/", {"q": "texas"}).content.decode()
    assert 'The state: <a href="/states/TX/">Texas</a>' in page
    assert client.get("/search/suggest", {"q": "texas"}).json()["states"][0]["postal"] == "TX"


def test_a_later_fips_code_is_explained(client, dataset):
    api = client.get("/api/v1/jurisdictions/", {"q": "09110"}).json()
    assert any("planning regions" in note for note in api["notes"])
    page = client.get("/jurisdictions/", {"q": "09110"}).content.decode()
    assert "planning regions" in page

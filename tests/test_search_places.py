"""Find your county by whatever you know: a city, a ZIP code, Spanish words, today's name (issue 24).

The table in tests/search_queries.py (400-odd real lookups with the units each must find) runs on the matcher
and on every public path: the list page, the API's `q` and the suggestions, in English and in Spanish. The
mechanism is then checked over the shipped tables themselves: any place of the places table, with its state,
finds its counties; any ZIP code finds its counties.
"""

import csv
import random

import pytest

from jurisdictions.search import gazetteer
from tests.search_queries import ALL, CITIES, NYC, SPANISH, SPANISH_STATES, TODAY, ZIPS
from tests.search_spellings import fixture_matcher

QUERIES = [query for query, _ in ALL]


def _found(query: str) -> list[str]:
    """The exact matches, and the units they were recorded under or replaced by."""
    result = fixture_matcher().search(query)
    related = [
        place.fips for place, why in zip(result.places, result.why, strict=True) if why.by in ("period", "today")
    ]
    return (result.fips[: result.exact] if result.exact else result.fips) + related


def test_the_table_is_large_and_covers_every_state_s_zip_codes():
    assert len(ALL) + len(SPANISH_STATES) >= 200
    assert len(CITIES) >= 100
    zip_states = {gazetteer.shipped().zip_code(code[:5].rjust(5, "0")).state for code, _ in ZIPS}
    assert len(zip_states) == 51


@pytest.mark.parametrize("query, expected", ALL, ids=QUERIES)
def test_each_lookup_finds_its_units(query, expected):
    assert expected <= set(_found(query)), (query, _found(query)[:8])


@pytest.mark.parametrize(
    "query, first",
    [
        ("chicago", ["17031"]),
        ("houston", ["48201", "48157", "48339", "01069"]),
        ("boston", ["25025"]),
        ("kansas city", ["29095", "29047", "29165", "29037", "20209"]),
        ("new york city", sorted(NYC)),
        ("atlanta", ["13121", "13089"]),
        ("60614", ["17031"]),
        ("miami", ["12086"]),
        # A place that is itself the unit found by name keeps the usual order: counties, then the city.
        ("st louis", ["27137", "29189", "29510"]),
        ("baltimore", ["24005", "24510"]),
    ],
)
def test_the_largest_place_of_a_name_comes_first(query, first):
    assert fixture_matcher().search(query).fips[: len(first)] == first


def test_each_result_says_why_it_matched():
    matcher = fixture_matcher()
    why = dict(zip(matcher.search("houston").fips, matcher.search("houston").why, strict=True))
    assert why["48201"].by == "place" and (why["48201"].name, why["48201"].state) == ("Houston", "TX")
    assert why["48225"].by == "name"
    assert [w.by for w in matcher.search("60614").why] == ["zip"]
    assert [w.by for w in matcher.search("nyc").why] == ["alias"] * 5
    assert [w.by for w in matcher.search("oglala lakota").why] == ["name", "period"]
    assert [w.by for w in matcher.search("46113").why][:2] == ["fips", "today"]
    assert {w.by for w in matcher.search("texas").why} >= {"name", "state"}
    assert {w.by for w in matcher.search("harri").why} == {"partial"}


def test_a_number_that_is_a_fips_code_and_a_zip_code_finds_both():
    result = fixture_matcher().search("48201")
    assert result.fips == ["48201", "26163"] and [w.by for w in result.why] == ["fips", "zip"]
    assert any("postal delivery routes" in str(note) for note in result.notes)


def test_a_zip_code_says_zip_codes_are_routes_not_areas():
    result = fixture_matcher().search("60614")
    assert "ZIP codes are postal delivery routes, not areas" in str(result.notes[0])
    assert "No county" not in " ".join(str(note) for note in result.notes)


def test_a_misspelt_city_suggests_the_county_it_lies_in():
    result = fixture_matcher().search("chicgo")
    assert result.places == () and result.did_you_mean[0].fips == "17031"
    assert result.did_you_mean_why[0].name == "Chicago"


def test_spanish_kind_words_prefer_their_own_kind():
    # "parroquia": Orleans Parish, not Orleans County in New York or Vermont.
    assert fixture_matcher().search("parroquia orleans").fips == ["22071"]
    assert fixture_matcher().search("condado de los angeles").fips == ["06037"]


@pytest.mark.parametrize("query, postal, first_unit", SPANISH_STATES)
def test_spanish_state_names_find_the_state(query, postal, first_unit):
    result = fixture_matcher().search(query)
    assert result.states[0].postal == postal and first_unit in result.fips


def test_a_spanish_state_prefix_lists_the_states_it_starts():
    assert [state.postal for state in fixture_matcher().search("carolina").states] == ["NC", "SC"]
    assert {"NM", "NY", "NJ", "NH"} <= {state.postal for state in fixture_matcher().search("nuev").states}


# --- the import: a place is not a unit ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state, name, counties",
    [
        ("IL", "Chicago", {"17031", "17043"}),
        ("TX", "Houston Police Department", {"48201", "48157", "48339"}),
        ("GA", "Atlanta", {"13121", "13089"}),
        ("CA", "Fresno", set()),  # a county of that name: resolved, not refused
    ],
)
def test_an_import_row_naming_a_place_is_an_error_with_its_counties(state, name, counties):
    resolution = fixture_matcher().resolve(state, name, "")
    if not counties:
        assert resolution.place is not None and resolution.place.fips == "06019"
        return
    assert resolution.place is None and "not a county or county-equivalent" in resolution.error
    assert {place.fips for place in resolution.suggestions} == counties


def test_an_import_row_naming_a_county_is_unchanged_by_places():
    matcher = fixture_matcher()
    assert matcher.resolve("TX", "Houston", "").place.fips == "48225"  # Houston County, Texas: a unit
    assert matcher.resolve("VA", "Richmond", "").place is None  # still ambiguous: the county and the city


# --- the mechanism, over the shipped tables ---------------------------------------------------------------------


def _rows(name: str) -> list[dict]:
    with open(gazetteer.LOOKUP_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_any_place_with_its_state_finds_its_counties():
    matcher = fixture_matcher()
    states = {state.postal: state.name for state in matcher.states}
    places = [row for row in _rows("places.csv") if int(row["population"]) >= 5000]
    missed = []
    for row in random.Random(24).sample(places, 400):
        query = f"{row['name']}, {states[row['state']]}"
        result = matcher.search(query)
        expected = {matcher.place(code).fips for code in row["counties"].split()}
        if not expected <= set(result.fips[: result.exact]):
            missed.append((query, sorted(expected), result.fips[:5]))
    assert not missed, missed[:10]


def test_any_zip_code_finds_its_counties():
    matcher = fixture_matcher()
    missed = []
    for row in random.Random(24).sample(_rows("zips.csv"), 400):
        result = matcher.search(row["zip"])
        if not set(row["counties"].split()) <= set(result.fips):
            missed.append((row["zip"], row["counties"], result.fips))
    assert not missed, missed[:10]


def test_the_tables_name_only_units_the_tracker_has():
    matcher = fixture_matcher()
    for name in ("places.csv", "zips.csv"):
        codes = {code for row in _rows(name) for code in row["counties"].split()}
        assert all(matcher.place(code) is not None for code in codes), name


# --- every path: the list page, the API's q, the suggestions -----------------------------------------------------


@pytest.fixture(scope="module")
def answers(django_db_blocker, django_db_setup):
    """Every query asked once on each path, in English, and the Spanish forms on the Spanish pages too."""
    from django.test import Client, override_settings

    client = Client()
    found = {}
    spanish = {query for query, _ in SPANISH + TODAY}
    with django_db_blocker.unblock(), override_settings(SEARCH_RATE=None):
        for query, _ in ALL:
            api = client.get("/api/v1/jurisdictions/", {"q": query, "page_size": 100}).json()
            suggest = client.get("/search/suggest", {"q": query}).json()
            page = client.get("/jurisdictions/", {"q": query}).content.decode()
            entry = {"api": api, "suggest": [row["fips"] for row in suggest["results"]], "page": page}
            if query in spanish:
                entry["suggest_es"] = [
                    row["fips"] for row in client.get("/es/search/suggest", {"q": query}).json()["results"]
                ]
                entry["page_es"] = client.get("/es/jurisdictions/", {"q": query}).content.decode()
            found[query] = entry
        for query, _, _ in SPANISH_STATES:
            entry = found.setdefault(query, {})
            entry["states_es"] = client.get("/es/search/suggest", {"q": query}).json()["states"]
            entry["suggest"] = [row["fips"] for row in client.get("/search/suggest", {"q": query}).json()["results"]]
    return found


def _fits(query: str, expected: set[str], listed: list[str], room: int) -> bool:
    """All of `expected` when the exact matches fit in `room` results, else at least one (the suggestions show 10:
    "washington" has 30 Washington Counties after the District of Columbia)."""
    if fixture_matcher().search(query).exact <= room:
        return expected <= set(listed)
    return bool(expected & set(listed))


@pytest.mark.django_db
@pytest.mark.parametrize("query, expected", ALL, ids=QUERIES)
def test_each_lookup_finds_its_units_on_every_path(answers, query, expected):
    found = answers[query]
    api_fips = [row["fips"] for row in found["api"]["results"]]
    assert expected <= set(api_fips), ("api", query, api_fips[:10])
    assert all("matched" in row and row["matched"]["text"] for row in found["api"]["results"])
    assert _fits(query, expected, found["suggest"], 10), ("suggest", query, found["suggest"])
    for code in expected:
        assert f'href="/jurisdictions/{code}/' in found["page"], ("page", query, code)
    if "page_es" in found:
        assert _fits(query, expected, found["suggest_es"], 10), ("suggest es", query, found["suggest_es"])
        for code in expected:
            assert f'href="/es/jurisdictions/{code}/' in found["page_es"], ("page es", query, code)


@pytest.mark.django_db
@pytest.mark.parametrize("query, postal, first_unit", SPANISH_STATES)
def test_spanish_state_names_are_suggested_on_the_spanish_pages(answers, query, postal, first_unit):
    assert answers[query]["states_es"][0]["postal"] == postal
    assert first_unit in answers[query]["suggest"]


@pytest.mark.django_db
def test_the_list_page_says_which_is_the_place_and_which_the_county(client, dataset):
    page = client.get("/jurisdictions/", {"q": "houston"}).content.decode()
    assert "Houston, TX is a place in Harris County." in page
    assert page.index("Harris County") < page.index("Houston County")
    spanish = client.get("/es/jurisdictions/", {"q": "houston"}).content.decode()
    assert "Houston, TX es una localidad de Harris County." in spanish


@pytest.mark.django_db
def test_today_s_name_lists_the_period_unit_with_its_link_and_note(client, dataset):
    page = client.get("/jurisdictions/", {"q": "oglala lakota"}).content.decode()
    assert 'href="/jurisdictions/46113/' in page and "Renamed Oglala Lakota County (46102) in 2015." in page
    api = client.get("/api/v1/jurisdictions/", {"q": "kusilvak"}).json()
    assert [row["fips"] for row in api["results"]] == ["02270"]
    assert api["results"][0]["matched"]["by"] == "period" and api["notes"]
    suggest = client.get("/search/suggest", {"q": "petersburg borough"}).json()["results"]
    assert [row["fips"] for row in suggest] == ["02195", "02280"]
    assert suggest[1]["matched"]["text"].startswith("The 2008–2013 data record Petersburg Borough (02195)")


@pytest.mark.django_db
def test_a_zip_code_page_says_zip_codes_are_routes(client, dataset):
    page = client.get("/jurisdictions/", {"q": "60614"}).content.decode()
    assert "ZIP codes are postal delivery routes, not areas" in page
    assert "No county or county-equivalent has the FIPS code" not in page
    assert "ZIP code 60614 (Chicago, IL) is filed under Cook County." in page


@pytest.mark.django_db
def test_a_failed_search_says_so_beside_the_search_box(client, dataset):
    page = client.get("/jurisdictions/", {"q": "chicgo"}).content.decode()
    outcome = page.index('id="q-outcome"')
    assert page.index('id="filter-q"') < outcome < page.index('id="filter-state"') < page.index("<table")
    assert 'href="/jurisdictions/17031/">Chicago (Cook County, Illinois)</a>' in page[outcome:]


@pytest.mark.django_db
def test_suggestions_offer_the_closest_names_when_nothing_matches(client, dataset):
    data = client.get("/es/search/suggest", {"q": "chicgo"}).json()
    assert data["results"] == [] and data["did_you_mean"][0]["fips"] == "17031"
    assert data["did_you_mean"][0]["matched"] == {"by": "place", "text": "Chicago, IL es una localidad de Cook County."}


@pytest.mark.django_db
def test_search_costs_no_more_queries(client, dataset, django_assert_max_num_queries):
    client.get("/search/suggest", {"q": "warm"})
    # The data version, and the client's search or API allowance: one upsert (common/allowances.py).
    with django_assert_max_num_queries(2):
        client.get("/search/suggest", {"q": "kansas city"})
    client.get("/api/v1/jurisdictions/", {"q": "warm"})
    with django_assert_max_num_queries(2):
        client.get("/api/v1/jurisdictions/", {"q": "60614"})

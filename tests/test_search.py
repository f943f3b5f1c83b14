"""The one matcher (jurisdictions/search.py) on the search paths: the spellings people type
(tests/search_spellings.py) on a Matcher built from the fixture files, without a database.

The contract of search (list page, API `q`, suggestions): the FIPS code is among the exact matches,
`Result.places[:exact]` (a bare name such as "Harris Co." rightly finds Harris County in Georgia and in Texas).
The importer's side is tests/test_search_import.py."""

import threading

import pytest

from jurisdictions.search import Matcher, fold
from tests.search_spellings import LATER_CODES, MULTI, SPELLINGS, STATE_AGENCIES, fixture_matcher

# --- search ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query, fips", SPELLINGS)
def test_every_spelling_is_found_by_search(query, fips):
    result = fixture_matcher().search(query)
    assert fips in [place.fips for place in result.places[: result.exact]], (query, result.places[:6])


@pytest.mark.parametrize("query, expected", MULTI)
def test_a_name_of_several_units_finds_all_of_them(query, expected):
    result = fixture_matcher().search(query)
    # Units of that name; places of that name follow among the exact matches (LaSalle, Colorado is in Weld County).
    by_name = {place.fips for place, why in zip(result.places, result.why, strict=True) if why.by in ("name", "alias")}
    assert by_name == expected
    assert set(result.fips[: result.exact]) >= expected


def test_the_spelling_table_is_large_and_real():
    matcher = fixture_matcher()
    assert len(SPELLINGS) >= 80
    assert all(matcher.place(fips) is not None for _, fips in SPELLINGS)


def test_la_county_is_los_angeles_county_alone():
    assert fixture_matcher().search("la county").fips == ["06037"]
    assert fixture_matcher().search("LA County Sheriff").fips == ["06037"]


def test_a_state_in_the_query_keeps_the_state_s_units_only():
    matcher = fixture_matcher()
    assert matcher.search("harris tx").fips == ["48201"]
    assert matcher.search("harris county, georgia").fips == ["13145"]
    assert matcher.search("St. Louis, Mo.").fips == ["29189", "29510"]
    # "co" is Colorado when something there fits ("el paso co"), the county abbreviation otherwise.
    assert matcher.search("harris co").fips == ["13145", "48201"]


def test_kind_words_tell_a_county_from_an_independent_city():
    matcher = fixture_matcher()
    assert matcher.search("richmond city").fips == ["51760"]
    assert matcher.search("baltimore county md").fips == ["24005"]
    assert matcher.search("baltimore city").fips == ["24510"]
    assert "51760" not in matcher.search("richmond county va").fips


def test_kind_words_alone_do_not_match_every_unit():
    # Each "... County" has a word starting with "co"; that is not a reason to list 3,000 of them.
    assert {place.state_postal for place in fixture_matcher().search("co").places[:64]} == {"CO"}
    assert len(fixture_matcher().search("co").places) < 200
    assert fixture_matcher().search("county").places == ()


def test_exact_names_come_first_then_names_that_start_with_the_query():
    found = fixture_matcher().search("harris").fips
    assert found[:2] == ["13145", "48201"]
    assert "18061" in found[2:]  # Harrison County, Indiana
    # Counties before the independent city of the same name; then St. Louis, Michigan (a town in Gratiot County).
    assert fixture_matcher().search("st louis").fips == ["27137", "29189", "29510", "26057"]


def test_typing_part_of_a_name_suggests_as_you_type():
    matcher = fixture_matcher()
    assert matcher.search("harris cou").fips[:2] == ["13145", "48201"]
    assert set(matcher.search("st louis c").fips) == {"27137", "29189", "29510"}
    assert "17043" in matcher.search("dupa").fips
    assert "18091" in matcher.search("lapor").fips


@pytest.mark.parametrize(
    "query, postal, first_places, state_units",
    [
        ("texas", "TX", ["29215", "40139"], 254),  # Texas County, Missouri and Oklahoma: exact names first
        ("tx", "TX", ["48001"], 254),
        ("new york", "NY", ["36061"], 62),
        ("dc", "DC", ["11001"], 1),
        ("Washington", "WA", [], 39),
    ],
)
def test_a_query_that_names_a_state_shows_the_state_and_its_units(query, postal, first_places, state_units):
    result = fixture_matcher().search(query)
    assert result.states[0].postal == postal
    assert result.fips[: len(first_places)] == first_places
    assert len([place for place in result.places if place.state_postal == postal]) == state_units
    listed = [fold(place.name) for place in result.places[result.exact :] if place.state_postal == postal]
    assert listed == sorted(listed)  # the state's units in name order, after the exact names


def test_a_state_prefix_lists_the_states_it_starts():
    assert [state.postal for state in fixture_matcher().search("new").states] == ["NH", "NJ", "NM", "NY"]


@pytest.mark.parametrize(
    "query, first",
    [("mecklenberg", "37119"), ("pottawatamie", "19155"), ("st lous", "27137"), ("prnce georges", "24033")],
)
def test_nothing_found_offers_the_closest_names(query, first):
    result = fixture_matcher().search(query)
    assert result.places == () and result.did_you_mean[0].fips == first


def test_a_name_in_the_wrong_state_says_so_and_offers_it_elsewhere():
    result = fixture_matcher().search("harris ca")
    assert result.places == ()
    assert [place.fips for place in result.did_you_mean[:2]] == ["13145", "48201"]
    assert "Nothing called “harris” in California." in result.notes


def test_gibberish_finds_nothing_and_suggests_nothing():
    for query in ["zzzz nowhere", "", "   ", "!!!", "qqqqqqqqqqq", "\x00", "x" * 500]:
        result = fixture_matcher().search(query)
        assert (result.places, result.did_you_mean) == ((), ()), query


def test_fips_codes_find_the_unit_and_the_one_it_replaced_or_was_replaced_by():
    matcher = fixture_matcher()
    result = matcher.search("46102")
    # ... and 46102 is also a ZIP code of Boone County, Indiana: both are shown, the FIPS code first.
    assert result.fips == ["46102", "46113", "18011"] and [why.by for why in result.why] == ["fips", "period", "zip"]
    assert "Shannon County (46113) until 2015" in result.notes[0]
    assert matcher.search("46113").fips == ["46113", "46102", "18097"]  # and an Indianapolis ZIP code
    assert matcher.search("02232").fips == ["02232", "02105", "02230"]
    assert matcher.search("4013").fips == ["04013"]
    assert matcher.search("48").states[0].postal == "TX" and len(matcher.search("48").places) == 254
    assert matcher.search("99999").places == () and "99999" in matcher.search("99999").notes[0]


@pytest.mark.parametrize("code, period_units, named", LATER_CODES)
def test_later_codes_find_the_period_units_with_a_reason(code, period_units, named):
    result = fixture_matcher().search(code)
    # 02063 and 02066 are also Massachusetts ZIP codes: their counties follow the period units.
    assert set(result.fips[: len(period_units)]) == period_units
    assert {why.by for why in result.why[len(period_units) :]} <= {"zip"}
    assert named in result.notes[0]
    if code.startswith("09"):
        assert "do not map one-to-one onto its eight counties" in result.notes[0]
        for county in ["Fairfield (09001)", "Hartford (09003)", "Tolland (09013)", "Windham (09015)"]:
            assert county in result.notes[0]


def test_later_units_are_found_by_name_too():
    assert fixture_matcher().search("chugach").fips == ["02261"]
    assert fixture_matcher().search("capitol planning region").fips == ["09003", "09013"]


@pytest.mark.parametrize("state, name", STATE_AGENCIES)
def test_a_state_agency_matches_no_place_and_says_why(state, name):
    result = fixture_matcher().search(name)
    assert result.places == () and result.states[0].postal == state
    assert "is a state agency" in result.notes[0]


def test_limit_caps_places_and_results_are_shared_read_only():
    matcher = fixture_matcher()
    assert len(matcher.search("harr", limit=5).places) == 5 < len(matcher.search("harr").places)
    assert matcher.search("harris", limit=1).exact == 1
    assert matcher.search("harris") is matcher.search("harris")  # cached, immutable
    with pytest.raises(AttributeError):
        matcher.search("harris").places = ()


def test_one_matcher_serves_many_threads():
    matcher = fixture_matcher()
    queries = [query for query, _ in SPELLINGS] + [query for query, _ in MULTI]
    expected = {query: matcher._search(query) for query in queries}
    failures = []

    def work():
        for query in queries:
            if matcher.search(query) != expected[query]:
                failures.append(query)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_a_repeated_fips_code_is_refused():
    place = fixture_matcher().place("48201")
    with pytest.raises(ValueError, match="appears twice"):
        Matcher([place, place], [("TX", "48", "Texas")])

"""The one matcher (jurisdictions/search.py): the spellings people type, on the search paths and the importer.

`SPELLINGS` is the shared table: every (query, FIPS) row must find its unit on every path. The contract:
- search (list page, API `q`, suggestions): the FIPS code is among the exact matches, `Result.places[:exact]`
  (a bare name such as "Harris Co." rightly finds Harris County in Georgia and in Texas);
- import: a row with the unit's state and the query as its name (a query of digits goes to the FIPS column)
  resolves to exactly that unit.
Queries that mean several units on purpose are in `MULTI` (search) and `AMBIGUOUS` (import: an error naming every
candidate). Most tests here run on a Matcher built from the fixture files, without a database; the last ones check
that the Matcher the importer builds from the database reads the same.
"""

import csv
import functools
import threading

import pytest
from django.conf import settings

from jurisdictions import importer
from jurisdictions.search import Matcher, Place, fold, strip_kind
from tracker.dataset import kind_from_name

SPELLINGS = [
    # The issue's own list.
    ("prince georges", "24033"),
    ("obrien", "19141"),
    ("lasalle", "17099"),
    ("laporte", "18091"),
    ("du page", "17043"),
    ("oglala lakota", "46102"),
    ("46102", "46102"),
    ("02158", "02158"),
    ("brooklyn", "36047"),
    ("manhattan", "36061"),
    ("staten island", "36085"),
    ("dc", "11001"),
    ("washington dc", "11001"),
    ("dekalb", "29063"),
    ("de kalb", "17037"),
    ("la county", "06037"),
    ("harris tx", "48201"),
    ("Harris County Sheriff's Office", "48201"),
    ("Harris Co. Sheriff's Office", "48201"),
    ("Harris Co.", "48201"),
    ("Harris Co. SO", "48201"),
    ("Baltimore city", "24510"),
    ("Richmond city", "51760"),
    ("Richmond Police Department", "51760"),
    ("La Salle", "48283"),
    ("LaSalle Parish", "22059"),
    ("DeKalb County, Georgia", "13089"),
    ("DuPage", "17043"),
    ("La Porte", "18091"),
    ("LaPorte County Sheriff", "18091"),
    ("st louis city", "29510"),
    ("St. Louis County, Missouri", "29189"),
    ("st louis county mn", "27137"),
    # The dataset's own names (fixtures/activations.csv, map_units.csv), and the ways they are retyped.
    ("Miami-Dade", "12086"),
    ("miami dade", "12086"),
    ("Dona Ana", "35013"),
    ("DOÑA ANA COUNTY", "35013"),
    ("orleans parish", "22071"),
    ("New Orleans", "22071"),
    ("Ste. Genevieve", "29186"),
    ("Sainte Genevieve County", "29186"),
    ("St. John the Baptist Parish", "22095"),
    ("St John the Baptist", "22095"),
    ("Queen Annes", "24035"),
    ("St. Mary's County, MD", "24037"),
    ("st marys md", "24037"),
    ("Matanuska-Susitna Borough", "02170"),
    ("Mat-Su", "02170"),
    ("Juneau City and Borough", "02110"),
    ("City and Borough of Juneau", "02110"),
    ("Anchorage Municipality", "02020"),
    ("Municipality of Anchorage", "02020"),
    ("Valdez Cordova", "02261"),
    ("Yukon-Koyukuk", "02290"),
    ("Wade Hampton Census Area", "02270"),
    ("Kusilvak", "02158"),
    ("Shannon County, SD", "46113"),
    ("Carson City", "32510"),
    ("James City County", "51095"),
    ("Charles City", "51036"),
    ("Fairfax city", "51600"),
    ("Fairfax County Police Department", "51059"),
    ("City of Alexandria", "51510"),
    ("Alexandria city", "51510"),
    ("Norfolk Sheriff's Office", "51710"),
    ("Virginia Beach", "51810"),
    ("Virginia Beach Police Department", "51810"),
    ("Roanoke city", "51770"),
    ("Roanoke County", "51161"),
    ("Bedford County, VA", "51019"),
    ("Bedford city", "51515"),
    ("Clifton Forge", "51560"),
    ("South Boston city", "51780"),
    ("District of Columbia", "11001"),
    ("Prince of Wales-Outer Ketchikan", "02201"),
    ("Skagway-Hoonah-Angoon", "02232"),
    ("Petersburg Borough", "02195"),
    ("Wrangell", "02275"),
    ("Kenai Peninsula", "02122"),
    ("Kalawao", "15005"),
    ("Hawaii County", "15001"),
    ("Lac qui Parle", "27073"),
    ("Lewis & Clark County", "30049"),
    ("Mc Lean County, IL", "17113"),
    ("McKean County", "42083"),
    ("Pottawattamie", "19155"),
    ("4013", "04013"),
    ("48201", "48201"),
    # Participating agencies, named the way ICE's and the states' lists name them.
    ("Los Angeles County Sheriff's Department", "06037"),
    ("County of Los Angeles", "06037"),
    ("Cook County Sheriff's Office", "17031"),
    ("Cook County Department of Corrections", "17031"),
    ("Maricopa County Sheriff's Office", "04013"),
    ("Dallas Co. SO", "48113"),
    ("Tarrant County Sheriff's Office", "48439"),
    ("Travis County Sheriff's Office", "48453"),
    ("Bexar County Sheriffs Office", "48029"),
    ("Hidalgo County Sheriff's Office (TX)", "48215"),
    ("Suffolk County Sheriff's Department, MA", "25025"),
    ("Nassau County Police Department", "36059"),
    ("Prince George's County Police Department", "24033"),
    ("Mecklenburg County Sheriff's Office", "37119"),
    ("Gwinnett County Sheriff", "13135"),
    ("Cobb County Sheriff's Office", "13067"),
    ("Davidson County Sheriff's Office", "47037"),
    ("Orange County Sheriff's Department, CA", "06059"),
    ("Palm Beach County Sheriff's Office", "12099"),
    ("Broward Sheriff's Office", "12011"),
    ("Multnomah County Sheriff's Office", "41051"),
    ("Washoe County Sheriff", "32031"),
    ("Santa Fe County Adult Detention Center", "35049"),
    ("Yuma County Jail", "04027"),
    ("Pima County Sheriff's Dept.", "04019"),
    ("Hennepin County Sheriff", "27053"),
    # Newsroom spreadsheets: AP state abbreviations, "Ft.", parentheses, states spelled out.
    ("cook county il", "17031"),
    ("maricopa az", "04013"),
    ("El Paso County, TX", "48141"),
    ("el paso co", "08041"),
    ("Fort Bend", "48157"),
    ("Ft. Bend County", "48157"),
    ("Kings County (Brooklyn)", "36047"),
    ("the bronx", "36005"),
    ("Richmond County (Staten Island)", "36085"),
    ("Montgomery County, Md.", "24031"),
    ("Arlington, Va.", "51013"),
    ("Shelby County, Tenn.", "47157"),
    ("Jefferson Parish", "22051"),
    ("East Baton Rouge Parish", "22033"),
    ("Orange County, Fla.", "12095"),
    ("Hillsborough County, FL", "12057"),
    ("Salt Lake County", "49035"),
    ("King County, Wash.", "53033"),
    ("Clark County, NV", "32003"),
    ("Lake County, Ind.", "18089"),
    ("Marion County, Indiana", "18097"),
    ("Philadelphia", "42101"),
    ("Allegheny County", "42003"),
    ("Denver", "08031"),
    ("Honolulu", "15003"),
    ("Westchester", "36119"),
    ("Wake County, N.C.", "37183"),
    ("Pinellas", "12103"),
]

# Queries that mean several units: search finds every one of them among its exact matches.
MULTI = [
    ("nyc", {"36005", "36047", "36061", "36081", "36085"}),
    ("new york city", {"36005", "36047", "36061", "36081", "36085"}),
    ("lasalle", {"17099", "22059", "48283"}),
    ("la salle", {"17099", "22059", "48283"}),
    ("dekalb", {"01049", "13089", "17037", "18033", "29063", "47041"}),
    ("de kalb", {"01049", "13089", "17037", "18033", "29063", "47041"}),
    ("st louis", {"27137", "29189", "29510"}),
    ("st louis missouri", {"29189", "29510"}),
    ("Harris Co.", {"13145", "48201"}),
]

# Import rows whose name fits several units of the state: an error naming each, never a guess.
AMBIGUOUS = [
    ("Virginia", "Richmond", {"51159", "51760"}),
    ("Maryland", "Baltimore", {"24005", "24510"}),
    ("MO", "St. Louis", {"29189", "29510"}),
    ("MO", "st louis missouri", {"29189", "29510"}),
    ("VA", "Fairfax", {"51059", "51600"}),
    ("VA", "Roanoke", {"51161", "51770"}),
    ("VA", "Franklin", {"51067", "51620"}),
    ("VA", "Bedford", {"51019", "51515"}),
    ("VA", "Richmond Sheriff's Office", {"51159", "51760"}),
    ("NY", "nyc", {"36005", "36047", "36061", "36081", "36085"}),
]

# Codes of units newer than the tracker's map, and the period's units they came from.
LATER_CODES = [
    ("02063", {"02261"}, "Valdez-Cordova Census Area (02261)"),
    ("02066", {"02261"}, "Valdez-Cordova Census Area (02261)"),
    ("09110", {"09003", "09013"}, "Capitol Planning Region"),
    ("09120", {"09001"}, "Greater Bridgeport Planning Region"),
    ("09130", {"09007", "09011"}, "Lower Connecticut River Valley Planning Region"),
    ("09140", {"09001", "09003", "09005", "09009"}, "Naugatuck Valley Planning Region"),
    ("09150", {"09011", "09013", "09015"}, "Northeastern Connecticut Planning Region"),
    ("09160", {"09003", "09005"}, "Northwest Hills Planning Region"),
    ("09170", {"09009"}, "South Central Connecticut Planning Region"),
    ("09180", {"09011", "09015"}, "Southeastern Connecticut Planning Region"),
    ("09190", {"09001", "09005"}, "Western Connecticut Planning Region"),
]

STATE_AGENCIES = [
    ("VA", "Virginia Department of Corrections"),
    ("TX", "Texas Department of Criminal Justice"),
    ("AZ", "Arizona DPS"),
    ("NY", "New York State Police"),
    ("CA", "California Highway Patrol"),
]


def _read(name: str) -> list[dict]:
    with open(settings.DATASET_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@functools.cache
def fixture_matcher() -> Matcher:
    """A Matcher over the shipped files alone, the way a caller without a database would build one."""
    states = [(row["postal"], row["fips"], row["name"]) for row in _read("states.csv")]
    state_of = {postal: (name, fips) for postal, fips, name in states}
    map_units = {row["fips"]: row for row in _read("map_units.csv")}
    places = []
    for row in _read("activations.csv"):
        unit = map_units.get(row["county_fips"], {})
        name, fips = state_of[row["state_postal"]]
        places.append(
            Place(
                row["county_fips"],
                row["jurisdiction_name"],
                kind_from_name(row["jurisdiction_name"]),
                row["state_postal"],
                name,
                fips,
                on_current_map=unit.get("on_current_map", "1") == "1",
                replaced_by=tuple(unit.get("replaced_by", "").split()),
                change_note=unit.get("change_note", ""),
            )
        )
    for code, unit in map_units.items():
        if unit["in_dataset"] == "0":
            name, fips = state_of[unit["state_postal"]]
            places.append(
                Place(
                    code,
                    unit["name"],
                    unit["kind"],
                    unit["state_postal"],
                    name,
                    fips,
                    True,
                    False,
                    unit["status_from"],
                    (),
                    unit["change_note"],
                )  # fmt: skip
            )
    return Matcher(places, states)


def _is_fips(query: str) -> bool:
    return query.replace(" ", "").isdigit()


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


# --- resolve (the importer's question) --------------------------------------------------------------------------


@pytest.mark.parametrize("query, fips", SPELLINGS)
def test_every_spelling_resolves_to_its_unit_in_an_import_row(query, fips):
    matcher = fixture_matcher()
    state = matcher.place(fips).state_postal
    if _is_fips(query):
        resolution = matcher.resolve(state, "", query)
    else:
        resolution = matcher.resolve(state, query, "")
    assert resolution.place is not None and resolution.place.fips == fips, resolution.error


@pytest.mark.parametrize("state, name, candidates", AMBIGUOUS)
def test_a_name_that_fits_several_units_is_an_error_naming_each(state, name, candidates):
    resolution = fixture_matcher().resolve(state, name, "")
    assert resolution.place is None
    assert {place.fips for place in resolution.suggestions} == candidates
    assert "fits more than one jurisdiction" in resolution.error
    for fips in candidates:
        assert f"({fips})" in resolution.error


def test_richmond_and_baltimore_read_exactly():
    matcher = fixture_matcher()
    assert matcher.resolve("Virginia", "Richmond County", "").place.fips == "51159"
    assert matcher.resolve("VA", "Richmond city", "").place.fips == "51760"
    assert matcher.resolve("VA", "City of Richmond", "").place.fips == "51760"
    assert matcher.resolve("MD", "Baltimore City", "").place.fips == "24510"
    assert matcher.resolve("MD", "Baltimore Co.", "").place.fips == "24005"
    # A FIPS code settles an ambiguous name.
    assert matcher.resolve("VA", "Richmond", "51760").place.fips == "51760"
    error = matcher.resolve("Virginia", "Richmond", "").error
    assert error.startswith("“Richmond” fits more than one jurisdiction in Virginia: Richmond County (51159) and ")


@pytest.mark.parametrize("code, period_units, named", LATER_CODES)
def test_a_later_code_in_an_import_row_is_an_error_naming_the_period_units(code, period_units, named):
    resolution = fixture_matcher().resolve("", "", code)
    assert resolution.place is None
    assert {place.fips for place in resolution.suggestions} == period_units
    assert f"FIPS {code} is " in resolution.error and named in resolution.error
    for fips in period_units:
        assert fips in resolution.error


@pytest.mark.parametrize("state, name", STATE_AGENCIES)
def test_a_state_agency_row_is_refused_with_the_reason(state, name):
    resolution = fixture_matcher().resolve(state, name, "")
    assert resolution.place is None and "is a state agency" in resolution.error


def test_a_city_police_department_outside_an_independent_city_is_refused():
    resolution = fixture_matcher().resolve("TX", "Houston Police Department", "")
    assert resolution.place is None and "city police department" in resolution.error


@pytest.mark.parametrize(
    "state, name, fips, error",
    [
        ("ZZ", "Harris", "", "“ZZ” is not a state"),
        ("", "Harris County", "", "has no state"),
        ("AL", "", "48201", "FIPS 48201 is Harris County, Texas, not in Alabama"),
        ("TX", "Dallas County", "48201", "but the row names “Dallas County”"),
        ("TX", "", "48999", "FIPS “48999” is not a jurisdiction"),
        ("TX", "Haris County", "", "No jurisdiction in Texas is called “Haris County”"),
    ],
)
def test_rows_that_match_nothing_say_why(state, name, fips, error):
    assert error in fixture_matcher().resolve(state, name, fips).error


def test_closest_names_of_an_unmatched_row():
    matcher = fixture_matcher()
    assert matcher.resolve("TX", "Haris County", "").suggestions[0].fips == "48201"
    assert matcher.resolve("NC", "Mecklenberg", "").suggestions[0].fips == "37119"
    assert matcher.resolve("MO", "St Lous", "").suggestions[0].fips in {"29189", "29510"}


def test_fips_codes_as_spreadsheets_write_them():
    matcher = fixture_matcher()
    assert matcher.resolve("", "", "1001").place.fips == "01001"
    assert matcher.resolve("", "", "48201.0").place.fips == "48201"
    # A renamed unit under its other name, with its code.
    assert matcher.resolve("SD", "Shannon County", "46102").place.fips == "46102"
    assert matcher.resolve("SD", "Oglala Lakota County", "46113").place.fips == "46113"


def test_the_state_may_come_with_the_name():
    matcher = fixture_matcher()
    assert matcher.resolve("", "Harris County, TX", "").place.fips == "48201"
    assert matcher.resolve("", "Washington DC", "").place.fips == "11001"
    assert matcher.resolve("Tex.", "Harris", "").place.fips == "48201"


# --- normalisation -----------------------------------------------------------------------------------------------


def test_fold_and_key():
    assert fold("Ste. Genevieve") == "saint genevieve"
    assert fold("O'Brien") == "obrien" and fold("Prince George’s") == "prince georges"
    assert fold("Ft. Bend") == "fort bend" and fold("MT") == "mt"
    assert strip_kind(fold("Doña Ana County")) == "dona ana"
    assert strip_kind(fold("Juneau City and Borough")) == "juneau"


# --- the Matcher the importer builds from the database ------------------------------------------------------------


@pytest.mark.django_db
def test_the_database_matcher_reads_every_spelling_as_the_fixture_matcher(dataset):
    from_db = importer.build_matcher()
    from_files = fixture_matcher()
    assert len(from_db.places) == len(from_files.places) == 3150
    for query, _ in SPELLINGS + MULTI:
        assert from_db.search(query).fips == from_files.search(query).fips, query
    assert from_db.place("46113").replaced_by == ("46102",)
    assert from_db.place("46102").status_from == "46113"

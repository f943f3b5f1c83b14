"""The spellings people type and the units they mean, shared by every test of the one matcher
(jurisdictions/search.py): tests/test_search.py, test_search_import.py, test_search_paths.py, test_import.py.

`SPELLINGS` is the shared table: every (query, FIPS) row must find its unit on every path. Queries that mean
several units on purpose are in `MULTI` (search) and `AMBIGUOUS` (import: an error naming every candidate).
`fixture_matcher` is a Matcher built from the fixture files alone, without a database."""

import csv
import functools

from django.conf import settings

from jurisdictions.search import Matcher, Place
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

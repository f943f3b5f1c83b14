"""The one matcher (jurisdictions/search.py) as the importer asks it: a row with the unit's state and a spelling
(tests/search_spellings.py) as its name (a query of digits goes to the FIPS column) resolves to exactly that
unit, or is an error naming every candidate or saying why. Then normalisation, and a check that the Matcher the
importer builds from the database reads every spelling as the one built from the fixture files."""

import pytest

from jurisdictions import importer
from jurisdictions.search import fold, strip_kind
from tests.search_spellings import AMBIGUOUS, LATER_CODES, MULTI, SPELLINGS, STATE_AGENCIES, fixture_matcher


def _is_fips(query: str) -> bool:
    return query.replace(" ", "").isdigit()


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

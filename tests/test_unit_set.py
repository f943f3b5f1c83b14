"""The unit set as it is: the source's codes told apart by vintage, pages for later codes, numbers computed."""

import re

import pytest

from agreements.models import Event
from jurisdictions.models import Jurisdiction
from tests.factories import PAGE_ALLOWANCE_QUERIES, SNAPSHOT_BUILD_QUERIES

pytestmark = pytest.mark.django_db


def _text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))


@pytest.mark.parametrize(
    "fips, year, holders",
    [
        ("02063", 2019, ["Valdez-Cordova Census Area (02261)"]),
        ("09110", 2022, ["Hartford County (09003)", "Tolland County (09013)"]),
    ],
)
def test_a_later_code_has_a_page_naming_the_units_that_held_its_area(
    client, dataset, django_assert_num_queries, fips, year, holders
):
    # The snapshot's build and the count of the client's allowance of computed answers (COMPUTED_RATE).
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES + PAGE_ALLOWANCE_QUERIES):
        response = client.get(f"/jurisdictions/{fips}/")
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))
    assert response.status_code == 200
    assert f"is a Census code created in {year}, after Secure Communities was rolled out" in page
    assert "It was never a unit of the program" in page
    for holder in holders:
        assert holder in page
    assert "county-changes.html" in response.content.decode()
    spanish = _text(client, f"/es/jurisdictions/{fips}/")
    assert f"es un código del Censo creado en {year}" in spanish
    # Not a unit: no API record, and never counted.
    assert client.get(f"/api/v1/jurisdictions/{fips}/").status_code == 404
    assert (
        client.get("/api/v1/stats/").json()["total_jurisdictions"]
        == Jurisdiction.objects.filter(in_dataset=True).count()
    )


def test_an_unknown_code_is_still_a_404(client, dataset):
    assert client.get("/jurisdictions/02064/").status_code == 404


def test_the_units_of_2007_and_2008_are_not_called_created_later(client, dataset):
    for fips, year in [("02105", 2007), ("02230", 2007), ("02198", 2008), ("02275", 2008), ("02195", 2008)]:
        page = _text(client, f"/jurisdictions/{fips}/")
        assert "created after the rollout" not in page and "did not exist in 2008–2013" not in page, fips
        assert f"has existed since {year}, before the program began" in page, fips
        card = _text(client, f"/embed/jurisdictions/{fips}/")
        assert "created after the rollout" not in card and f"A unit since {year}" in card, fips
    # Renamed in 2015: those really were created after the program.
    assert "did not exist in 2008–2013 under this code" in _text(client, "/jurisdictions/46102/")


@pytest.mark.parametrize(
    "fips, name, year", [("51560", "Clifton Forge city", 2001), ("51780", "South Boston city", 1995)]
)
def test_the_virginia_cities_that_were_towns_say_so_and_keep_the_sources_date(client, dataset, fips, name, year):
    page = _text(client, f"/jurisdictions/{fips}/")
    assert f"retired in {year}, before the program began" in page
    assert f"the city had been a town since {year}" in page
    assert f"15 June 2010 (the source's date, for a code retired in {year})" in page
    assert client.get(f"/api/v1/jurisdictions/{fips}/").json()["activated_on"] == "2010-06-15"
    assert f"era un pueblo desde {year}" in _text(client, f"/es/jurisdictions/{fips}/")


def test_the_retired_alaska_codes_say_when_they_changed(client, dataset):
    for fips, year in [("02232", 2007), ("02201", 2008), ("02280", 2008)]:
        page = _text(client, f"/jurisdictions/{fips}/")
        assert f"retired in {year}, before the program began" in page, fips
        assert "In 2008–2013 its area was held by the newer units below" in page, fips


@pytest.mark.parametrize("url", ["/about/", "/downloads/"])
def test_about_and_downloads_explain_the_national_total(client, dataset, url):
    page = _text(client, url)
    total = Jurisdiction.objects.filter(in_dataset=True).count()
    assert f"The data hold {total:,} codes, one for each row of the source" in page
    assert (
        "3 codes that the Census Bureau retired in 2007–2008, before the program began, stand for the 5 units" in page
    )
    assert "South Boston city (51780), a town since 1995" in page
    assert "Clifton Forge city (51560), a town since 2001" in page
    assert (
        f"So the national total, {total:,}, matches the {total:,} counties and county-equivalents of the program's "
        "years only because two differences cancel out: 2 units fewer in Alaska, 2 codes more in Virginia." in page
    )
    assert "Units created later" not in page
    spanish = _text(client, "/es" + url)
    assert f"Los datos contienen {total:,} códigos" in spanish


def test_the_numbers_on_the_about_page_are_the_computed_ones(client, dataset, django_assert_num_queries):
    # The snapshot's build and the count of the client's allowance of computed answers (COMPUTED_RATE).
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES + PAGE_ALLOWANCE_QUERIES):
        response = client.get("/about/")
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))
    assert f"{Event.objects.count()} dated state and program events" in page
    check = client.get("/api/v1/stats/?as_of=2010-09-30").json()
    assert (
        f"this file gives {check['activated_jurisdictions']} in {check['states_with_activated_jurisdictions']}." in page
    )
    assert (
        "Only 9 agreements or refusals have a sourced date (agreements: CA, CO, DC, IL, NY (2), RI; refusals: MA, WA)"
        in page
    )
    assert "The 8 disputed dates" in page


def test_the_downloads_page_says_what_the_geojson_holds(client, dataset, django_assert_num_queries):
    # The snapshot's build and the count of the client's allowance of computed answers (COMPUTED_RATE).
    with django_assert_num_queries(SNAPSHOT_BUILD_QUERIES + PAGE_ALLOWANCE_QUERIES):
        page = _text(client, "/downloads/")
    on_map = Jurisdiction.objects.filter(on_current_map=True).count()
    without = Jurisdiction.objects.filter(in_dataset=True, on_current_map=False).count()
    assert f"The {on_map:,} units with a shape on today's county map; the {without} counted units without one" in page


def test_no_template_types_a_count_of_the_data():
    """Counts of the tracker's own data are computed: no template or Spanish string types the unit totals."""
    from pathlib import Path

    from django.conf import settings

    typed = re.compile(r"\b(3,14[23]|3,150|69 dated|69 sucesos|661 in 32|661 en 32)\b")
    files = [
        *Path(settings.BASE_DIR, "templates").rglob("*.html"),
        Path(settings.BASE_DIR, "locale/es/LC_MESSAGES/django.po"),
    ]
    found = [(path.name, match.group()) for path in files for match in typed.finditer(path.read_text())]
    # The map partial's comment names the shapes of the shipped geometry file, not a count of the data.
    assert [item for item in found if item[0] != "_map.html"] == []

"""Tolerant lookup: case, accents, St./Saint, hyphens and a missing kind word all find the right unit."""

import pytest

from jurisdictions.models import Jurisdiction, suggest
from jurisdictions.search import fold, search_key

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query, expected",
    [
        ("st louis", {"29510", "29189"}),
        ("Saint Louis", {"29510", "29189"}),
        ("ST. LOUIS COUNTY", {"29189"}),
        ("miami dade", {"12086"}),
        ("Miami-Dade", {"12086"}),
        ("dona ana", {"35013"}),
        ("orleans parish", {"22071"}),
        ("48201", {"48201"}),
        ("cook illinois", {"17031"}),
    ],
)
def test_tolerant_name_search_finds_the_unit(dataset, query, expected):
    found = set(Jurisdiction.objects.matching(query).values_list("fips", flat=True))
    assert expected <= found


def test_search_without_a_match_finds_nothing(dataset):
    assert not Jurisdiction.objects.matching("zzzz nowhere").exists()
    assert not Jurisdiction.objects.matching("").exists()


def test_suggestions_put_exact_names_first(dataset):
    found = [unit.fips for unit in suggest("st louis", limit=5)]
    # Both St. Louis Counties (MN, MO) match exactly; St. Louis city (MO) by prefix, after them.
    assert set(found[:2]) == {"27137", "29189"}
    assert found[2] == "29510"


def test_fold_and_key():
    assert fold("Ste. Genevieve") == "saint genevieve"
    assert search_key("Doña Ana County") == "dona ana"
    assert search_key("Juneau City and Borough") == "juneau"

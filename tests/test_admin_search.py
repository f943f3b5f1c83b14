"""Editors' admin, finding things fast: tolerant search, filters, autocomplete."""

import pytest
from django.urls import reverse

from jurisdictions.models import Jurisdiction, Status, StatusChange

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query, fips",
    [
        ("st louis", "29189"),
        ("Saint Louis County", "29189"),
        ("miami dade", "12086"),
        ("Miami-Dade County", "12086"),
        ("harris", "48201"),
        ("48201", "48201"),
        ("east baton rouge parish", "22033"),
    ],
)
def test_admin_search_is_tolerant_of_saint_hyphens_and_kind_words(editor_client, query, fips):
    response = editor_client.get(reverse("admin:jurisdictions_jurisdiction_changelist"), {"q": query})
    assert response.status_code == 200
    assert fips in {unit.fips for unit in response.context["cl"].result_list}


def test_admin_search_by_state_lists_that_states_jurisdictions(editor_client):
    response = editor_client.get(reverse("admin:jurisdictions_jurisdiction_changelist"), {"q": "DE"})
    assert {unit.fips for unit in response.context["cl"].result_list} == {"10001", "10003", "10005"}


def test_admin_search_finds_nothing_for_a_name_that_is_not_there(editor_client):
    # "Atlantis" alone is a town in Palm Beach County, Florida (the search finds counties by their towns).
    response = editor_client.get(reverse("admin:jurisdictions_jurisdiction_changelist"), {"q": "Atlantis County"})
    assert response.context["cl"].result_count == 0


def test_jurisdiction_list_shows_status_activation_date_and_source(editor_client):
    response = editor_client.get(reverse("admin:jurisdictions_jurisdiction_changelist"), {"q": "48201"})
    html = response.content.decode()
    assert "Harris County" in html and "Activated" in html and "Oct. 27, 2008" in html
    change = StatusChange.objects.get(jurisdiction_id="48201")
    assert change.source.label[:40] in html and change.source.url in html


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"state__postal__exact": "DE"}, 3),
        ({"activated_in": "2008"}, StatusChange.objects.none),
        ({"disputed": "yes"}, 8),
        ({"status": "not_activated"}, 0),
    ],
)
def test_admin_filters_narrow_the_list(editor_client, params, expected):
    response = editor_client.get(reverse("admin:jurisdictions_jurisdiction_changelist"), params)
    assert response.status_code == 200
    count = response.context["cl"].result_count
    if callable(expected):
        # Counted apart from the admin's SQL: each unit's (or the unit it borrows from) first activation date.
        first = {}
        for change in StatusChange.objects.filter(status=Status.ACTIVATED).order_by("effective_on"):
            first.setdefault(change.jurisdiction_id, change.effective_on)
        units = Jurisdiction.objects.values_list("fips", "status_from_id")
        firsts = sum(1 for fips, lender in units if (day := first.get(lender or fips)) and day.year == 2008)
        assert count == firsts > 0
    else:
        assert count == expected


def test_every_foreign_key_in_the_admin_uses_autocomplete():
    from django.contrib import admin

    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in {"jurisdictions", "agreements"} or model.__name__ == "ImportBatch":
            continue
        relations = [
            f.name for f in model._meta.get_fields() if (f.many_to_one or f.many_to_many) and not f.auto_created
        ]
        assert set(relations) <= set(model_admin.autocomplete_fields), model
        for inline in model_admin.inlines:
            inline_relations = {
                f.name for f in inline.model._meta.get_fields() if f.many_to_one and f.related_model is not model
            }
            assert inline_relations <= set(inline.autocomplete_fields), inline


def test_autocomplete_uses_the_tolerant_search(editor_client):
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "saint louis",
            "app_label": "jurisdictions",
            "model_name": "statuschange",
            "field_name": "jurisdiction",
        },
    )
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["results"]}
    assert {"29189", "29510"} <= ids

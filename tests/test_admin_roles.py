"""Editors' admin, roles: what editors, superusers and the public may change."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse

from jurisdictions.models import Jurisdiction, Source, State
from tests.admin_forms import change_url, errors_of, form_data

pytestmark = pytest.mark.django_db


def test_editors_group_command_is_idempotent_and_exact(dataset):
    call_command("create_editors_group", verbosity=0)
    call_command("create_editors_group", verbosity=0)
    codenames = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert {"add_statuschange", "change_statuschange", "add_agreement", "change_agreement", "add_source"} <= codenames
    assert not codenames & {"delete_state", "delete_jurisdiction", "add_user", "change_user", "change_state"}


@pytest.mark.parametrize(
    "method, url_name, args",
    [
        ("get", "admin:jurisdictions_jurisdiction_delete", ["48201"]),
        ("post", "admin:jurisdictions_jurisdiction_delete", ["48201"]),
        ("post", "admin:jurisdictions_state_delete", ["TX"]),
        ("get", "admin:jurisdictions_jurisdiction_add", []),
        ("get", "admin:auth_user_add", []),
        ("get", "admin:auth_user_changelist", []),
    ],
)
def test_editors_cannot_delete_states_or_jurisdictions_or_manage_users(editor_client, method, url_name, args):
    response = getattr(editor_client, method)(
        reverse(url_name, args=args), {"post": "yes"} if method == "post" else None
    )
    assert response.status_code == 403
    assert Jurisdiction.objects.filter(fips="48201").exists() and State.objects.filter(postal="TX").exists()


def test_editors_cannot_change_a_state(editor_client):
    response = editor_client.post(
        change_url(State.objects.get(postal="TX")), {"postal": "TX", "fips": "48", "name": "Tejas"}
    )
    assert response.status_code == 403
    assert State.objects.get(postal="TX").name == "Texas"


REFERENCE_EDITS = {"name": "Renamed County", "kind": "city", "state": "OK", "status_from": "48113"}


def test_an_editor_cannot_change_a_jurisdictions_reference_fields(editor_client):
    unit = Jurisdiction.objects.get(fips="48201")
    counted = Jurisdiction.objects.filter(in_dataset=True).count()
    page = editor_client.get(change_url(unit))
    data = form_data(page)
    # Unticking "counted" (a checkbox absent from the POST) once took the national total down by one.
    assert data.pop("in_dataset", None) is None and data.pop("on_current_map", None) is None
    data.update({**REFERENCE_EDITS, "replaced_by": ["48113"], "change_note": "Editors may still write this."})
    response = editor_client.post(change_url(unit), data)
    assert response.status_code == 302, errors_of(response)
    unit.refresh_from_db()
    assert (unit.name, unit.kind, unit.state_id, unit.status_from_id) == ("Harris County", "county", "TX", None)
    assert unit.in_dataset and unit.on_current_map and not unit.replaced_by.exists()
    assert unit.change_note == "Editors may still write this."
    assert Jurisdiction.objects.filter(in_dataset=True).count() == counted
    # The page shows them, read-only.
    assert not {"name", "kind", "in_dataset", "state", "replaced_by"} & set(page.context["adminform"].form.fields)
    assert "Harris County" in page.content.decode()


def test_a_superuser_can_still_change_reference_fields(admin_client, dataset):
    unit = Jurisdiction.objects.get(fips="48201")
    counted = Jurisdiction.objects.filter(in_dataset=True).count()
    data = form_data(admin_client.get(change_url(unit)))
    assert data.pop("in_dataset") == "on"
    response = admin_client.post(change_url(unit), {**data, "name": "Harris County (renamed)"})
    assert response.status_code == 302, errors_of(response)
    unit.refresh_from_db()
    assert not unit.in_dataset and unit.name == "Harris County (renamed)"
    assert Jurisdiction.objects.filter(in_dataset=True).count() == counted - 1


def test_an_editor_reverting_to_an_old_version_keeps_the_reference_fields_as_they_are(editor_client):
    unit = Jurisdiction.objects.get(fips="48201")
    unit.in_dataset, unit.name = False, "Old name"
    unit.save()
    old = unit.history.latest()
    unit.in_dataset, unit.name = True, "Harris County"
    unit.change_note = "current note"
    unit.save()
    url = reverse("admin:jurisdictions_jurisdiction_simple_history", args=[unit.pk, old.history_id])
    response = editor_client.post(url, form_data(editor_client.get(url)))
    assert response.status_code == 302, errors_of(response)
    unit.refresh_from_db()
    # The editable part of the old version came back; the reference fields did not.
    assert unit.change_note == old.change_note
    assert unit.in_dataset and unit.name == "Harris County"


def test_a_non_superuser_with_change_permission_on_states_cannot_change_one(client, dataset):
    from django.contrib.auth.models import Permission

    clerk = User.objects.create_user("clerk", is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_state", "change_state", "add_state"]))
    client.force_login(clerk)
    texas = State.objects.get(postal="TX")
    page = client.get(change_url(texas))
    response = client.post(change_url(texas), {**form_data(page), "name": "Tejas", "fips": "99"})
    assert response.status_code == 302, errors_of(response)
    texas.refresh_from_db()
    assert (texas.name, texas.fips) == ("Texas", "48")
    assert client.get(reverse("admin:jurisdictions_state_add")).status_code == 403


def test_editors_can_add_sources_and_agreements(editor_client):
    response = editor_client.post(
        reverse("admin:jurisdictions_source_add"), {"title": "New list", "url": "https://example.org/list"}
    )
    assert response.status_code == 302
    assert Source.objects.filter(title="New list").exists()
    response = editor_client.post(reverse("admin:jurisdictions_source_add"), {"title": "", "url": ""})
    assert "A source needs a title or an address" in response.content.decode()


def test_the_public_has_no_write_path_in_the_admin(client, dataset):
    response = client.post(reverse("admin:jurisdictions_source_add"), {"title": "Spam", "url": "https://spam.example/"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Source.objects.filter(title="Spam").exists()

"""Editors' admin, ids that cannot be ids: a 404 in an address, a 400 when posted; nothing is done."""

import pytest
from django.urls import reverse

from jurisdictions.models import Source
from tests.factories import make_agreement, make_source

pytestmark = pytest.mark.django_db


BAD_IDS = ["abc", "", "1.5", "0x10", "-1", "0", "99999999999999999999", "1 OR 1=1"]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_bad_id_posted_to_restore_deleted_is_a_400_and_restores_nothing(admin_client, dataset, bad):
    before = Source.objects.count()
    for url in ["admin:jurisdictions_source_deleted", "admin:jurisdictions_jurisdiction_deleted"]:
        response = admin_client.post(reverse(url), {"history_id": bad})
        assert response.status_code == 400, (url, bad)
    assert admin_client.post(reverse("admin:jurisdictions_source_deleted")).status_code == 400
    assert Source.objects.count() == before


@pytest.mark.parametrize("bad", [value for value in BAD_IDS if value])
def test_a_bad_id_in_an_admin_address_is_a_404(admin_client, dataset, bad):
    from urllib.parse import quote

    source = make_source()
    bad = quote(bad)
    for method in ("get", "post"):
        for url in [
            f"/admin/jurisdictions/source/{source.pk}/history/{bad}/",
            f"/admin/jurisdictions/jurisdiction/48201/history/{bad}/",
            f"/admin/jurisdictions/source/{bad}/history/",
            f"/admin/jurisdictions/importbatch/{bad}/change/",
        ]:
            response = getattr(admin_client, method)(url)
            assert response.status_code == 404, (method, url)


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_bad_id_in_a_selection_is_a_400_and_nothing_is_done(admin_client, dataset, bad):
    source = make_source(title="Selected with a bad one")
    response = admin_client.post(
        reverse("admin:jurisdictions_source_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [source.pk, bad],
            "post": "yes",
            "change_reason": "Removed in a test",
        },
    )
    assert response.status_code == 400
    assert Source.objects.filter(pk=source.pk).exists()
    agreement = make_agreement()
    response = admin_client.post(
        reverse("admin:agreements_agreement_changelist"),
        {"action": "apply_event", "_selected_action": [agreement.pk, bad]},
    )
    assert response.status_code == 400

"""Editors' admin, recording a change: sourced changes, validation messages, the apply-one-event action."""

import datetime

import pytest
from django.urls import reverse

from agreements.models import Agreement, AgreementStatus, AgreementStatusChange, Event, EventKind
from jurisdictions.models import Jurisdiction, State, Status, StatusChange
from tests.admin_forms import change_url, errors_of, form_data
from tests.factories import make_agreement, make_agreement_change, make_source

pytestmark = pytest.mark.django_db


def test_editor_adds_a_sourced_status_change_on_a_jurisdiction(editor_client, editor):
    unit = Jurisdiction.objects.get(fips="48201")
    source = make_source(title="ICE list of 2012")
    page = editor_client.get(change_url(unit))
    data = form_data(page)
    prefix = "status_changes-1-"
    data.update(
        {
            prefix + "status": "scheduled",
            prefix + "effective_on": "2030-01-01",
            prefix + "source": str(source.pk),
            prefix + "confidence": "confirmed",
        }
    )
    response = editor_client.post(change_url(unit), data)
    assert response.status_code == 302, errors_of(response)
    change = StatusChange.objects.get(jurisdiction=unit, effective_on=datetime.date(2030, 1, 1))
    assert change.source == source
    assert change.history.latest().history_user == editor


def test_status_change_without_a_source_is_refused_with_a_clear_message(editor_client):
    unit = Jurisdiction.objects.get(fips="48201")
    before = StatusChange.objects.count()
    data = form_data(editor_client.get(change_url(unit)))
    data.update({"status_changes-1-status": "activated", "status_changes-1-effective_on": "2012-01-01"})
    response = editor_client.post(change_url(unit), data)
    assert response.status_code == 200
    assert "Every status change needs a source" in errors_of(response)
    assert StatusChange.objects.count() == before


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"effective_on": "2007-12-31"}, "is before the program&#x27;s span"),
        ({"effective_on": "2099-01-01"}, "is in the future: only a scheduled change may be dated ahead"),
        ({"confidence": "disputed"}, "A disputed date needs the competing date"),
        ({"alternative_date": "2011-01-02"}, "Only a disputed date has an alternative"),
    ],
)
def test_status_change_validation_messages(editor_client, fields, message):
    source = make_source()
    data = {
        "jurisdiction": "48201",
        "status": "activated",
        "effective_on": "2011-01-01",
        "source": str(source.pk),
        "confidence": "confirmed",
        **fields,
    }
    before = StatusChange.objects.count()
    response = editor_client.post(reverse("admin:jurisdictions_statuschange_add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert StatusChange.objects.count() == before


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"effective_on": "2099-01-01"}, "is in the future"),
        ({"effective_on": "2007-05-01"}, "is before the program"),
        ({"precision": "month", "effective_on": "2011-05-04"}, "For a month-only date enter the 1st of the month."),
        ({"source": ""}, "Every agreement change needs a source"),
    ],
)
def test_agreement_change_validation_messages(editor_client, fields, message):
    agreement = make_agreement()
    data = {
        "agreement": agreement.pk,
        "status": "suspended",
        "effective_on": "2011-05-01",
        "precision": "day",
        "source": make_source().pk,
        **fields,
    }
    response = editor_client.post(reverse("admin:agreements_agreementstatuschange_add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not agreement.status_changes.exists()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"signed_on": "2009-11-05", "signed_precision": "month"}, "For a month-only date enter the 1st of the month."),
        ({"signed_on": "2009-11-05", "signed_precision": ""}, "Say how precisely the signing date is known"),
        ({"signed_on": "", "signed_precision": "day"}, "The signing date is unknown: leave its precision blank."),
        ({"signed_on": "2099-01-01", "signed_precision": "day"}, "is in the future"),
    ],
)
def test_agreement_signing_date_validation_messages(editor_client, fields, message):
    data = {
        "state": "TX",
        "state_party": "Texas DPS (validation test)",
        "federal_party": "ICE",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        **fields,
    }
    response = editor_client.post(reverse("admin:agreements_agreement_add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Agreement.objects.filter(state_party="Texas DPS (validation test)").exists()


def test_status_change_record_service_validates_like_the_admin(dataset):
    from django.core.exceptions import ValidationError

    from jurisdictions.services import status_change_record

    unit = Jurisdiction.objects.get(fips="48201")
    with pytest.raises(ValidationError, match="in the future"):
        status_change_record(
            jurisdiction=unit, status="activated", effective_on=datetime.date(2099, 1, 1), source=make_source()
        )
    change = status_change_record(
        jurisdiction=unit, status="scheduled", effective_on=datetime.date(2099, 1, 1), source=make_source()
    )
    assert unit.status_on(datetime.date(2099, 1, 2)) == Status.SCHEDULED and change.pk


def test_fips_must_match_its_state(admin_client, dataset):
    data = {
        "fips": "01999",
        "state": "TX",
        "name": "Nowhere County",
        "kind": "county",
        "in_dataset": "on",
        "on_current_map": "on",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }
    response = admin_client.post(reverse("admin:jurisdictions_jurisdiction_add"), data)
    assert response.status_code == 200
    assert "does not start with Texas" in response.content.decode()
    assert not Jurisdiction.objects.filter(fips="01999").exists()


def test_agreement_cannot_be_rescinded_before_it_was_signed(editor_client):
    agreement = make_agreement(signed_on=datetime.date(2010, 5, 1), signed_precision="day")
    data = form_data(editor_client.get(change_url(agreement)))
    data.update(
        {
            "status_changes-0-status": "rescinded",
            "status_changes-0-effective_on": "2010-04-01",
            "status_changes-0-precision": "day",
            "status_changes-0-source": str(make_source().pk),
        }
    )
    response = editor_client.post(change_url(agreement), data)
    assert response.status_code == 200
    assert "cannot be rescinded by ice before it was signed (2010-05-01)" in errors_of(response)
    assert not agreement.status_changes.exists()


def test_editor_records_a_suspension_on_an_agreement(editor_client):
    agreement = make_agreement(signed_on=datetime.date(2010, 5, 1), signed_precision="day")
    source = make_source(title="Governor's letter")
    data = form_data(editor_client.get(change_url(agreement)))
    data.update(
        {
            "status_changes-0-status": "suspended",
            "status_changes-0-effective_on": "2011-06-01",
            "status_changes-0-precision": "day",
            "status_changes-0-source": str(source.pk),
        }
    )
    response = editor_client.post(change_url(agreement), data)
    assert response.status_code == 302, errors_of(response)
    assert agreement.status_on(datetime.date(2011, 6, 2)) == AgreementStatus.SUSPENDED


def test_action_applies_one_sourced_event_to_selected_agreements(editor_client):
    first = make_agreement(signed_on=datetime.date(2010, 5, 1), signed_precision="day")
    second = make_agreement(state=State.objects.get(postal="OK"), state_party="Oklahoma (test)")
    make_agreement_change(second, status=AgreementStatus.DECLINED, effective_on=datetime.date(2010, 1, 1))
    source = make_source(title="ICE letter")
    event = Event.objects.create(occurred_on=datetime.date(2011, 8, 5), kind=EventKind.MOA_RESCINDED, summary="x")
    url = reverse("admin:agreements_agreement_changelist")
    selected = {"action": "apply_event", "_selected_action": [first.pk, second.pk]}
    page = editor_client.post(url, selected)
    assert page.status_code == 200 and "Record one sourced change" in page.content.decode()
    response = editor_client.post(
        url,
        {
            **selected,
            "apply": "1",
            "status": "rescinded",
            "effective_on": "2011-08-05",
            "precision": "day",
            "source": source.pk,
            "event": event.pk,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert first.status_changes.get().status == AgreementStatus.RESCINDED
    assert first.status_changes.get().event == event
    assert second.status_changes.count() == 1
    assert "Skipped" in response.content.decode()


def test_action_without_a_source_records_nothing(editor_client):
    agreement = make_agreement()
    url = reverse("admin:agreements_agreement_changelist")
    response = editor_client.post(
        url,
        {
            "action": "apply_event",
            "_selected_action": [agreement.pk],
            "apply": "1",
            "status": "terminated",
            "effective_on": "2011-05-04",
            "precision": "day",
        },
    )
    assert response.status_code == 200
    assert "Every agreement change needs a source" in response.content.decode()
    assert not agreement.status_changes.exists()


def test_action_refuses_all_when_one_change_is_invalid(editor_client):
    ok = make_agreement()
    bad = make_agreement(
        state=State.objects.get(postal="OK"), signed_on=datetime.date(2011, 9, 1), signed_precision="day"
    )
    response = editor_client.post(
        reverse("admin:agreements_agreement_changelist"),
        {
            "action": "apply_event",
            "_selected_action": [ok.pk, bad.pk],
            "apply": "1",
            "status": "terminated",
            "effective_on": "2011-05-04",
            "precision": "day",
            "source": make_source().pk,
        },
    )
    assert response.status_code == 200
    assert "Nothing was recorded" in response.content.decode()
    assert not AgreementStatusChange.objects.filter(agreement__in=[ok, bad]).exists()

"""Domain vocabulary on QuerySets and models, on both sides of the key dates, and the model constraints.
(The as-of rule itself, and counts on the key dates, are in tests/test_asof.py.)"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agreements.models import Agreement, AgreementStatus, Event, EventKind, Precision
from agreements.services import agreements_rescind
from jurisdictions.models import Confidence, Jurisdiction, Source, Status, StatusChange
from tests.factories import (
    make_agreement,
    make_agreement_change,
    make_jurisdiction,
    make_source,
    make_state,
    make_status_change,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def states_with(status, on=None) -> set[str]:
    """The states whose agreement had `status` on `on` (the admin's SQL form of the as-of rule)."""
    return set(Agreement.objects.with_status(on).filter(status=status).values_list("state", flat=True))


def test_activated_on_is_unknown_before_activation(dataset):
    cook = Jurisdiction.objects.with_status(D(2011, 8, 5)).get(fips="17031")
    assert cook.status == Status.NOT_ACTIVATED
    assert cook.activated_on is None
    assert Jurisdiction.objects.with_status().get(fips="17031").activated_on == D(2013, 1, 22)


def test_successor_unit_borrows_status_but_is_not_counted(dataset):
    day = D(2012, 4, 10)
    kusilvak = Jurisdiction.objects.with_status(day).get(fips="02158")
    assert kusilvak.status == Status.ACTIVATED
    assert kusilvak.activated_on == day
    assert Jurisdiction.objects.with_status(day - datetime.timedelta(days=1)).get(fips="02158").status == (
        Status.NOT_ACTIVATED
    )
    assert not Jurisdiction.objects.filter(in_dataset=True).filter(fips="02158").exists()
    assert Jurisdiction.objects.get(fips="46102").history_unit.fips == "46113"


def test_disputed_queryset_finds_the_eight_units(dataset):
    assert Jurisdiction.objects.disputed().count() == 8
    assert Jurisdiction.objects.get(fips="29177").standing_on().disputed
    assert not Jurisdiction.objects.get(fips="48201").standing_on().disputed


def test_in_state_and_on_map(dataset):
    assert Jurisdiction.objects.filter(in_dataset=True, state="TX").count() == 254
    assert Jurisdiction.objects.filter(on_current_map=True, state="AK").count() == 29
    # 29 map units less 6 successors, plus the 4 historical units they came from.
    assert Jurisdiction.objects.filter(in_dataset=True, state="AK").count() == 27


def test_agreements_in_force_the_day_before_ice_rescinded_them(dataset):
    day_before = D(2011, 8, 4)
    in_force = states_with(AgreementStatus.IN_FORCE, day_before)
    assert in_force == {"CA", "CO", "DC", "RI"}
    assert states_with(AgreementStatus.SUSPENDED, day_before) == {"NY"}
    assert states_with(AgreementStatus.TERMINATED, day_before) == {"IL"}
    assert not Agreement.objects.with_status(day_before).filter(status=AgreementStatus.RESCINDED).exists()


def test_every_remaining_agreement_is_rescinded_from_5_august_2011(dataset):
    day = D(2011, 8, 5)
    assert not Agreement.objects.with_status(day).filter(status=AgreementStatus.IN_FORCE).exists()
    rescinded = states_with(AgreementStatus.RESCINDED, day)
    assert rescinded == {"CA", "CO", "DC", "DE", "IL", "MD", "NV", "NY", "RI", "VA", "WY"}
    assert Agreement.objects.with_status().filter(status=AgreementStatus.RESCINDED).count() == 11
    assert states_with(AgreementStatus.DECLINED, day) == {"MA", "WA"}
    california = Agreement.objects.get(state="CA")
    assert california.is_rescinded
    assert california.status_on(D(2009, 1, 22)) is None
    assert california.status_on(D(2009, 1, 23)) == AgreementStatus.IN_FORCE


def test_illinois_and_new_york_withdrawals_are_dated(dataset):
    illinois = Agreement.objects.get(state="IL")
    assert illinois.status_on(D(2010, 11, 8)) == AgreementStatus.IN_FORCE
    assert illinois.status_on(D(2010, 11, 9)) == AgreementStatus.SUSPENDED
    assert illinois.status_on(D(2011, 5, 4)) == AgreementStatus.TERMINATED
    revised = Agreement.objects.get(state="NY", signed_on=D(2010, 12, 28))
    assert revised.status_on(D(2011, 6, 1)) == AgreementStatus.SUSPENDED
    original = Agreement.objects.get(state="NY", signed_on=D(2010, 5, 18))
    assert original.status_on(D(2011, 8, 5)) == AgreementStatus.SUPERSEDED


def test_signed_excludes_refusals(dataset):
    assert set(
        Agreement.objects.exclude(status_changes__status=AgreementStatus.DECLINED).values_list("state", flat=True)
    ) == {
        "CA",
        "CO",
        "DC",
        "DE",
        "IL",
        "MD",
        "NV",
        "NY",
        "RI",
        "VA",
        "WY",
    }


def test_rescinding_again_adds_nothing(dataset):
    rescission = Event.objects.get(kind=EventKind.MOA_RESCINDED)
    assert agreements_rescind(event=rescission, agreements=Agreement.objects.all()) == []


def test_rescinding_a_new_agreement_uses_the_events_first_source(dataset):
    rescission = Event.objects.get(kind=EventKind.MOA_RESCINDED)
    agreement = make_agreement(signed_on=D(2010, 3, 1), signed_precision=Precision.DAY)
    make_agreement_change(agreement, status=AgreementStatus.IN_FORCE, effective_on=D(2010, 3, 1))
    [change] = agreements_rescind(event=rescission, agreements=Agreement.objects.filter(pk=agreement.pk))
    assert change.source == rescission.sources.order_by("pk").first()
    assert change.event == rescission
    assert (
        Agreement.objects.with_status(D(2011, 8, 5))
        .filter(status=AgreementStatus.RESCINDED)
        .filter(pk=agreement.pk)
        .exists()
    )


# Constraints: the database refuses what must never be stored.


def _refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_disputed_change_needs_an_alternative_date(dataset):
    unit = make_jurisdiction()
    _refused(lambda: make_status_change(unit, confidence=Confidence.DISPUTED))
    _refused(lambda: make_status_change(unit, alternative_date=D(2011, 2, 2)))
    make_status_change(unit, confidence=Confidence.DISPUTED, alternative_date=D(2011, 2, 2))


def test_status_change_must_fall_inside_the_program(dataset):
    unit = make_jurisdiction()
    _refused(lambda: make_status_change(unit, effective_on=D(2007, 12, 31)))


def test_status_change_needs_a_source(dataset):
    unit = make_jurisdiction()
    _refused(
        lambda: StatusChange.objects.create(jurisdiction=unit, status=Status.ACTIVATED, effective_on=D(2011, 1, 1))
    )


def test_same_change_twice_on_a_day_is_refused(dataset):
    unit = make_jurisdiction()
    source = make_source()
    make_status_change(unit, source=source)
    _refused(lambda: make_status_change(unit, source=source))


def test_fips_and_postal_codes_have_their_formats(dataset):
    _refused(lambda: make_jurisdiction(fips="4899"))
    _refused(lambda: make_jurisdiction(fips="48A99"))
    _refused(lambda: make_state(postal="zz"))
    _refused(lambda: make_state(fips="9"))


def test_fips_must_match_its_state(dataset):
    unit = Jurisdiction(fips="06999", state_id="TX", name="Misplaced County")
    with pytest.raises(ValidationError, match="does not start with Texas's code 48"):
        unit.full_clean()


def test_successor_that_is_counted_cannot_borrow_status(dataset):
    _refused(lambda: make_jurisdiction(in_dataset=True, status_from_id="46113"))


def test_agreement_precision_goes_with_its_date(dataset):
    _refused(lambda: make_agreement(signed_on=D(2010, 1, 5)))
    _refused(lambda: make_agreement(signed_precision=Precision.DAY))
    _refused(lambda: make_agreement(signed_on=D(2010, 1, 5), signed_precision=Precision.MONTH))
    make_agreement(signed_on=D(2010, 1, 1), signed_precision=Precision.MONTH)


def test_source_needs_a_title_or_an_address(dataset):
    _refused(lambda: Source.objects.create())
    assert make_source(title="", url="https://www.example.org/x").label == "example.org"


def test_event_outside_the_program_is_refused(dataset):
    _refused(lambda: Event.objects.create(occurred_on=D(1999, 1, 1), kind=EventKind.OTHER, summary="x"))

"""Small builders for test data, with keyword defaults. The real dataset is usually loaded too."""

import datetime

from agreements.models import Agreement, AgreementStatusChange, Event, EventKind
from jurisdictions.models import ImportBatch, Jurisdiction, Source, State, Status, StatusChange
from tracker.models import DatasetSeed


def empty_tracker_data() -> None:
    """The tracker's data gone, as on a fresh install (inside the test's transaction, rolled back after)."""
    Jurisdiction.objects.update(status_from=None)
    for model in [AgreementStatusChange, Event, Agreement, ImportBatch, StatusChange, Jurisdiction, Source, State]:
        model.objects.all().delete()
    DatasetSeed.objects.all().delete()


def make_source(**fields) -> Source:
    fields.setdefault("title", "Test source")
    fields.setdefault("url", f"https://example.org/source/{Source.objects.count() + 1}")
    return Source.objects.create(**fields)


def make_state(**fields) -> State:
    fields.setdefault("postal", "ZZ")
    fields.setdefault("fips", "99")
    fields.setdefault("name", "Testland")
    return State.objects.create(**fields)


def make_jurisdiction(**fields) -> Jurisdiction:
    state = fields.pop("state", None) or State.objects.get(postal="TX")
    fields.setdefault("fips", state.fips + "999")
    fields.setdefault("name", "Test County")
    return Jurisdiction.objects.create(state=state, **fields)


def make_status_change(jurisdiction, **fields) -> StatusChange:
    fields.setdefault("status", Status.ACTIVATED)
    fields.setdefault("effective_on", datetime.date(2011, 1, 1))
    fields.setdefault("source", fields.get("source") or make_source())
    return StatusChange.objects.create(jurisdiction=jurisdiction, **fields)


def make_agreement(**fields) -> Agreement:
    fields.setdefault("state", State.objects.get(postal="TX"))
    fields.setdefault("state_party", "Texas Department of Public Safety (test)")
    return Agreement.objects.create(**fields)


def make_agreement_change(agreement, **fields) -> AgreementStatusChange:
    fields.setdefault("effective_on", datetime.date(2010, 1, 1))
    fields.setdefault("source", fields.get("source") or make_source())
    return AgreementStatusChange.objects.create(agreement=agreement, **fields)


def make_event(**fields) -> Event:
    fields.setdefault("occurred_on", datetime.date(2011, 1, 1))
    fields.setdefault("kind", EventKind.OTHER)
    fields.setdefault("summary", "Something happened")
    sources = fields.pop("sources", None) or [make_source()]
    event = Event.objects.create(**fields)
    event.sources.set(sources)
    return event


# Queries of the first public answer of a data version in a process: the data version, the snapshot build
# (states, sources, units and their successor links, dated changes and their edit history, agreements with their
# changes and sources, events with their sources, the newest release), and the data version again to check no
# write landed meanwhile.
# Every later answer of that version, whatever its size, reads the data version only (1 query).
SNAPSHOT_BUILD_QUERIES = 15
# A public page the app computes also counts its client's allowance of computed answers (COMPUTED_RATE): one
# upsert in the database without Redis (common/allowances.py, common/public.py `over_allowance`). A 304 known
# before the view and a repeat answered from the answer store count nothing.
PAGE_ALLOWANCE_QUERIES = 1

"""Editors' admin, history: field-level diffs, reverting to a version, restoring deleted records and their links."""

import datetime

import pytest
from django.urls import reverse

from agreements.models import Agreement, Event
from common import reading
from jurisdictions.models import Jurisdiction, Source, State, Status, StatusChange
from tests.admin_forms import change_url, errors_of, form_data
from tests.factories import make_agreement, make_agreement_change, make_event, make_source, make_status_change

pytestmark = pytest.mark.django_db


def test_history_page_shows_who_and_a_field_level_diff(editor_client):
    source = make_source(title="Before")
    data = form_data(editor_client.get(change_url(source)))
    editor_client.post(change_url(source), {**data, "title": "After"})
    response = editor_client.get(reverse("admin:jurisdictions_source_history", args=[source.pk]))
    html = response.content.decode()
    assert "edna" in html and "Before" in html and "After" in html


def test_jurisdiction_history_includes_its_status_rows_with_diffs(editor_client):
    unit = Jurisdiction.objects.get(fips="48201")
    data = form_data(editor_client.get(change_url(unit)))
    editor_client.post(change_url(unit), {**data, "status_changes-0-effective_on": "2008-10-28"})
    response = editor_client.get(reverse("admin:jurisdictions_jurisdiction_history", args=["48201"]))
    section = response.context["related_history"][0]
    latest = section["rows"][0]
    assert latest["record"].history_user.username == "edna"
    assert [(c.field, str(c.old), str(c.new)) for c in latest["changes"]] == [
        ("effective_on", "2008-10-27", "2008-10-28")
    ]
    assert "History of its status changes" in response.content.decode()


def test_admin_lists_run_a_fixed_number_of_queries(editor_client, django_assert_max_num_queries):
    # The admin's tolerant search uses the public read model's name matcher: built once per data version, as the
    # first public page of that version would build it.
    reading.current()
    for url in [
        reverse("admin:jurisdictions_jurisdiction_changelist"),
        reverse("admin:jurisdictions_jurisdiction_changelist") + "?q=st+louis&disputed=no",
        reverse("admin:jurisdictions_statuschange_changelist"),
        reverse("admin:agreements_agreement_changelist"),
    ]:
        with django_assert_max_num_queries(12):
            assert editor_client.get(url).status_code == 200


def test_restoring_one_object_to_an_earlier_version_touches_nothing_else(editor_client):
    source = make_source(title="Original")
    other = make_source(title="Other")
    data = form_data(editor_client.get(change_url(source)))
    editor_client.post(change_url(source), {**data, "title": "Mistake"})
    other_data = form_data(editor_client.get(change_url(other)))
    editor_client.post(change_url(other), {**other_data, "title": "Other, edited"})
    original = source.history.earliest()
    url = reverse("admin:jurisdictions_source_simple_history", args=[source.pk, original.history_id])
    revert = form_data(editor_client.get(url))
    response = editor_client.post(url, revert)
    assert response.status_code == 302
    source.refresh_from_db()
    other.refresh_from_db()
    assert source.title == "Original"
    assert other.title == "Other, edited"


def test_restoring_an_old_version_over_a_colleagues_newer_edit_is_refused(editor_client, other_editor_client):
    source = make_source(title="Original")
    data = form_data(editor_client.get(change_url(source)))
    editor_client.post(change_url(source), {**data, "title": "Second"})
    original = source.history.earliest()
    url = reverse("admin:jurisdictions_source_simple_history", args=[source.pk, original.history_id])
    revert = form_data(editor_client.get(url))
    other = form_data(other_editor_client.get(change_url(source)))
    assert other_editor_client.post(change_url(source), {**other, "title": "Third by Otto"}).status_code == 302
    response = editor_client.post(url, revert)
    assert response.status_code == 200
    assert "otto changed title" in response.content.decode()
    source.refresh_from_db()
    assert source.title == "Third by Otto"


def test_revert_is_refused_for_an_editor_without_change_permission(editor_client):
    state = State.objects.get(postal="TX")
    record = state.history.earliest()
    url = reverse("admin:jurisdictions_state_simple_history", args=["TX", record.history_id])
    response = editor_client.post(url, {"postal": "TX", "fips": "48", "name": "Tejas"})
    assert response.status_code == 403
    assert State.objects.get(postal="TX").name == "Texas"


def test_deleted_record_is_listed_and_restored_exactly(editor_client):
    unit = Jurisdiction.objects.get(fips="48201")
    change = StatusChange.objects.create(
        jurisdiction=unit,
        status=Status.SCHEDULED,
        effective_on=datetime.date(2008, 9, 1),
        source=make_source(),
        note="to be deleted",
    )
    before = StatusChange.objects.filter(pk=change.pk).values().get()
    delete_url = reverse("admin:jurisdictions_statuschange_delete", args=[change.pk])
    assert editor_client.post(delete_url, {"post": "yes", "change_reason": "Removed in a test"}).status_code == 302
    assert not StatusChange.objects.filter(pk=change.pk).exists()
    deleted_url = reverse("admin:jurisdictions_statuschange_deleted")
    listing = editor_client.get(deleted_url)
    assert "to be deleted" in listing.content.decode() or str(change) in listing.content.decode()
    record = change.history.filter(history_type="-").get()
    response = editor_client.post(deleted_url, {"history_id": record.history_id})
    assert response.status_code == 302
    assert StatusChange.objects.filter(pk=change.pk).values().get() == before
    assert record.history_id not in {row["record"].history_id for row in editor_client.get(deleted_url).context["rows"]}


def test_deleted_agreement_is_restored_with_its_sources(editor_client, admin_user):
    source = make_source(title="MOA text")
    agreement = make_agreement(notes="restore me")
    agreement.sources.set([source])
    agreement.save()
    agreement_id = agreement.pk
    from django.test import Client

    admin = Client()
    admin.force_login(admin_user)
    response = admin.post(
        reverse("admin:agreements_agreement_delete", args=[agreement_id]),
        {"post": "yes", "change_reason": "Removed in a test"},
    )
    assert response.status_code == 302
    assert not Agreement.objects.filter(pk=agreement_id).exists()
    record = Agreement.history.filter(id=agreement_id, history_type="-").get()
    response = editor_client.post(reverse("admin:agreements_agreement_deleted"), {"history_id": record.history_id})
    assert response.status_code == 302
    restored = Agreement.objects.get(pk=agreement_id)
    assert restored.notes == "restore me" and list(restored.sources.all()) == [source]
    # Its history says so: the restored version, then its links, both with the reason.
    latest = restored.history.order_by("-history_date", "-history_id")[0]
    assert [row.source_id for row in latest.sources.all()] == [source.pk]
    assert latest.history_change_reason.startswith("Restored from the version deleted")
    assert latest.history_user.username == "edna"


def _cited_by(kind, source):
    """A fact of each kind that cites `source`."""
    from jurisdictions.models import ImportBatch

    if kind == "status change":
        return make_status_change(Jurisdiction.objects.get(fips="48201"), source=source)
    if kind == "agreement change":
        return make_agreement_change(make_agreement(), source=source)
    if kind == "agreement":
        agreement = make_agreement()
        agreement.sources.add(source)
        return agreement
    if kind == "event":
        return make_event(sources=[source])
    return ImportBatch.objects.create(file_name="list.csv", sha256="0" * 64, size=0, content=b"", source=source)


@pytest.mark.parametrize("kind", ["status change", "agreement change", "agreement", "event", "import batch"])
def test_a_source_cited_by_any_fact_cannot_be_deleted_and_the_page_says_which(admin_client, dataset, kind):
    from django.utils.html import escape

    source = make_source(title="Cited source")
    citing = _cited_by(kind, source)
    url = reverse("admin:jurisdictions_source_delete", args=[source.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "would require deleting the following protected related objects" in html
    assert escape(str(citing)) in html
    response = admin_client.post(url, {"post": "yes", "change_reason": "Removed in a test"})
    assert response.status_code == 200
    assert Source.objects.filter(pk=source.pk).exists()
    # The bulk action refuses the same way.
    response = admin_client.post(
        reverse("admin:jurisdictions_source_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [source.pk],
            "post": "yes",
            "change_reason": "Removed in a test",
        },
    )
    assert Source.objects.filter(pk=source.pk).exists()
    if kind in ("agreement", "event"):
        assert type(citing).objects.get(pk=citing.pk).sources.filter(pk=source.pk).exists()


def test_a_source_no_fact_cites_can_be_deleted(admin_client, dataset):
    source = make_source(title="Nobody cites this")
    response = admin_client.post(
        reverse("admin:jurisdictions_source_delete", args=[source.pk]),
        {"post": "yes", "change_reason": "Removed in a test"},
    )
    assert response.status_code == 302
    assert not Source.objects.filter(pk=source.pk).exists()


def test_a_restored_source_backs_the_facts_that_cited_it_again_and_their_history_says_so(editor_client):
    source = make_source(title="Deleted by mistake")
    event = make_event(sources=[source, make_source(title="Another")])
    agreement = make_agreement()
    agreement.sources.add(source)
    # Deleted outside the admin (a shell, or before the admin protected cited sources): the links go with it.
    source_id = source.pk
    source.delete()
    assert not event.sources.filter(title="Deleted by mistake").exists()
    record = Source.history.filter(id=source_id, history_type="-").get()
    response = editor_client.post(
        reverse("admin:jurisdictions_source_deleted"), {"history_id": record.history_id}, follow=True
    )
    assert response.status_code == 200
    assert "It is cited again by" in response.content.decode()
    assert set(event.sources.values_list("title", flat=True)) == {"Deleted by mistake", "Another"}
    assert list(agreement.sources.values_list("pk", flat=True)) == [source_id]
    for fact in (event, agreement):
        latest = fact.history.order_by("-history_date", "-history_id")[0]
        assert latest.history_change_reason.startswith("Link to Deleted by mistake restored")
        assert latest.history_user.username == "edna"
        app, name = fact._meta.app_label, fact._meta.model_name
        history = editor_client.get(reverse(f"admin:{app}_{name}_history", args=[fact.pk]))
        assert "Link to Deleted by mistake restored" in history.content.decode()


def test_a_link_removed_before_the_deletion_is_not_brought_back(editor_client):
    source = make_source(title="Once cited")
    event = make_event(sources=[source, make_source(title="Kept")])
    event.sources.remove(source)
    source_id = source.pk
    source.delete()
    record = Source.history.filter(id=source_id, history_type="-").get()
    editor_client.post(reverse("admin:jurisdictions_source_deleted"), {"history_id": record.history_id})
    assert Source.objects.filter(pk=source_id).exists()
    assert list(event.sources.values_list("title", flat=True)) == ["Kept"]


def _latest(obj):
    return obj.history.order_by("-history_date", "-history_id")[0]


def _linked(kind):
    """An agreement or an event whose sources changed twice: "first" and "removed" at first, then "removed" was
    taken off, then "added" was put on. Returns it, its sources by name, and its versions by the links they had."""
    sources = {name: make_source(title=f"Source {name}") for name in ("first", "removed", "added")}
    obj = make_agreement() if kind == "agreement" else make_event(sources=[sources["first"]])
    obj.sources.set([sources["first"], sources["removed"]])
    both = _latest(obj)
    obj.sources.remove(sources["removed"])
    only_first = _latest(obj)
    obj.sources.add(sources["added"])
    return obj, sources, {"before the removal": both, "before the addition": only_first}


def _revert_url(obj, record):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_simple_history", args=[obj.pk, record.pk])


@pytest.mark.parametrize("kind", ["agreement", "event"])
@pytest.mark.parametrize(
    "version, expected",
    [("before the addition", {"first"}), ("before the removal", {"first", "removed"})],
)
def test_reverting_to_an_old_version_brings_back_exactly_the_sources_it_had(editor_client, kind, version, expected):
    from django.utils.html import escape

    obj, sources, versions = _linked(kind)
    assert {source.title for source in obj.sources.all()} == {"Source first", "Source added"}
    url = _revert_url(obj, versions[version])
    page = editor_client.get(url)
    assert page.status_code == 200
    wanted = {str(sources[name].pk) for name in expected}
    # The form shows the version's sources selected, not today's.
    assert set(form_data(page)["sources"]) == wanted
    html = page.content.decode()
    for name, source in sources.items():
        option = f'<option value="{source.pk}" selected>{escape(str(source))}</option>'
        assert (option in html) == (name in expected), name
    response = editor_client.post(url, form_data(page))
    assert response.status_code == 302, errors_of(response)
    obj.refresh_from_db()
    assert {str(pk) for pk in obj.sources.values_list("pk", flat=True)} == wanted
    # The history's newest version is the reverted one, links included, saved by the editor.
    latest = _latest(obj)
    assert {str(row.source_id) for row in latest.sources.all()} == wanted
    assert latest.history_user.username == "edna"


def test_a_version_whose_source_was_since_deleted_offers_the_sources_that_still_exist(editor_client):
    kept, gone = make_source(title="Kept"), make_source(title="Gone")
    agreement = make_agreement()
    agreement.sources.set([kept, gone])
    version = _latest(agreement)
    agreement.sources.clear()
    gone.delete()
    page = editor_client.get(_revert_url(agreement, version))
    assert form_data(page)["sources"] == [str(kept.pk)]
    response = editor_client.post(_revert_url(agreement, version), form_data(page))
    assert response.status_code == 302, errors_of(response)
    assert list(agreement.sources.all()) == [kept]


def test_a_superuser_reverting_a_unit_gets_back_the_successors_of_that_version(admin_client, dataset):
    unit = Jurisdiction.objects.filter(replaced_by__isnull=False).order_by("fips").first()
    successors = sorted(unit.replaced_by.values_list("pk", flat=True))
    version = _latest(unit)
    unit.replaced_by.set([])
    url = _revert_url(unit, version)
    page = admin_client.get(url)
    assert sorted(form_data(page)["replaced_by"]) == successors
    response = admin_client.post(url, form_data(page))
    assert response.status_code == 302, errors_of(response)
    assert sorted(unit.replaced_by.values_list("pk", flat=True)) == successors


def test_every_tracked_link_has_a_baseline_in_the_history_of_its_record(dataset):
    """Each record's newest version lists the links it has now, so reverting to it changes no link."""
    for model in (Agreement, Event, Jurisdiction):
        for field in model.history.model._history_m2m_fields:
            target = field.m2m_reverse_field_name() + "_id"
            for obj in model.objects.prefetch_related(field.name):
                now = sorted(related.pk for related in getattr(obj, field.name).all())
                recorded = sorted(getattr(_latest(obj), field.name).values_list(target, flat=True))
                assert recorded == now, (model.__name__, obj.pk)

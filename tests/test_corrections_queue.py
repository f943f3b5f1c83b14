"""The editors' queue of correction reports: accepting with a source and a note, rejecting, reopening, bulk
rejection, its order and permissions, and the rules the database holds whatever the write path."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from corrections.models import CorrectionReport, ReportStatus
from tests.corrections_helpers import (
    EMAIL,
    LOG_URL,
    accept,
    change_form_data,
    change_url,
    editor_on_own_client,
    make_report,
    post_report,
)
from tests.factories import make_source

pytestmark = pytest.mark.django_db

# The editor on a client of their own; conftest.py's editor_client logs in `client`, the reader here.
editor_client = pytest.fixture(editor_on_own_client, name="editor_client")


# The editors' queue


def test_an_editor_accepts_with_a_source_and_it_appears_in_the_public_log(client, editor_client, editor):
    post_report(client, description="The date is wrong; see the ICE list.", contact_email=EMAIL)
    report = CorrectionReport.objects.get()
    source = make_source(
        title="ICE: Activated jurisdictions, 2012", publisher="ICE", published_on=datetime.date(2012, 3, 1)
    )
    form = editor_client.get(change_url(report))
    assert EMAIL in form.content.decode()  # staff see the contact address
    data = change_form_data(form)
    data.update(status="accepted", resolution_note="Activation date corrected to 28 October 2008.", source=source.pk)

    response = editor_client.post(change_url(report), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert report.resolved_by == editor
    assert timezone.now() - report.resolved_at < datetime.timedelta(minutes=1)
    assert report.history.first().history_user == editor
    log = client.get(LOG_URL)
    assert log.status_code == 200
    html = log.content.decode()
    entry = html[html.index('id="corrections-log"') :]
    assert '<a href="/jurisdictions/48201/">Harris County, TX (48201)</a>' in entry
    assert "Activation date corrected to 28 October 2008." in entry
    assert f'<a href="{source.url}">ICE: Activated jurisdictions, 2012</a></cite>, ICE' in entry
    assert '<time datetime="2012-03-01">1 March 2012</time>' in entry
    assert report.received_at.strftime("%Y-%m-%d") in entry and report.resolved_at.strftime("%Y-%m-%d") in entry
    assert "The date is wrong" not in html and EMAIL not in html


def test_accepting_needs_a_source_and_a_note(client, editor_client):
    post_report(client)
    report = CorrectionReport.objects.get()
    data = change_form_data(editor_client.get(change_url(report)))
    data.update(status="accepted", resolution_note="", source="")
    response = editor_client.post(change_url(report), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "pick the source that backs the change" in str(errors["source"])
    assert "Write a note" in str(errors["resolution_note"])
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW and report.resolved_at is None


def test_rejecting_keeps_a_report_out_of_the_log(client, editor_client, editor):
    post_report(client, description="Please remove my county.")
    report = CorrectionReport.objects.get()
    data = change_form_data(editor_client.get(change_url(report)))
    data.update(status="rejected", resolution_note="The source gives this date.")
    assert editor_client.post(change_url(report), data).status_code == 302
    report.refresh_from_db()
    assert (report.status, report.resolved_by) == (ReportStatus.REJECTED, editor)
    html = client.get(LOG_URL).content.decode()
    assert 'id="corrections-empty"' in html
    assert "The source gives this date." not in html


def test_reopening_a_report_clears_its_decision(client, editor_client):
    post_report(client)
    report = accept(CorrectionReport.objects.get(), source=make_source())
    data = change_form_data(editor_client.get(change_url(report)))
    data.update(status="new")
    assert editor_client.post(change_url(report), data).status_code == 302
    report.refresh_from_db()
    assert (report.status, report.resolved_at, report.resolved_by) == (ReportStatus.NEW, None, None)
    assert 'id="corrections-empty"' in client.get(LOG_URL).content.decode()


def test_bulk_rejection_takes_a_note_and_leaves_accepted_reports_alone(client, editor_client, editor, settings):
    settings.CORRECTIONS_RATE = None
    for number in range(3):
        post_report(client, description=f"buy now {number}")
    spam = list(CorrectionReport.objects.order_by("pk"))
    kept = accept(spam[2], source=make_source())
    url = reverse("admin:corrections_correctionreport_changelist")
    selection = {"action": "reject_selected", "_selected_action": [str(r.pk) for r in spam]}
    asked = editor_client.post(url, selection)
    assert asked.status_code == 200 and 'id="reject-reports"' in asked.content.decode()
    # Without a note nothing is rejected.
    assert editor_client.post(url, {**selection, "reject": "1", "note": ""}).status_code == 200
    assert CorrectionReport.objects.filter(status=ReportStatus.REJECTED).count() == 0
    done = editor_client.post(url, {**selection, "reject": "1", "note": "Spam."}, follow=True)
    messages = [str(m) for m in done.context["messages"]]
    assert "Rejected 2 report(s)." in messages
    assert any(f"#{kept.pk} (accepted)" in m for m in messages)
    statuses = dict(CorrectionReport.objects.values_list("pk", "status"))
    assert statuses == {spam[0].pk: "rejected", spam[1].pk: "rejected", kept.pk: "accepted"}
    assert set(CorrectionReport.objects.filter(status="rejected").values_list("resolved_by", flat=True)) == {editor.pk}


def test_the_queue_lists_new_reports_first(client, editor_client):
    older = make_report(description="older, new", received_at=timezone.now() - datetime.timedelta(days=3))
    resolved = accept(make_report(description="newest, accepted"), source=make_source())
    newer = make_report(description="newer, new", received_at=timezone.now() - datetime.timedelta(days=1))
    response = editor_client.get(reverse("admin:corrections_correctionreport_changelist"))
    order = [row.pk for row in response.context["cl"].result_list]
    assert order == [newer.pk, older.pk, resolved.pk]
    filtered = editor_client.get(reverse("admin:corrections_correctionreport_changelist"), {"status__exact": "new"})
    assert [row.pk for row in filtered.context["cl"].result_list] == [newer.pk, older.pk]
    found = editor_client.get(reverse("admin:corrections_correctionreport_changelist"), {"q": "accepted"})
    assert [row.pk for row in found.context["cl"].result_list] == [resolved.pk]


def test_editors_may_view_and_change_reports_but_not_add_or_delete_them(editor):
    editors = Group.objects.get(name="Editors")
    codenames = set(
        Permission.objects.filter(group=editors, content_type__app_label="corrections").values_list(
            "codename", flat=True
        )
    )
    assert codenames == {"view_correctionreport", "change_correctionreport"}


def test_what_the_reader_sent_is_read_only_in_the_admin(client, editor_client):
    post_report(client, description="original words")
    report = CorrectionReport.objects.get()
    data = change_form_data(editor_client.get(change_url(report)))
    data.update(description="rewritten", contact_email="editor@example.org", status="rejected", resolution_note="No.")
    assert editor_client.post(change_url(report), data).status_code == 302
    report.refresh_from_db()
    assert (report.description, report.contact_email) == ("original words", "")


def test_the_database_holds_the_rules_whatever_the_write_path(dataset):
    report = make_report()
    for bad in (
        {"status": ReportStatus.ACCEPTED, "resolution_note": "x"},  # accepted: no source, no date
        {"status": ReportStatus.REJECTED, "resolved_at": timezone.now()},  # rejected: no note
        {"resolved_at": timezone.now()},  # new, yet resolved
        {"subject_key": "TX"},  # a jurisdiction keyed by a postal code
        {"description": ""},
        {"description": "x" * 5001},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            CorrectionReport.objects.filter(pk=report.pk).update(**bad)


def test_a_second_editor_cannot_overwrite_a_colleagues_decision(client, editor_client, editor):
    from django.test import Client

    colleague = User.objects.create_user("otto", is_staff=True)
    colleague.groups.add(Group.objects.get(name="Editors"))
    other = Client()
    other.force_login(colleague)
    post_report(client)
    report = CorrectionReport.objects.get()
    mine = change_form_data(editor_client.get(change_url(report)))
    theirs = change_form_data(other.get(change_url(report)))
    mine.update(status="accepted", resolution_note="Corrected.", source=make_source().pk)
    assert editor_client.post(change_url(report), mine).status_code == 302
    theirs.update(status="rejected", resolution_note="Not so.")
    refused = other.post(change_url(report), theirs)
    assert refused.status_code == 200
    assert "someone else saved this record after you opened it" in refused.content.decode()
    report.refresh_from_db()
    assert (report.status, report.resolved_by) == (ReportStatus.ACCEPTED, editor)

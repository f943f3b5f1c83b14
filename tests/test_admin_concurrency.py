"""Editors' admin, no lost updates: a save over a colleague's newer save is refused, with what they changed."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse

from jurisdictions.models import Jurisdiction, Source, StatusChange
from tests.admin_forms import change_url, errors_of, form_data
from tests.factories import make_source

pytestmark = pytest.mark.django_db


def test_second_save_of_a_record_opened_by_two_editors_is_refused_with_the_other_change(
    editor_client, other_editor_client
):
    source = Source.objects.exclude(title="").first()
    first = form_data(editor_client.get(change_url(source)))
    second = form_data(other_editor_client.get(change_url(source)))
    response = editor_client.post(change_url(source), {**first, "title": "Title by Edna"})
    assert response.status_code == 302
    response = other_editor_client.post(change_url(source), {**second, "note": "Note by Otto"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "someone else saved this record after you opened it" in html
    assert "edna changed title" in html and "Title by Edna" in html
    source.refresh_from_db()
    assert source.title == "Title by Edna" and source.note != "Note by Otto"


def test_concurrent_status_history_edits_on_one_jurisdiction_are_refused(editor_client, other_editor_client):
    unit = Jurisdiction.objects.get(fips="48201")
    first = form_data(editor_client.get(change_url(unit)))
    second = form_data(other_editor_client.get(change_url(unit)))
    response = editor_client.post(change_url(unit), {**first, "status_changes-0-note": "Edna's note"})
    assert response.status_code == 302, errors_of(response)
    response = other_editor_client.post(change_url(unit), {**second, "status_changes-0-note": "Otto's note"})
    assert response.status_code == 200
    assert "someone else saved this record" in errors_of(response)
    assert StatusChange.objects.get(jurisdiction=unit).note == "Edna's note"


def test_a_save_without_the_version_it_was_opened_at_is_refused(editor_client):
    source = make_source(title="Kept")
    data = form_data(editor_client.get(change_url(source)))
    del data["concurrency_version"]
    response = editor_client.post(change_url(source), {**data, "title": "Blind overwrite"})
    assert response.status_code == 200
    assert "does not say which version of the record it was opened at" in response.content.decode()
    source.refresh_from_db()
    assert source.title == "Kept"


RACE_SCRIPT = """
import json, django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.test_admin_concurrency import race_two_saves
print(json.dumps(race_two_saves(REVERT)))
"""


def race_two_saves(revert=False):
    """Two editors open one source (its change form, or the page reverting it to its first version), then save
    it at the same moment. Returns each answer's status and text, and the title that was stored."""
    import threading

    from django.db import connection
    from django.db.models.signals import pre_save
    from django.test import Client

    source = Source.objects.create(title="Before the race", url="https://example.org/race")
    url = change_url(source)
    if revert:
        source.note = "A later version"
        source.save()
        first = source.history.earliest()
        url = reverse("admin:jurisdictions_source_simple_history", args=[source.pk, first.history_id])
    clients, forms = [], []
    for name in ("ann", "bob"):
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.create_superuser(name))
        clients.append(client)
        forms.append(form_data(client.get(url)))
    # Each save waits here (up to a second) for the other: where the database lets both through their checks,
    # they then write at the same moment. Where it makes one wait for the other's commit, one waits in vain.
    meeting = threading.Barrier(2)

    def meet(sender, **kwargs):
        try:
            meeting.wait(timeout=1)
        except threading.BrokenBarrierError:
            pass

    answers = [None, None]

    def save(i):
        try:
            response = clients[i].post(url, {**forms[i], "title": f"Title by {i}"})
            answers[i] = [response.status_code, response.content.decode()]
        finally:
            connection.close()

    pre_save.connect(meet, sender=Source, weak=False)
    try:
        threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        pre_save.disconnect(meet, sender=Source)
    return answers, Source.objects.get(pk=source.pk).title


def _assert_one_won_and_the_other_was_told(answers, stored):
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200, 302], [(status, text[-2000:]) for status, text in answers]
    winner = [i for i, (status, _) in enumerate(answers) if status == 302][0]
    assert "someone else saved this record after you opened it" in answers[1 - winner][1]
    assert stored == f"Title by {winner}"


@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), reason="SQLite's locking")
@pytest.mark.parametrize("revert", [False, True], ids=["change form", "revert"])
def test_of_two_simultaneous_saves_on_sqlite_one_wins_and_the_other_gets_the_conflict_message(tmp_path, revert):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    # A database file, as the site runs on (the test database is in memory, where locking differs), written by
    # two threads of one fresh process.
    env = {key: value for key, value in os.environ.items() if key not in {"PRODUCTION", "DEBUG"}}
    env.update(DJANGO_SETTINGS_MODULE="tracker.settings", DATABASE_URL=f"sqlite:///{tmp_path / 'race.sqlite3'}")
    run = subprocess.run(
        [sys.executable, "-c", f"REVERT = {revert}\n{RACE_SCRIPT}"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    _assert_one_won_and_the_other_was_told(*json.loads(run.stdout.strip().splitlines()[-1]))


@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), reason="threads need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("revert", [False, True], ids=["change form", "revert"])
def test_of_two_simultaneous_saves_on_postgresql_one_wins_and_the_other_gets_the_conflict_message(revert):
    # Committed rows, so that each thread's own connection sees them.
    _assert_one_won_and_the_other_was_told(*race_two_saves(revert))


def test_saving_an_unchanged_record_twice_in_sequence_is_allowed(editor_client):
    source = make_source()
    for title in ("one", "two"):
        data = form_data(editor_client.get(change_url(source)))
        response = editor_client.post(change_url(source), {**data, "title": title})
        assert response.status_code == 302
    source.refresh_from_db()
    assert source.title == "two"


def test_no_admin_offers_list_editing():
    from django.contrib import admin

    assert all(not model_admin.list_editable for model_admin in admin.site._registry.values())

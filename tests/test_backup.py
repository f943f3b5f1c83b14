"""Backup and restore: a round trip into an empty database gives back exactly the same data and history."""

import datetime
import gzip

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jurisdictions.models import Jurisdiction, StatusChange


@pytest.mark.django_db(transaction=True)
def test_backup_restored_into_an_empty_database_is_identical(tmp_path, django_user_model):
    call_command("load_dataset", verbosity=0)
    django_user_model.objects.create_user("editor", password="a-long-password-1")
    harris = StatusChange.objects.get(jurisdiction="48201")
    harris.note = "Edited after loading, so the history holds an update too."
    harris.save()
    # A timestamp whose digits below the millisecond are not zero: Django's own JSON would round it away.
    StatusChange.history.filter(history_id=harris.history.latest().history_id).update(
        history_date=datetime.datetime(2026, 1, 2, 3, 4, 5, 500, tzinfo=datetime.UTC)
    )
    history_rows = StatusChange.history.count()

    first = tmp_path / "first.json.gz"
    call_command("backup", str(first))
    call_command("flush", interactive=False, verbosity=0)
    assert not Jurisdiction.objects.exists()

    call_command("restore", str(first))
    second = tmp_path / "second.json.gz"
    call_command("backup", str(second))

    assert gzip.decompress(first.read_bytes()) == gzip.decompress(second.read_bytes())
    assert StatusChange.history.count() == history_rows
    assert StatusChange.history.filter(
        history_date=datetime.datetime(2026, 1, 2, 3, 4, 5, 500, tzinfo=datetime.UTC)
    ).exists()
    assert StatusChange.objects.get(jurisdiction="48201").note.startswith("Edited after loading")
    assert django_user_model.objects.get(username="editor").check_password("a-long-password-1")


@pytest.mark.django_db
def test_restore_refuses_a_database_that_holds_data(tmp_path, dataset):
    backup = tmp_path / "backup.json"
    backup.write_text("[]")
    with pytest.raises(CommandError, match="restore only into an empty"):
        call_command("restore", str(backup))

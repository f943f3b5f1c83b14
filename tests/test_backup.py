"""Backup and restore: a round trip into an empty database gives back exactly the same data and history, the
numbered releases and their files included."""

import datetime
import gzip
import json

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError

from common import reading
from jurisdictions.models import Jurisdiction, StatusChange
from releases.models import Release
from releases.services import release_publish

EXPORTS = [
    "/api/v1/jurisdictions/?format=csv",
    "/api/v1/jurisdictions/?format=ndjson&as_of=2011-08-05",
    "/api/v1/agreements/?format=csv",
    "/api/v1/events/?format=ndjson",
    "/api/v1/sources/?format=csv",
    "/api/v1/stats/?as_of=2011-08-05",
    "/api/v1/changes/",
]


def api_exports(client, settings, folder) -> dict[str, bytes]:
    """The public exports, computed afresh (no stored copy, no cached answer): what a journalist would download."""
    settings.API_EXPORT_DIR = str(folder)
    cache.clear()
    answers = {}
    for url in EXPORTS:
        response = client.get(url)
        assert response.status_code == 200, url
        answers[url] = b"".join(response.streaming_content) if response.streaming else response.content
    return answers


def release_files(client, settings, cache) -> dict[str, bytes]:
    """Every file of every release, as a server with an empty cache serves them, and a release answer."""
    settings.RELEASES_DIR = str(cache)
    reading.forget_releases()
    answers = {}
    for release in Release.objects.order_by("number"):
        for name in [*release.manifest["files"], "manifest.json"]:
            url = f"/releases/{release.public_id}/{name}"
            response = client.get(url)
            assert response.status_code == 200, url
            answers[url] = b"".join(response.streaming_content)
        url = f"/api/v1/jurisdictions/?format=csv&release={release.public_id}"
        answers[url] = b"".join(client.get(url).streaming_content)
    # Two releases: 14 files each (data, manifest, changelog, 7 exports, 4 for analysis) and an answer.
    assert len(answers) == 2 * 15
    return answers


@pytest.mark.django_db(transaction=True)
def test_backup_restored_into_an_empty_database_is_identical(tmp_path, django_user_model, client, settings):
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
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "bulk": None}}
    exports_before = api_exports(client, settings, tmp_path / "exports-before")
    release_publish(note="After the Harris edit")
    releases_before = release_files(client, settings, tmp_path / "cache-before")

    first = tmp_path / "first.json.gz"
    call_command("backup", str(first))
    call_command("flush", interactive=False, verbosity=0)
    assert not Jurisdiction.objects.exists()

    call_command("restore", str(first))
    second = tmp_path / "second.json.gz"
    call_command("backup", str(second))

    assert gzip.decompress(first.read_bytes()) == gzip.decompress(second.read_bytes())
    assert b'"model": "releases.releasefile"' in gzip.decompress(first.read_bytes())
    assert api_exports(client, settings, tmp_path / "exports-after") == exports_before
    # The releases came back with the database: any server serves them, byte for byte.
    assert release_files(client, settings, tmp_path / "cache-after") == releases_before
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


def test_restore_refuses_a_backup_whose_releases_have_no_files(tmp_path, dataset):
    # A backup made when release files lived beside it (FILE.releases.tar.gz), into an empty database.
    backup = tmp_path / "backup.json"
    release = {
        "number": 1,
        "data_version": 5,
        "data_changed_at": None,
        "published_at": "2026-11-30T00:00:00Z",
        "published_by": None,
        "note": "First release: the dataset as shipped.",
        "data_sha256": "0" * 64,
        "manifest": {},
    }
    backup.write_text(json.dumps([{"model": "releases.release", "pk": 1, "fields": release}]))
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError, match=r"releases without their files \(r1\).*Nothing was changed"):
        call_command("restore", str(backup))
    assert not Release.objects.exists()


def _modes_seen_while(folder, action):
    """Run `action` while another thread watches `folder`: the permission bits of every file seen there."""
    import os
    import stat
    import threading

    seen, done = set(), threading.Event()

    def watch():
        while not done.is_set():
            for entry in os.scandir(folder):
                try:
                    seen.add(stat.S_IMODE(entry.stat(follow_symlinks=False).st_mode))
                except FileNotFoundError:
                    pass  # moved onto its final name between the listing and the look

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        action()
    finally:
        done.set()
        watcher.join()
    return seen


@pytest.mark.parametrize("name", ["backup.json.gz", "backup.json"])
def test_a_backup_is_readable_by_its_owner_only_from_the_moment_it_exists(tmp_path, dataset, name):
    import os
    import stat

    folder = tmp_path / "backups"
    folder.mkdir()
    target = folder / name
    # The most permissive umask: a file created the ordinary way would be readable and writable by everyone.
    previous = os.umask(0)
    try:
        seen = _modes_seen_while(folder, lambda: call_command("backup", str(target), verbosity=0))
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    # Every file seen in the folder while the backup was written (the partial file, then the backup): 0600.
    assert seen == {0o600}
    # One file: the releases are in it (the test database holds r1), as rows.
    assert sorted(path.name for path in folder.iterdir()) == [name]
    data = gzip.decompress(target.read_bytes()) if name.endswith(".gz") else target.read_bytes()
    assert b'"model": "jurisdictions.jurisdiction"' in data
    assert b'"model": "releases.releasefile"' in data


def test_a_backup_over_a_world_readable_file_is_a_new_owner_only_file(tmp_path, dataset, django_user_model):
    import os
    import stat

    django_user_model.objects.create_user("editor", password="a-long-password-1")
    target = tmp_path / "backup.json.gz"
    target.write_bytes(b"an older backup")
    target.chmod(0o644)
    # Someone who opened the old file while it was world-readable keeps reading the old file, not the new data.
    with open(target, "rb") as reader:
        call_command("backup", str(target), verbosity=0)
        assert reader.read() == b"an older backup"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    # What makes it sensitive: password hashes.
    assert b"pbkdf2_sha256$" in gzip.decompress(target.read_bytes())

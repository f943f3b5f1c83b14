"""A release is a row, not a file: its files' bytes live in the database, written in the transaction that numbers
it and never changed; each server keeps a cache of them (releases/store.py), whose failures cost speed, not answers."""

import datetime
import hashlib
import importlib
import json
import os
import resource
import signal

import pytest
from django.apps import apps
from django.core import checks
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from common import reading
from releases import store
from releases.models import Release, ReleaseFile
from releases.services import release_publish

FILES = [
    "manifest.json",
    "data.json",
    "changelog.json",
    "jurisdictions.csv",
    "jurisdictions.ndjson",
    "jurisdictions.geojson",
    "states.csv",
    "agreements.csv",
    "events.csv",
    "sources.csv",
    "scomm.xlsx",
    "scomm.sqlite",
    "metadata.json",
    "datapackage.json",
]


@pytest.fixture
def cache(settings, tmp_path):
    """A cache folder of this test's own, not yet made, as on a server that has served no release yet."""
    folder = tmp_path / "cache"
    settings.RELEASES_DIR = folder
    reading.forget_releases()
    return folder


def _body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


def _stored(number: int, name: str) -> bytes:
    return bytes(ReleaseFile.objects.get(release__number=number, name=name).content)


def _served(client, number: int = 1) -> dict[str, bytes]:
    return {name: _body(client.get(f"/releases/r{number}/{name}")) for name in FILES}


def _new_server(settings, folder) -> None:
    """As another app server would start: its own cache folder, nothing of any release in memory."""
    settings.RELEASES_DIR = folder
    reading.forget()
    reading.forget_releases()


# --- each server's cache ----------------------------------------------------------------------------------------


def test_files_are_cached_by_their_hash_on_first_use(client, dataset, cache):
    assert not cache.exists()
    served = _served(client)
    assert served == {name: _stored(1, name) for name in FILES}
    cached = {path.name for path in cache.rglob("*") if path.is_file()}
    assert cached == {hashlib.sha256(body).hexdigest() for body in served.values()}
    for body in served.values():
        path = store.cached_path(hashlib.sha256(body).hexdigest())
        assert path.read_bytes() == body
        assert path.stat().st_mode & 0o777 == 0o644


def test_two_databases_sharing_one_cache_folder_never_overwrite_each_others_release(client, dataset, cache, settings):
    first = _served(client)
    first_published = Release.objects.get(number=1).published_at
    # A second database on the same folder, as another clone's: emptied and loaded, which publishes its own r1.
    call_command("flush", interactive=False, verbosity=0)
    call_command("load_dataset", verbosity=0)
    _new_server(settings, cache)
    assert Release.objects.get(number=1).published_at != first_published
    second = _served(client)
    assert second == {name: _stored(1, name) for name in FILES}
    assert json.loads(second["manifest.json"])["published_at"] != json.loads(first["manifest.json"])["published_at"]
    # The first database's r1 is still whole in the shared folder: each of its files, where its hash says.
    for name, body in first.items():
        assert store.cached_path(hashlib.sha256(body).hexdigest()).read_bytes() == body, name


def test_a_second_app_server_on_the_same_database_serves_r1_and_its_files_and_publishes_r2(
    client, dataset, settings, tmp_path, django_assert_num_queries
):
    _new_server(settings, tmp_path / "first-server")
    answer = _body(client.get("/api/v1/jurisdictions/48201/?release=r1"))
    files = _served(client)
    _new_server(settings, tmp_path / "second-server")
    # The release's row, then its data.json from the database, once; and the client's allowance, one upsert
    # (common/allowances.py).
    with django_assert_num_queries(3):
        assert _body(client.get("/api/v1/jurisdictions/48201/?release=r1")) == answer
    with django_assert_num_queries(2):
        assert _body(client.get("/api/v1/stats/?release=r1"))
    assert _served(client) == files
    r2 = release_publish(note="Published from the second server")
    assert r2.number == 2
    assert json.loads(_stored(2, "changelog.json"))["previous"] == "r1"
    _new_server(settings, tmp_path / "first-server")
    assert _served(client, 2) == {name: _stored(2, name) for name in FILES}
    assert client.get("/api/v1/stats/?release=r2").status_code == 200


@pytest.fixture
def file_size_limit():
    """Files this process writes stop growing at 256 KB, as on a full disk (the write fails; nothing is killed)."""
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, limits[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, handler)


@pytest.mark.parametrize("kind", ["read-only", "under a regular file", "full"])
def test_a_cache_folder_that_cannot_be_written_still_serves_every_file(
    client, dataset, settings, tmp_path, request, kind
):
    stored = {name: _stored(1, name) for name in FILES}
    if kind == "read-only":
        # Tests run as root, whom 0500 does not stop; as the site's user it does.
        folder = tmp_path / "read-only"
        folder.mkdir(mode=0o500)
    elif kind == "under a regular file":
        (tmp_path / "a-file").write_bytes(b"not a folder")
        folder = tmp_path / "a-file" / "releases"
    else:
        folder = tmp_path / "full"
        request.getfixturevalue("file_size_limit")
    _new_server(settings, folder)
    for _ in range(2):
        assert _served(client) == stored
        assert client.get("/api/v1/stats/?release=r1").status_code == 200
        assert client.get("/releases/r1/").status_code == 200
    if folder.is_dir():
        # Only whole files are ever in place: no partial one is left behind.
        for path in folder.rglob("*"):
            assert not path.name.endswith(".partial")
            if path.is_file():
                assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name


@pytest.mark.parametrize("damage", ["edited", "truncated", "edited with its times put back"])
def test_a_tampered_cached_file_is_detected_and_rebuilt(client, dataset, cache, damage):
    csv = _stored(1, "jurisdictions.csv")
    data = _stored(1, "data.json")
    answer = _body(client.get("/api/v1/jurisdictions/48201/?release=r1"))
    assert _body(client.get("/releases/r1/jurisdictions.csv")) == csv
    for body in (csv, data):
        path = store.cached_path(hashlib.sha256(body).hexdigest())
        before = path.stat()
        # Truncated, or the same size with other bytes.
        damaged = body[: len(body) // 2] if damage == "truncated" else body.replace(b"Harris", b"Hurris")
        assert damaged != body
        path.write_bytes(damaged)
        if damage == "edited with its times put back":
            os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    reading.forget_releases()
    assert _body(client.get("/releases/r1/jurisdictions.csv")) == csv
    assert _body(client.get("/api/v1/jurisdictions/48201/?release=r1")) == answer
    for body in (csv, data):
        assert store.cached_path(hashlib.sha256(body).hexdigest()).read_bytes() == body


# --- the database keeps releases ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE releases_release SET note = 'Rewritten' WHERE number = 1",
        "UPDATE releases_release SET number = number WHERE number = 1",
        "DELETE FROM releases_release WHERE number = 1",
        "UPDATE releases_releasefile SET sha256 = 'x' WHERE name = 'data.json'",
        "UPDATE releases_releasefile SET size = 0",
        "DELETE FROM releases_releasefile WHERE name = 'jurisdictions.csv'",
        "DELETE FROM releases_releasefile",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_release_or_its_files(dataset, statement):
    before = {name: _stored(1, name) for name in FILES}
    with pytest.raises(IntegrityError, match="never changed or deleted"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert Release.objects.get(number=1).note.startswith("First release")
    assert {name: _stored(1, name) for name in FILES} == before


def _refuse_inserts(table: str, message: str) -> None:
    """Make the database refuse new rows in `table`, as a full disk or quota would (undone with the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            raise_ = f"SELECT RAISE(ABORT, '{message}')"
            cursor.execute(f"CREATE TRIGGER test_full BEFORE INSERT ON {table} BEGIN {raise_}; END")
        else:
            cursor.execute(
                "CREATE FUNCTION test_full() RETURNS trigger AS $$ BEGIN "
                f"RAISE EXCEPTION '{message}' USING ERRCODE = 'disk_full'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(f"CREATE TRIGGER test_full BEFORE INSERT ON {table} EXECUTE FUNCTION test_full()")


@pytest.mark.parametrize("cause", ["the database is full", "SITE_URL is not an allowed host"])
def test_a_publish_that_cannot_complete_tells_the_editor_why_in_the_admin_and_writes_nothing(
    client, dataset, cache, django_user_model, settings, cause
):
    if cause == "the database is full":
        _refuse_inserts("releases_releasefile", "database or disk is full")
        reason = "database or disk is full"
    else:
        settings.SITE_URL = "https://scomm.example.net"
        reason = "SITE_URL (https://scomm.example.net), is not among ALLOWED_HOSTS"
    version = reading.read_version()
    files = ReleaseFile.objects.count()
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "a-long-password-1"))

    response = client.post("/admin/releases/release/add/", {"note": "After the Illinois correction"}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/admin/releases/release/add/?note=After+the+Illinois")
    [message] = [str(message) for message in response.context["messages"]]
    assert reason in message and "Nothing was published" in message
    assert 'id="id_note">\nAfter the Illinois correction</textarea>' in response.content.decode()
    assert list(Release.objects.values_list("number", flat=True)) == [1]
    assert ReleaseFile.objects.count() == files
    assert reading.read_version() == version


def test_a_publish_on_a_server_without_any_cache_folder_reads_the_previous_release_from_the_database(
    dataset, settings, tmp_path
):
    (tmp_path / "a-file").write_bytes(b"not a folder")
    settings.RELEASES_DIR = tmp_path / "a-file" / "releases"
    r2 = release_publish(note="Second")
    assert json.loads(_stored(2, "changelog.json"))["previous"] == "r1"
    assert sorted(ReleaseFile.objects.filter(release=r2).values_list("name", flat=True)) == sorted(FILES)


def test_releases_published_before_files_lived_in_the_database_get_them_from_their_folders(dataset, settings, tmp_path):
    migration = importlib.import_module("releases.migrations.0003_release_files_from_folders")
    r1 = Release.objects.get(number=1)
    old = {name: _stored(1, name) for name in FILES}
    for number in (2, 3):
        Release.objects.create(
            number=number,
            data_version=r1.data_version,
            published_at=timezone.now() - datetime.timedelta(days=1),
            note="Published when files lived in RELEASES_DIR/r<N>/",
            data_sha256=r1.data_sha256,
            manifest=r1.manifest,
        )
    folder = tmp_path / "r2"
    folder.mkdir()
    for name, body in old.items():
        (folder / name).write_bytes(body)
    settings.RELEASES_DIR = tmp_path
    # r3's folder is missing: the migration says so and which, rather than leave a release without files.
    with pytest.raises(RuntimeError, match="r3's file .*r3/.* is missing"):
        with transaction.atomic():
            migration.files_into_database(apps, None)
    (tmp_path / "r3").mkdir()
    for name, body in old.items():
        (tmp_path / "r3" / name).write_bytes(body if name != "events.csv" else body + b"\n")
    with pytest.raises(RuntimeError, match="r3's file .*events.csv does not match"):
        with transaction.atomic():
            migration.files_into_database(apps, None)
    (tmp_path / "r3" / "events.csv").write_bytes(old["events.csv"])
    migration.files_into_database(apps, None)
    for number in (2, 3):
        assert {name: _stored(number, name) for name in FILES} == old


# --- settings ---------------------------------------------------------------------------------------------------


def test_check_deploy_warns_when_site_url_is_the_local_default_or_not_an_allowed_host(settings):
    def warnings():
        return sorted(message.id for message in checks.run_checks(include_deployment_checks=True, tags=["releases"]))

    settings.SITE_URL = "http://localhost:8000"
    assert warnings() == ["releases.W001"]
    settings.SITE_URL, settings.ALLOWED_HOSTS = "https://scomm.example.org", ["scomm.example.org"]
    assert warnings() == []
    settings.ALLOWED_HOSTS = ["other.example.org"]
    assert warnings() == ["releases.W002"]
    # Not a deploy: no warning while developing.
    settings.SITE_URL = "http://localhost:8000"
    assert checks.run_checks(tags=["releases"]) == []

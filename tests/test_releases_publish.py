"""Publishing numbered, immutable data releases: what the loader and the command publish, their files (rows in
the database) and changelog, and why a release can never change: model, admin and simultaneous publishers."""

import datetime
import hashlib
import io
import json
from html import unescape

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError

from agreements.models import Agreement, AgreementStatus
from jurisdictions.models import StatusChange
from releases import services
from releases.models import Release, ReleaseFile, ReleaseIsImmutable
from releases.services import PublishError, release_publish
from tests.factories import make_agreement_change, make_source
from tests.releases_helpers import response_bytes, stored_bytes

# --- publishing -----------------------------------------------------------------------------------------------


def test_the_loader_published_r1_with_files_whose_hashes_match_its_manifest(dataset):
    release = Release.objects.get()
    assert (release.number, release.public_id, release.note) == (1, "r1", services.FIRST_RELEASE_NOTE)
    stored = {file.name: file for file in ReleaseFile.objects.filter(release=release)}
    manifest = json.loads(bytes(stored["manifest.json"].content))
    assert manifest == release.manifest
    assert manifest["release"] == "r1" and manifest["previous"] is None
    assert manifest["counts"]["counted_jurisdictions"] == 3143
    assert set(manifest["files"]) == {
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
    }
    assert sorted(stored) == sorted([*manifest["files"], "manifest.json"])
    for name, about in manifest["files"].items():
        body = bytes(stored[name].content)
        assert hashlib.sha256(body).hexdigest() == about["sha256"] == stored[name].sha256, name
        assert len(body) == about["size"] == stored[name].size
        assert stored[name].content_type == about["content_type"]
    assert release.data_sha256 == manifest["files"]["data.json"]["sha256"]


def test_a_second_load_publishes_nothing(dataset, releases_dir):
    out = io.StringIO()
    call_command("load_dataset", stdout=out)
    assert list(Release.objects.values_list("number", flat=True)) == [1]
    assert "Published" not in out.getvalue()


def test_a_fresh_load_publishes_r1(dataset, releases_dir):
    # As on a fresh install: an empty database (flush empties it, releases included), then the loader.
    call_command("flush", interactive=False, verbosity=0)
    assert not Release.objects.exists() and not ReleaseFile.objects.exists()
    out = io.StringIO()
    call_command("load_dataset", stdout=out)
    assert "Published the first release, r1" in out.getvalue()
    assert Release.objects.get().note == services.FIRST_RELEASE_NOTE


def test_the_release_files_are_the_apis_full_exports_for_that_release(client, dataset, releases_dir, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "bulk": None}}
    host = settings.SITE_URL.split("://", 1)[1]
    for name, fmt in [
        ("jurisdictions.csv", "csv"),
        ("jurisdictions.ndjson", "ndjson"),
        ("jurisdictions.geojson", "geojson"),
    ]:
        answer = client.get(f"/api/v1/jurisdictions/?format={fmt}&release=r1", HTTP_HOST=host)
        assert answer.status_code == 200
        assert response_bytes(answer) == stored_bytes(1, name), name


def test_publishing_needs_a_note(dataset, releases_dir):
    with pytest.raises(PublishError):
        release_publish(note="  ")
    assert Release.objects.count() == 1


def test_publish_release_command_publishes_the_next_number(dataset, releases_dir):
    out = io.StringIO()
    call_command("publish_release", "--note", "After the Illinois correction", stdout=out)
    assert "Published r2" in out.getvalue()
    release = Release.objects.get(number=2)
    assert release.manifest["previous"] == "r1"
    assert json.loads(stored_bytes(2, "manifest.json")) == release.manifest


def test_the_changelog_against_the_previous_release_lists_real_edits(client, dataset, releases_dir):
    harris = StatusChange.objects.get(jurisdiction="48201")
    before = harris.effective_on
    harris.effective_on = datetime.date(2009, 6, 30)
    harris.save()
    illinois = Agreement.objects.filter(state="IL").first()
    source = make_source(title="A new letter", url="https://example.org/new-letter")
    make_agreement_change(
        illinois, status=AgreementStatus.SUSPENDED, effective_on=datetime.date(2011, 5, 5), source=source
    )

    r2 = release_publish(note="Harris date corrected; Illinois suspension")
    log = json.loads(stored_bytes(2, "changelog.json"))
    assert log["previous"] == "r1"
    [harris_log] = [unit for unit in log["units_changed"] if unit["fips"] == "48201"]
    assert len(log["units_changed"]) == 1
    assert harris_log["before"][0]["effective_on"] == before.isoformat()
    assert harris_log["after"][0]["effective_on"] == "2009-06-30"
    [changed] = log["agreements_changed"]
    assert changed["id"] == illinois.pk and "statuses" in changed["fields"]
    assert {"status": "suspended", "effective_on": "2011-05-05", "precision": "day", "source_id": source.pk} in changed[
        "after"
    ]["statuses"]
    assert [added["id"] for added in log["sources_added"]] == [source.pk]
    assert log["agreements_added"] == [] and log["events_added"] == []

    page = client.get(r2.get_absolute_url())
    assert page.status_code == 200
    text = unescape(page.content.decode())
    assert "Harris County" in text and "2009-06-30" in text and "A new letter" in text
    api = client.get("/api/v1/releases/r2/").json()
    assert api["changelog"] == log
    assert api["previous"] == "r1"


# --- immutability and atomicity ------------------------------------------------------------------------------


def test_a_release_cannot_be_changed_or_deleted_through_the_model(dataset):
    data = ReleaseFile.objects.get(release__number=1, name="data.json")
    data.content = b"{}"
    with pytest.raises(ReleaseIsImmutable):
        data.save()
    with pytest.raises(ReleaseIsImmutable):
        data.delete()
    with pytest.raises(ReleaseIsImmutable):
        ReleaseFile.objects.filter(release__number=1).update(content=b"{}")
    with pytest.raises(ReleaseIsImmutable):
        ReleaseFile.objects.all().delete()
    release = Release.objects.get(number=1)
    release.note = "Rewritten"
    with pytest.raises(ReleaseIsImmutable):
        release.save()
    with pytest.raises(ReleaseIsImmutable):
        release.delete()
    with pytest.raises(ReleaseIsImmutable):
        Release.objects.filter(number=1).update(note="Rewritten")
    with pytest.raises(ReleaseIsImmutable):
        Release.objects.all().delete()
    assert Release.objects.get(number=1).note == services.FIRST_RELEASE_NOTE


def test_two_releases_cannot_share_a_number(dataset):
    r1 = Release.objects.get(number=1)
    with pytest.raises(IntegrityError):
        Release.objects.create(
            number=1,
            data_version=r1.data_version,
            published_at=r1.published_at,
            note="again",
            data_sha256=r1.data_sha256,
            manifest={},
        )


def test_the_admin_publishes_but_never_changes_or_deletes_even_for_a_superuser(
    client, dataset, releases_dir, django_user_model
):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "a-long-password-1")
    client.force_login(admin)
    change = client.get("/admin/releases/release/1/change/")
    assert change.status_code == 200  # shown read-only
    assert b'name="_save"' not in change.content
    assert client.post("/admin/releases/release/1/change/", {"note": "Rewritten"}).status_code == 403
    assert client.get("/admin/releases/release/1/delete/").status_code == 403
    assert client.post("/admin/releases/release/1/delete/", {"post": "yes"}).status_code == 403
    listing = client.get("/admin/releases/release/")
    assert b"delete_selected" not in listing.content
    added = client.post("/admin/releases/release/add/", {"note": "Published from the admin"})
    assert added.status_code == 302
    r2 = Release.objects.get(number=2)
    assert (r2.note, r2.published_by) == ("Published from the admin", admin)
    assert Release.objects.get(number=1).note == services.FIRST_RELEASE_NOTE


@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), reason="threads need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_publishers_get_two_numbers_on_postgresql(settings, tmp_path):
    import threading

    from django.db import connection

    settings.RELEASES_DIR = tmp_path / "releases"
    call_command("load_dataset", verbosity=0)  # after another transactional test emptied the tables; else nothing
    start = Release.objects.order_by("-number").first().number
    barrier, numbers, errors = threading.Barrier(2), [], []

    def publish(n):
        try:
            barrier.wait()
            numbers.append(release_publish(note=f"Publisher {n}").number)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == [start + 1, start + 2]
    for number in numbers:
        manifest = json.loads(stored_bytes(number, "manifest.json"))
        assert manifest["release"] == f"r{number}" and manifest["previous"] == f"r{number - 1}"

"""Numbered, immutable data releases: publishing, their files, `?release=rN` answers that never change."""

import hashlib
import json

from releases import store
from releases.models import Release


def test_the_loader_published_r1_with_files_whose_hashes_match_its_manifest(dataset):
    release = Release.objects.get()
    assert release.number == 1
    folder = store.folder(1)
    manifest = json.loads((folder / "manifest.json").read_bytes())
    assert manifest == release.manifest
    for name, about in manifest["files"].items():
        body = (folder / name).read_bytes()
        assert hashlib.sha256(body).hexdigest() == about["sha256"]
        assert len(body) == about["size"]


def test_pages_show_the_cite_box(client, dataset):
    page = client.get("/jurisdictions/?state=TX&as_of=2011-08-05").content.decode()
    assert "Cite this" in page
    r = client.get("/jurisdictions/48201/?release=r1")
    assert r.status_code == 200, r.content[:500]
    assert "release-banner" in r.content.decode()
    for url in [
        "/releases/",
        "/releases/r1/",
        "/api/v1/releases/",
        "/api/v1/releases/r1/",
        "/releases/r1/jurisdictions.csv",
        "/api/v1/stats/?release=r1",
        "/api/v1/jurisdictions/?release=r1&format=csv",
    ]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.content[:800])

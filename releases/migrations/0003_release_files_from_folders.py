"""The files of releases published before releases lived in the database, read once from the folders they were
kept in (RELEASES_DIR/r<N>/) into ReleaseFile rows, each checked against the release's manifest."""

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.db import migrations

MANIFEST = "manifest.json"
# As releases/store.py had them when this migration was written.
CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".ndjson": "application/x-ndjson; charset=utf-8",
    ".geojson": "application/geo+json",
    ".json": "application/json",
}


def files_into_database(apps, schema_editor):
    Release = apps.get_model("releases", "Release")
    ReleaseFile = apps.get_model("releases", "ReleaseFile")
    for release in Release.objects.order_by("number"):
        if ReleaseFile.objects.filter(release=release).exists():
            continue
        folder = Path(settings.RELEASES_DIR) / f"r{release.number}"
        listed = release.manifest.get("files", {})
        rows = []
        for name in [*listed, MANIFEST]:
            try:
                body = (folder / name).read_bytes()
            except FileNotFoundError:
                raise RuntimeError(
                    f"r{release.number}'s file {folder / name} is missing: put the release folders back in "
                    "RELEASES_DIR (a backup made before this version wrote them to FILE.releases.tar.gz beside "
                    "it) and run migrate again."
                ) from None
            digest = hashlib.sha256(body).hexdigest()
            whole = json.loads(body) == release.manifest if name == MANIFEST else digest == listed[name]["sha256"]
            if not whole:
                raise RuntimeError(f"r{release.number}'s file {folder / name} does not match its manifest.")
            content_type = CONTENT_TYPES.get(Path(name).suffix, "application/octet-stream")
            rows.append(
                ReleaseFile(
                    release=release, name=name, content=body, sha256=digest, size=len(body), content_type=content_type
                )
            )
        ReleaseFile.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("releases", "0002_release_files")]

    operations = [migrations.RunPython(files_into_database, migrations.RunPython.noop)]

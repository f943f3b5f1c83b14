"""Publishing a release: the one write of this app (ARCHITECTURE.md: keyword-only services)."""

import json

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import reading
from common.dates import today_is, us_today
from readmodel import rowdata, snapshot
from releases import analysis, changelog, store
from releases.models import Release, ReleaseFile

# The exports a release holds: (file name, API list, format). The same code as the API's full downloads.
EXPORTS = [
    ("jurisdictions.csv", "api:jurisdiction-list", "csv"),
    ("jurisdictions.ndjson", "api:jurisdiction-list", "ndjson"),
    ("jurisdictions.geojson", "api:jurisdiction-list", "geojson"),
    ("states.csv", "api:state-list", "csv"),
    ("agreements.csv", "api:agreement-list", "csv"),
    ("events.csv", "api:event-list", "csv"),
    ("sources.csv", "api:source-list", "csv"),
]
FIRST_RELEASE_NOTE = "First release: the dataset as shipped."


class PublishError(ValueError):
    """A release that cannot be published as asked (no note, a failed export, a database that refuses): the
    message says why, for the editor."""


def release_publish(*, note: str, user=None) -> Release:
    """Publish the next release (r1, r2, ...) of the whole public dataset at the current data version.

    Serialised: the data version row is locked for the publication (SQLite's transactions here are IMMEDIATE
    anyway), so two publishers never get one number and no edit lands between the rows read and the version
    recorded; the unique number is the last guard (a clash is retried once). The release row and every file's bytes
    are written in that one transaction: if anything fails, nothing remains, and PublishError says why.
    """
    note = (note or "").strip()
    if not note:
        raise PublishError(_("A release needs a note saying what it is."))
    for attempt in range(2):
        try:
            return _publish(note=note, user=user)
        except DatabaseError as error:
            if isinstance(error, IntegrityError) and not attempt:
                continue
            raise PublishError(
                _("The database refused the release (%(error)s). Nothing was published.") % {"error": error}
            ) from error
    raise AssertionError("unreachable")


def _publish(*, note: str, user) -> Release:
    with transaction.atomic():
        reading.lock_version()
        version = reading.read_version()
        previous = Release.objects.order_by("-number").first()
        number = previous.number + 1 if previous else 1
        published_at = timezone.now()
        data = rowdata.encode_rows(rowdata.read_rows())
        rows = rowdata.decode_rows(data)
        files = {store.DATA_FILE: data}
        pin = reading.Pinned(number, us_today(published_at), published_at, f"{number}:{store.sha256(data)}", version)
        frozen = snapshot.from_rows(version, rows)
        caller = _caller(frozen, pin)
        files |= _exports(caller)
        previous_rows = None
        if previous is not None:
            # From the database, never a server's cache: what the previous release holds, whichever server asks.
            stored = ReleaseFile.objects.filter(release=previous, name=store.DATA_FILE)
            previous_rows = rowdata.decode_rows(bytes(stored.values_list("content", flat=True).get()))
        log = changelog.compute(previous_rows, rows, previous_id=previous.public_id if previous else None)
        files[store.CHANGELOG_FILE] = _json(log)
        # The files for analysis (xlsx, SQLite, Datasette's metadata) and datapackage.json describing every file.
        files |= analysis.release_files(caller, files=files, hashes=store.sha256)
        manifest = {
            "release": f"r{number}",
            "number": number,
            "note": note,
            "published_at": published_at.isoformat(),
            "day": pin.day.isoformat(),
            "data_version": version.number,
            "data_changed_at": version.changed_at.isoformat() if version.changed_at else None,
            "previous": previous.public_id if previous else None,
            "counts": changelog.counts(rows),
            # The documents behind the sources, as kept when the release was published (served at their address).
            "documents": [
                {
                    "source": source_id,
                    "url": f"/sources/{source_id}/document",
                    "sha256": sha256,
                    "media_type": media_type,
                    "size": size,
                    "retrieved_on": retrieved_on,
                }
                for source_id, sha256, media_type, size, retrieved_on in rows.get("documents", ())
            ],
            "files": {
                name: {"size": len(body), "sha256": store.sha256(body), "content_type": store.content_type(name)}
                for name, body in sorted(files.items())
            },
        }
        files[store.MANIFEST_FILE] = _json(manifest)
        release = Release.objects.create(
            number=number,
            data_version=version.number,
            data_changed_at=version.changed_at,
            published_at=published_at,
            published_by=user,
            note=note,
            data_sha256=store.sha256(data),
            manifest=manifest,
        )
        ReleaseFile.objects.bulk_create(
            ReleaseFile(
                release=release,
                name=name,
                content=body,
                sha256=store.sha256(body),
                size=len(body),
                content_type=store.content_type(name),
            )
            for name, body in sorted(files.items())
        )
        # A new release is public data too (the Cite box names the latest): move the data version.
        reading.bump_version(published_at)
    return release


def _json(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode()


def _caller(frozen, pin: reading.Pinned) -> analysis.Caller:
    """The API's views on the frozen data, as `/api/v1/...?release=rN` answers them (links on the site's address,
    SITE_URL)."""
    site = settings.SITE_URL
    secure, host = site.startswith("https://"), site.split("://", 1)[-1]
    try:
        return analysis.Caller(reading.Choice(frozen, pin), host=host, secure=secure, query={"release": pin.public_id})
    except ValueError:
        raise PublishError(
            _(
                "The site's address, SITE_URL (%(site)s), is not among ALLOWED_HOSTS: the links inside the release's "
                "files cannot be written. Nothing was published; ask whoever runs the site to correct the settings."
            )
            % {"site": site}
        ) from None


def _exports(caller: analysis.Caller) -> dict[str, bytes]:
    """The full downloads of the frozen data, produced by the API's own views for the release's day."""
    files = {}
    with today_is(caller.choice.release.day):
        for name, url_name, fmt in EXPORTS:
            response = caller.get(url_name, {"format": fmt})
            if response.status_code != 200:
                raise PublishError(
                    _("The export %(name)s failed (%(status)s). Nothing was published.")
                    % {"name": name, "status": response.status_code}
                )
            files[name] = b"".join(response.streaming_content) if response.streaming else response.content
    return files


def publish_first_release() -> Release | None:
    """r1, when no release exists yet (the dataset loader calls it after a load); None when one does."""
    if Release.objects.exists():
        return None
    return release_publish(note=FIRST_RELEASE_NOTE)

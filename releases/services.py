"""Publishing a release: the one write of this app (ARCHITECTURE.md: keyword-only services)."""

import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common import reading
from common.dates import today_is, us_today
from readmodel import snapshot
from releases import changelog, store
from releases.models import Release

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
CHANGELOG_FILE = "changelog.json"
FIRST_RELEASE_NOTE = "First release: the dataset as shipped."


class PublishError(ValueError):
    """A release that cannot be published as asked (e.g. without a note)."""


def release_publish(*, note: str, user=None) -> Release:
    """Publish the next release (r1, r2, ...) of the whole public dataset at the current data version.

    Serialised: the data version row is locked for the publication (SQLite's transactions here are IMMEDIATE
    anyway), so two publishers never get one number and no edit lands between the rows read and the version
    recorded; the unique number is the last guard (a clash is retried once). The files are written before the
    row is created; if anything fails, neither the folder nor the row remains.
    """
    note = (note or "").strip()
    if not note:
        raise PublishError(_("A release needs a note saying what it is."))
    for attempt in range(2):
        try:
            return _publish(note=note, user=user)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _publish(*, note: str, user) -> Release:
    written = None
    try:
        with transaction.atomic():
            reading.lock_version()
            version = reading.read_version()
            previous = Release.objects.order_by("-number").first()
            number = previous.number + 1 if previous else 1
            published_at = timezone.now()
            data = snapshot.encode_rows(snapshot.read_rows())
            rows = snapshot.decode_rows(data)
            files = {store.DATA_FILE: data}
            pin = reading.Pinned(number, us_today(published_at), published_at, f"{number}:{store.sha256(data)}")
            frozen = snapshot.from_rows(version, rows)
            files |= _exports(frozen, pin)
            previous_rows = None
            if previous is not None:
                try:
                    previous_data = (store.folder(previous.number) / store.DATA_FILE).read_bytes()
                except FileNotFoundError:
                    raise PublishError(
                        f"The files of {previous.public_id} are missing from RELEASES_DIR ({store.root()}): restore "
                        "them (manage.py restore puts back a backup's release files) before publishing the next."
                    ) from None
                previous_rows = snapshot.decode_rows(previous_data)
            log = changelog.compute(previous_rows, rows, previous_id=previous.public_id if previous else None)
            files[CHANGELOG_FILE] = _json(log)
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
                "files": {
                    name: {"size": len(body), "sha256": store.sha256(body), "content_type": store.content_type(name)}
                    for name, body in sorted(files.items())
                },
            }
            files[store.MANIFEST_FILE] = _json(manifest)
            written = store.write_folder(number, files)
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
            # A new release is public data too (the Cite box names the latest): move the data version.
            reading.bump_version(published_at)
        return release
    except BaseException:
        if written is not None:
            store.remove_folder(number)
        raise


def _json(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode()


def _exports(frozen, pin: reading.Pinned) -> dict[str, bytes]:
    """The full downloads of the frozen data, produced by the API's own views for the release's day, as
    `/api/v1/jurisdictions/?format=csv&release=rN` answers them (links on the site's address, SITE_URL)."""
    site = settings.SITE_URL
    secure, host = site.startswith("https://"), site.split("://", 1)[-1]
    factory = RequestFactory()
    choice = reading.Choice(frozen, pin)
    files = {}
    with today_is(pin.day):
        for name, url_name, fmt in EXPORTS:
            path = reverse(url_name)
            request = factory.get(path, {"format": fmt, "release": pin.public_id}, HTTP_HOST=host, secure=secure)
            request.release_choice = choice
            match = resolve(path)
            # No throttling: this is the publisher, not a reader.
            view = match.func.cls.as_view(match.func.actions, throttle_classes=[], **match.func.initkwargs)
            response = view(request, *match.args, **match.kwargs)
            if response.status_code != 200:
                raise PublishError(f"The export {name} failed: {response.status_code}")
            files[name] = b"".join(response.streaming_content) if response.streaming else response.content
    return files


def publish_first_release() -> Release | None:
    """r1, when no release exists yet (the dataset loader calls it after a load); None when one does."""
    if Release.objects.exists():
        return None
    return release_publish(note=FIRST_RELEASE_NOTE)

"""A release's files: their bytes are ReleaseFile rows in the database (written with the release, never changed);
each server keeps a cache of them under settings.RELEASES_DIR, read back into a snapshot (readmodel/snapshot.py) for
`?release=rN` answers and served as the release's files.

The cache is content-addressed: a file is kept as RELEASES_DIR/<two hex digits>/<its SHA-256>, so two databases
sharing one folder (two clones' test runs, staging beside production) can never write over each other's files,
and a cached file is checked against the hash the release's manifest gives before it is used. A file is written
into a temporary file beside its place and renamed onto it in one step. A cache that is missing, full, read-only
or tampered with costs speed only: the bytes come from the database.
"""

import hashlib
import io
import json
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from common import reading
from common.dates import us_today
from common.reading import Pinned, Version
from readmodel import rowdata, snapshot

DATA_FILE = "data.json"
MANIFEST_FILE = "manifest.json"
CHANGELOG_FILE = "changelog.json"
CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".ndjson": "application/x-ndjson; charset=utf-8",
    ".geojson": "application/geo+json",
    ".json": "application/json",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".sqlite": "application/vnd.sqlite3",
}
_CHUNK = 1 << 20

logger = logging.getLogger(__name__)


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(Path(name).suffix, "application/octet-stream")


def sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


# --- The cache: RELEASES_DIR/<ab>/<sha256> ----------------------------------------------------------------------


def cached_path(digest: str) -> Path:
    return Path(settings.RELEASES_DIR) / digest[:2] / digest


# The cached files this process has hashed, by SHA-256: (device, inode, size, modification and change times) when
# hashed. A file whose stat still says the same is not hashed again; any write to it (a truncation, an edit, even
# one that puts the modification time back) moves its change time, and it is hashed again before use.
_checked: dict[str, tuple] = {}


def _signature(stat: os.stat_result) -> tuple:
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def _open_cached(digest: str):
    """The cached file with this SHA-256, open at its start, when it is there and whole; None otherwise (a file that
    does not match is removed, to be written again)."""
    path = cached_path(digest)
    try:
        opened = open(path, "rb")
    except OSError:
        return None
    try:
        signature = _signature(os.fstat(opened.fileno()))
        if _checked.get(digest) == signature:
            return opened
        hashing = hashlib.sha256()
        while chunk := opened.read(_CHUNK):
            hashing.update(chunk)
        if hashing.hexdigest() == digest:
            _checked[digest] = signature
            opened.seek(0)
            return opened
    except OSError:
        pass
    opened.close()
    _checked.pop(digest, None)
    logger.warning("The cached release file %s does not match its SHA-256: it is rebuilt from the database.", path)
    try:
        path.unlink()
    except OSError:
        pass
    return None


def _cache(digest: str, body: bytes) -> None:
    """Keep `body` in the cache, all or nothing; a folder that cannot be written costs the next reader speed only."""
    path = cached_path(digest)
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{digest[:16]}.", suffix=".partial", dir=path.parent)
        with open(descriptor, "wb") as out:
            out.write(body)
        # Release files are public: readable by all, like the static files.
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        logger.warning("Release files are not cached in %s (%s): they are served from the database.", path, error)
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def _from_database(number: int, name: str, digest: str) -> bytes | None:
    """The bytes of release `number`'s file `name` (one query), kept in the cache; None when there is no such file."""
    from releases.models import ReleaseFile

    stored = ReleaseFile.objects.filter(release__number=number, name=name).values_list("content", flat=True).first()
    if stored is None:
        return None
    body = bytes(stored)
    if sha256(body) != digest:
        # The database holds what was published (its triggers refuse changes): a mismatch is a restore gone wrong.
        raise reading.BadRelease(
            _("The files of release r%(number)s do not match their manifest.") % {"number": number}, status=404
        )
    _cache(digest, body)
    return body


def open_file(number: int, name: str, digest: str):
    """Release `number`'s file `name`, whose SHA-256 is `digest`, open for reading: the cached file when this
    server holds it whole (no query), else its bytes from the database (one query), cached for the next reader."""
    cached = _open_cached(digest)
    if cached is not None:
        return cached
    body = _from_database(number, name, digest)
    return None if body is None else io.BytesIO(body)


def read(number: int, name: str, digest: str) -> bytes | None:
    """The bytes of release `number`'s file `name` (see `open_file`); None when it has none of that name."""
    opened = open_file(number, name, digest)
    if opened is None:
        return None
    with opened:
        return opened.read()


def changelog(release) -> dict:
    """A release's changelog.json, parsed (no query when this server's cache holds it)."""
    digest = release.manifest["files"][CHANGELOG_FILE]["sha256"]
    return json.loads(read(release.number, CHANGELOG_FILE, digest))


# --- Releases for the read model (common/reading.py) ---------------------------------------------------------

_PINNED_FIELDS = ("number", "published_at", "data_sha256", "data_version", "data_changed_at")


def pinned(release) -> Pinned:
    """What a request needs to know about a release (common/reading.py)."""
    return Pinned(
        release.number,
        us_today(release.published_at),
        release.published_at,
        f"{release.number}:{release.data_sha256}",
        Version(release.data_version, release.data_changed_at),
    )


def find(number: int) -> Pinned | None:
    """The release `number`, in one query, or None."""
    from releases.models import Release

    found = Release.objects.filter(number=number).only(*_PINNED_FIELDS).first()
    return pinned(found) if found else None


def latest() -> tuple[Pinned | None, int | None]:
    """The newest release and the data version its publication left (one query); (None, None) without any."""
    from releases.models import Release

    found = Release.objects.order_by("-number").only(*_PINNED_FIELDS).first()
    if found is None:
        return None, None
    # Publishing moves the data version by one (releases/services.py).
    return pinned(found), found.data_version + 1


def load(pin: Pinned):
    """The snapshot of a release, rebuilt from its data.json (from the cache, checked against the hash its row
    holds, or from the database)."""
    digest = pin.key.split(":", 1)[1]
    data = read(pin.number, DATA_FILE, digest)
    if data is None:
        raise reading.BadRelease(
            _("There is no release r%(number)s. The list of releases is at /releases/.") % {"number": pin.number},
            status=404,
        )
    # Labelled with the data version the release froze.
    return snapshot.from_rows(pin.version, rowdata.decode_rows(data))

"""Release files on disk: one folder per release under settings.RELEASES_DIR, written atomically, read back into
a snapshot (readmodel/snapshot.py) for `?release=rN` answers.

A release folder is written into a temporary folder beside it, every file and the folder fsynced, then renamed
into place in one step: a reader (or a crash) sees the whole folder or none of it.
"""

import datetime
import hashlib
import json
import os
import re
import shutil
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from common import reading
from common.dates import us_today
from common.reading import Pinned, Version
from readmodel import snapshot

DATA_FILE = "data.json"
MANIFEST_FILE = "manifest.json"
CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".ndjson": "application/x-ndjson; charset=utf-8",
    ".geojson": "application/geo+json",
    ".json": "application/json",
}


def root() -> Path:
    return Path(settings.RELEASES_DIR)


def folder(number: int) -> Path:
    return root() / f"r{number}"


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(Path(name).suffix, "application/octet-stream")


def sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _fsync_folder(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_folder(number: int, files: dict[str, bytes]) -> Path:
    """Write `files` ({name: bytes}) as the folder of release `number`, all or nothing; return the folder.

    A folder already there belongs to no release (a publication that failed after its rename, or was rolled
    back): the caller holds the publication lock and found no release of that number, so it is replaced.
    """
    base = root()
    base.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".r{number}.", suffix=".partial", dir=base))
    try:
        # Release files are public: readable by all, like the static files.
        os.chmod(temporary, 0o755)
        for name, body in files.items():
            with open(temporary / name, "xb") as out:
                out.write(body)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary / name, 0o644)
        _fsync_folder(temporary)
        target = folder(number)
        if target.exists():
            shutil.rmtree(target)
        os.replace(temporary, target)
        _fsync_folder(base)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return target


def remove_folder(number: int) -> None:
    shutil.rmtree(folder(number), ignore_errors=True)


def pinned(release) -> Pinned:
    """What a request needs to know about a release (common/reading.py)."""
    return Pinned(
        release.number, us_today(release.published_at), release.published_at, f"{release.number}:{release.data_sha256}"
    )


def find(number: int) -> Pinned | None:
    """The release `number`, in one query, or None."""
    from releases.models import Release

    found = Release.objects.filter(number=number).only("number", "published_at", "data_sha256").first()
    return pinned(found) if found else None


def latest() -> tuple[Pinned | None, int | None]:
    """The newest release and the data version its publication left (one query); (None, None) without any."""
    from releases.models import Release

    found = Release.objects.order_by("-number").only("number", "published_at", "data_sha256", "data_version").first()
    if found is None:
        return None, None
    # Publishing moves the data version by one (releases/services.py).
    return pinned(found), found.data_version + 1


def load(pin: Pinned):
    """The snapshot of a release, rebuilt from its data.json (checked against the hash its row holds)."""
    path = folder(pin.number) / DATA_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise reading.BadRelease(
            _("The files of release r%(number)s are missing on this server (restore them from a backup).")
            % {"number": pin.number},
            status=404,
        ) from None
    expected = pin.key.split(":", 1)[1]
    if sha256(data) != expected:
        raise reading.BadRelease(
            _("The files of release r%(number)s do not match their manifest.") % {"number": pin.number}, status=404
        )
    manifest = json.loads((folder(pin.number) / MANIFEST_FILE).read_bytes())
    return from_data(data, manifest)


def from_data(data: bytes, manifest: dict):
    """A snapshot from a release's data.json bytes and its manifest (data version and time)."""
    changed_at = manifest.get("data_changed_at")
    version = Version(manifest.get("data_version", 0), None if not changed_at else _aware(changed_at))
    return snapshot.from_rows(version, snapshot.decode_rows(data))


def _aware(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


# --- Backups (tracker/management/commands/backup.py and restore.py) -------------------------------------------

_MEMBER = re.compile(r"r([1-9][0-9]{0,8})/([A-Za-z0-9_.-]+)")


def archive_name(backup: Path) -> Path:
    """The releases' archive that goes with a backup file: FILE.releases.tar.gz beside it."""
    return backup.with_name(backup.name + ".releases.tar.gz")


def write_archive(raw, numbers: list[int]) -> None:
    """Every file of these releases into a gzip tar on the open binary file `raw` (r<N>/<name> members)."""
    with tarfile.open(fileobj=raw, mode="w:gz") as archive:
        for number in numbers:
            for path in sorted(folder(number).iterdir()):
                archive.add(path, arcname=f"r{number}/{path.name}", recursive=False)


def restore_archive(path: Path) -> list[int]:
    """Put back the release folders of an archive made by `write_archive` (each written atomically); returns
    the numbers restored. Only regular files named r<N>/<name> are read: nothing is written outside RELEASES_DIR."""
    found: dict[int, dict[str, bytes]] = {}
    with tarfile.open(path, mode="r:gz") as archive:
        for member in archive:
            match = _MEMBER.fullmatch(member.name)
            if not member.isfile() or match is None:
                continue
            found.setdefault(int(match.group(1)), {})[match.group(2)] = archive.extractfile(member).read()
    for number, files in sorted(found.items()):
        write_folder(number, files)
    return sorted(found)

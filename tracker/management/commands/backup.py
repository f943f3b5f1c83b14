"""manage.py backup FILE: everything editors made (data, edit history, users and groups) in one JSON file.

The file holds password hashes and who edited what: it is created readable and writable by its owner only (0600)
and never exists with wider permissions, whatever the umask. The backup is written to a new file beside FILE and
then moved onto FILE, so a failed backup leaves an earlier one intact, and a reader who had the old FILE open
(say it was world-readable once) never sees the new data.

The numbered data releases are rows like the rest (their files' bytes included: releases/models.py), so the backup
holds them too.
"""

import bz2
import gzip
import io
import lzma
import os
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

# contenttypes and permissions are rebuilt by `migrate`; sessions, admin log entries and login attempt records
# (django-axes: addresses of people who tried to sign in) are not worth keeping.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]
OWNER_ONLY = 0o600


def _compressed(raw, path: Path):
    """A binary stream over `raw` that compresses as FILE's extension says, like dumpdata's own --output."""
    if path.suffix == ".gz":
        return gzip.GzipFile(filename=path.name, mode="wb", fileobj=raw)
    if path.suffix == ".bz2":
        return bz2.BZ2File(raw, mode="wb")
    if path.suffix == ".xz":
        return lzma.LZMAFile(raw, mode="wb")
    if path.suffix == ".lzma":
        return lzma.LZMAFile(raw, mode="wb", format=lzma.FORMAT_ALONE)
    return raw


class Command(BaseCommand):
    help = "Write a restorable backup (gzip JSON if FILE ends in .gz) of the data, its history, users and groups."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write, e.g. backup-2026-11-27.json.gz")

    def handle(self, *args, file, **options):
        target = Path(file)
        self._write(target, self._dump)
        self.stdout.write(
            f"Backup written to {file} (readable by its owner only). Restore it with: manage.py restore {file}"
        )

    @staticmethod
    def _dump(raw, target: Path) -> None:
        with _compressed(raw, target) as binary:
            text = io.TextIOWrapper(binary, encoding="utf-8", newline="")
            call_command(
                "dumpdata",
                *[f"--exclude={label}" for label in EXCLUDED],
                "--natural-foreign",
                "--natural-primary",
                "--indent=1",
                stdout=text,
                verbosity=0,
            )
            text.flush()
            text.detach()

    @staticmethod
    def _write(target: Path, write) -> None:
        """`write(raw, target)` into a new owner-only file beside `target`, then moved onto it in one step."""
        # mkstemp creates the file with O_EXCL and mode 0600 itself: there is no moment when it is readable by
        # anyone else, even under umask 000.
        descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
        try:
            os.fchmod(descriptor, OWNER_ONLY)
            with open(descriptor, "wb") as raw:
                write(raw, target)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

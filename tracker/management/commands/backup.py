"""manage.py backup FILE: everything editors made (data, edit history, users, groups) in one JSON file."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

# contenttypes and permissions are rebuilt by `migrate`; sessions, admin log entries and login attempt records
# (django-axes: addresses of people who tried to sign in) are not worth keeping.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]


class Command(BaseCommand):
    help = "Write a restorable backup (gzip JSON if FILE ends in .gz) of the data, its history, users and groups."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write, e.g. backup-2026-11-27.json.gz")

    def handle(self, *args, file, **options):
        call_command(
            "dumpdata",
            *[f"--exclude={label}" for label in EXCLUDED],
            "--natural-foreign",
            "--natural-primary",
            "--indent=1",
            f"--output={file}",
            verbosity=0,
        )
        self.stdout.write(f"Backup written to {file}. Restore it with: manage.py restore {file}")

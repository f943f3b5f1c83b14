"""manage.py restore FILE: load a backup into an empty, migrated database, all or nothing (the releases and their
files included)."""

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from jurisdictions.models import Jurisdiction, Source, State
from releases.models import Release


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into an empty database (run `migrate` first)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A file written by `manage.py backup`.")

    def handle(self, *args, file, **options):
        # Restoring over live data would mix two histories; refuse rather than guess which one wins.
        for model in [State, Jurisdiction, Source, Release, get_user_model()]:
            if model.objects.exists():
                raise CommandError(
                    f"The database already holds {model._meta.verbose_name_plural}: restore only into an empty, "
                    "migrated database (e.g. a new one, or after `manage.py flush`). Nothing was changed."
                )
        # The backup carries the edit history itself; loading must not add history rows of its own
        # (simple-history ignores raw saves, but not the many-to-many signals loaddata sends).
        with transaction.atomic(), self.settings_without_history():
            call_command("loaddata", file, verbosity=0)
            without_files = list(Release.objects.filter(stored_files=None).values_list("number", flat=True))
            if without_files:
                raise CommandError(
                    f"The backup holds releases without their files (r{', r'.join(map(str, without_files))}): it was "
                    "made when release files lived in RELEASES_DIR. Restore it with the version that made it and its "
                    "FILE.releases.tar.gz, then upgrade (migrate reads the release folders). Nothing was changed."
                )
        self.stdout.write(f"Restored {file}.")

    @staticmethod
    def settings_without_history():
        return override_settings(SIMPLE_HISTORY_ENABLED=False)

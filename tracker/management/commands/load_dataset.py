"""manage.py load_dataset: load the shipped dataset (fixtures/) once; a second run changes nothing.

After a successful load, a database without any release gets its first, r1 (releases/), so a fresh install has one
to cite; later runs publish nothing.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from releases.services import publish_first_release
from tracker.dataset import DatasetError, load_dataset


class Command(BaseCommand):
    help = "Load states, jurisdictions, activation history, agreements and events from the dataset files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--path", type=Path, default=settings.DATASET_DIR, help="Folder holding the dataset CSV files."
        )

    def handle(self, *args, path: Path, **options):
        try:
            report = load_dataset(path)
        except DatasetError as error:
            raise CommandError(
                "The dataset was not loaded; nothing was changed. Problems:\n  " + "\n  ".join(error.problems)
            ) from error
        for line in report.lines():
            self.stdout.write(line)
        first = publish_first_release()
        if first is not None:
            self.stdout.write(f"Published the first release, {first.public_id}: {first.get_absolute_url()}")

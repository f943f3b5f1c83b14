"""manage.py load_dataset: seed an empty database with the shipped dataset (fixtures/), once.

On a database that holds data it writes nothing: the database is the record. It reports how the database differs
from the shipped files (editors' and imports' work, or files changed since the seed); `--review` turns the shipped
activation dates into an import for an editor to preview, apply or undo in the admin, in which every unit edited
since the seed is a conflict, kept as it is. After the seed, a database without any release gets its first, r1
(releases/), so a fresh install has one to cite.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from jurisdictions.importer import ImportRefused
from releases.services import publish_first_release
from tracker.dataset import DatasetError, load_dataset
from tracker.dataset.load import dataset_review


class Command(BaseCommand):
    help = "Seed an empty database with the shipped dataset; on any other, report how it differs (writes nothing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--path", type=Path, default=settings.DATASET_DIR, help="Folder holding the dataset CSV files."
        )
        parser.add_argument(
            "--review",
            action="store_true",
            help="Preview the shipped activation dates as an import, for an editor to apply or undo in the admin.",
        )

    def handle(self, *args, path: Path, review: bool, verbosity: int, **options):
        try:
            if review:
                return self._review(path)
            report = load_dataset(path)
        except DatasetError as error:
            raise CommandError(
                "The dataset was not loaded; nothing was changed. Problems:\n  " + "\n  ".join(error.problems)
            ) from error
        for line in report.lines(examples=None if verbosity > 1 else 5):
            self.stdout.write(line)
        if report.seeded:
            first = publish_first_release()
            if first is not None:
                self.stdout.write(f"Published the first release, {first.public_id}: {first.get_absolute_url()}")

    def _review(self, path: Path) -> None:
        try:
            batch, plan = dataset_review(path)
        except ImportRefused as error:
            raise CommandError(str(error)) from error
        counts = plan.counts
        summary = (
            f"{counts['new']} newly activated, {counts['changed']} dates changed, {counts['conflict']} conflicts "
            f"(edited since the load: kept), {counts['unchanged']} unchanged, {counts['error']} errors"
        )
        if batch is None:
            raise CommandError(f"The shipped activations cannot be reviewed as an import: {summary}.")
        url = reverse("admin:jurisdictions_importbatch_preview", args=[batch.pk])
        self.stdout.write(f"Previewed as {batch}: {summary}. Nothing is written until an editor applies it: {url}")

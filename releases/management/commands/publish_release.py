"""manage.py publish_release --note "...": publish the next numbered release of the whole public dataset."""

from django.core.management.base import BaseCommand, CommandError

from releases.services import PublishError, release_publish


class Command(BaseCommand):
    help = "Publish the next numbered, immutable release (r1, r2, ...) of the public dataset, with a note."

    def add_arguments(self, parser):
        parser.add_argument("--note", required=True, help="What this release is, for readers.")

    def handle(self, *args, note: str, **options):
        try:
            release = release_publish(note=note)
        except PublishError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Published {release.public_id} (data version {release.data_version}): {release.get_absolute_url()}"
        )

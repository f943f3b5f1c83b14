"""Create (or bring up to date) the "Editors" group: keep the tracker's facts, not its structure or users."""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

EDITORS = "Editors"

# model -> actions editors may take. States, jurisdictions' existence, and users stay with superusers.
PERMISSIONS = {
    ("jurisdictions", "state"): ("view",),
    ("jurisdictions", "jurisdiction"): ("view", "change"),
    ("jurisdictions", "statuschange"): ("view", "add", "change", "delete"),
    ("jurisdictions", "source"): ("view", "add", "change"),
    # The document behind a source: attach, replace or remove it (removing keeps the source and its address).
    ("jurisdictions", "sourcedocument"): ("view", "add", "change", "delete"),
    ("jurisdictions", "importbatch"): ("view", "add"),
    ("agreements", "agreement"): ("view", "add", "change"),
    ("agreements", "agreementstatuschange"): ("view", "add", "change", "delete"),
    ("agreements", "event"): ("view", "add", "change"),
    # Readers' reports: triage and resolve them. They arrive only through the public form, and stay (no delete).
    ("corrections", "correctionreport"): ("view", "change"),
    # Numbered data releases: publish one (adding is publishing); never change or delete one (nobody can).
    ("releases", "release"): ("view", "add"),
}


class Command(BaseCommand):
    help = "Create or update the Editors group with exactly the permissions editors need."

    def handle(self, *args, **options):
        group, created = Group.objects.get_or_create(name=EDITORS)
        wanted = []
        for (app_label, model), actions in PERMISSIONS.items():
            for action in actions:
                wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}"))
        group.permissions.set(wanted)
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} group “{EDITORS}” with {len(wanted)} permissions.")

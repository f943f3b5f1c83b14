"""`manage.py check_source_links`: ask every source's address whether it still answers, and report the dead ones.

Changes no data: the outcome is the output (dead addresses, one a line) and, for editors in the admin, the
"Address check" column and filter of Sources (jurisdictions/link_check.py).
"""

from django.core.management.base import BaseCommand, CommandError

from jurisdictions.link_check import sources_check_links


class Command(BaseCommand):
    help = "Check every source's address with a timeout and a bounded rate; report the dead ones to editors."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=15.0, help="Seconds to wait for an address (15).")
        parser.add_argument(
            "--rate", type=float, default=1.0, help="Addresses asked per second at most, over the whole run (1)."
        )
        parser.add_argument("--source", type=int, action="append", help="Check only this source id (repeatable).")

    def handle(self, *args, timeout, rate, source, **options):
        if timeout <= 0 or rate <= 0:
            raise CommandError("--timeout and --rate must be positive.")
        outcomes = sources_check_links(timeout=timeout, per_second=rate, ids=source)
        dead = [outcome for outcome in outcomes if not outcome.alive]
        for outcome in dead:
            source = outcome.source
            self.stdout.write(f"DEAD\t{outcome.said}\t{source.url}\tsource {source.pk}: {source}")
        self.stdout.write(f"Checked {len(outcomes)} addresses: {len(outcomes) - len(dead)} alive, {len(dead)} dead.")
        if dead:
            self.stdout.write("Editors see them in the admin: Sources, filter “Address check: dead”.")

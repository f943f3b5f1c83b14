"""manage.py flush: Django's, which empties the whole database, releases included.

The database refuses to delete a release row (releases/migrations/0004_immutable_triggers.py). PostgreSQL's flush
is a TRUNCATE, which those row triggers let through; SQLite has no TRUNCATE, so there the triggers are dropped and
made again around Django's flush, in one transaction: no other connection ever sees the tables unguarded.
"""

from django.core.management.commands import flush
from django.db import connections, transaction

GUARDS = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name GLOB 'releases_immutable_*'"


class Command(flush.Command):
    def handle(self, **options):
        database = options["database"]
        connection = connections[database]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with transaction.atomic(using=database):
            with connection.cursor() as cursor:
                cursor.execute(GUARDS)
                guards = cursor.fetchall()
                for name, _sql in guards:
                    cursor.execute(f'DROP TRIGGER "{name}"')
            super().handle(**options)
            with connection.cursor() as cursor:
                for _name, sql in guards:
                    cursor.execute(sql)

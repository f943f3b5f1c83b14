"""The data version: one counter that every write to public data moves, in the same transaction.

Database triggers on every public table (and the link tables of its many-to-many fields) bump it, so no write
path can forget it: the admin, imports, the dataset loader, a restore, a bulk update or raw SQL. A transaction that
commits late still moves the counter when it commits, unlike "the newest history id". Readers use it to know
when their copy of the data (tracker/snapshot.py) and every ETag are out of date (ARCHITECTURE.md, point 3).
"""

from django.db import models


class DataVersion(models.Model):
    """A single row (id 1): how many writes public data has had, and when the last one happened."""

    number = models.BigIntegerField(default=0, help_text="Bumped by a database trigger on every write.")
    changed_at = models.DateTimeField(null=True, help_text="When the last write happened (UTC).")

    class Meta:
        verbose_name = "data version"

    def __str__(self):
        return f"data version {self.number}"

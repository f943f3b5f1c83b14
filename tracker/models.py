"""The data version: one counter that every write to public data moves, in the same transaction.

Database triggers on every public table (and the link tables of its many-to-many fields) bump it, so no write
path can forget it: the admin, imports, the dataset loader, a restore, a bulk update or raw SQL. A transaction that
commits late still moves the counter when it commits, unlike "the newest history id". Readers use it to know
when their copy of the data (readmodel/snapshot.py) and every ETag are out of date (ARCHITECTURE.md, point 3).
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


class DatasetSeed(models.Model):
    """The one load of the shipped dataset into an empty database (tracker/dataset/load.py).

    After it the database is the record: later starts and `load_dataset` runs write nothing and only report how the
    database differs from the shipped files; a change to the files reaches the database as an import an editor
    reviews (`load_dataset --review`).
    """

    loaded_at = models.DateTimeField(auto_now_add=True, help_text="When the shipped dataset was loaded (UTC).")
    files = models.JSONField(help_text="Each shipped file loaded, by name: its SHA-256 and size in bytes.")
    created = models.JSONField(help_text="How many records of each kind the load created.")

    class Meta:
        verbose_name = "dataset seed"

    def __str__(self):
        return f"dataset loaded {self.loaded_at:%Y-%m-%d %H:%M} UTC"

"""The library's one table: the allowance counters every worker and server shares (common/allowances.py)."""

from django.db import models


class Allowance(models.Model):
    """How many requests one client made in one scope's current window (a rate limit's counter)."""

    key = models.CharField(
        primary_key=True, max_length=120, help_text="The scope and the client address, e.g. 'bulk:203.0.113.9'."
    )
    window_ends = models.BigIntegerField(help_text="When the counted window ends, in seconds since 1970 (UTC).")
    count = models.PositiveIntegerField(help_text="Requests counted in the window so far.")

    class Meta:
        indexes = [models.Index(fields=["window_ends"], name="allowance_window_ends")]

    def __str__(self):
        return f"{self.key}: {self.count}"

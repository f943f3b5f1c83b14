"""A numbered, immutable data release: the whole public dataset frozen at one data version, with its files."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.dates import us_today


class ReleaseIsImmutable(Exception):
    """A release, once published, is never changed or deleted: journalists cite it."""


class ReleaseQuerySet(models.QuerySet):
    """Releases are added, never updated or deleted in bulk either."""

    def update(self, **kwargs):
        raise ReleaseIsImmutable("Published releases cannot be changed.")

    def delete(self):
        raise ReleaseIsImmutable("Published releases cannot be deleted.")


class Release(models.Model):
    """A published release, r<number>: its files live in RELEASES_DIR/r<number>/ (releases/store.py)."""

    number = models.PositiveIntegerField(
        unique=True, help_text=_("The release's number: its public id is r followed by it (r1, r2, ...).")
    )
    data_version = models.BigIntegerField(help_text=_("The data version the release froze."))
    data_changed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the data the release froze was last changed (UTC).")
    )
    published_at = models.DateTimeField(help_text=_("When the release was published (UTC)."))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The editor who published it (empty: the dataset loader or a command)."),
    )
    note = models.TextField(help_text=_("What this release is, for readers: why it was published, what changed."))
    data_sha256 = models.CharField(max_length=64, help_text=_("SHA-256 of the release's data.json."))
    manifest = models.JSONField(
        help_text=_("The release's manifest.json: id, data version, time, counts, size and SHA-256 of every file.")
    )

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        constraints = [models.CheckConstraint(condition=models.Q(number__gte=1), name="release_number_positive")]

    def __str__(self):
        return self.public_id

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ReleaseIsImmutable(f"{self.public_id} is published and cannot be changed.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("releases:release_detail", kwargs={"number": self.number})

    def delete(self, *args, **kwargs):
        raise ReleaseIsImmutable(f"{self.public_id} is published and cannot be deleted.")

    @property
    def public_id(self) -> str:
        return f"r{self.number}"

    @property
    def day(self):
        """The US date it was published: a release answer without `as_of` answers for this day."""
        return us_today(self.published_at)

    @property
    def files(self) -> list[dict]:
        """[{name, size, sha256, content_type}] in the manifest's order."""
        return [{"name": name, **about} for name, about in self.manifest.get("files", {}).items()]

"""A numbered, immutable data release: the whole public dataset frozen at one data version, with its files.

A release is a row, not a file (ARCHITECTURE.md): its files' bytes are ReleaseFile rows, written in the transaction
that numbers it. Neither is ever changed or deleted: the models refuse here, and the database itself refuses
(triggers, releases/migrations/0004_immutable_triggers.py)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.dates import us_today


class ReleaseIsImmutable(Exception):
    """A release, once published, is never changed or deleted: journalists cite it."""


class ReleaseQuerySet(models.QuerySet):
    """Releases and their files are added, never updated or deleted in bulk either."""

    def update(self, **kwargs):
        raise ReleaseIsImmutable("Published releases cannot be changed.")

    def delete(self):
        raise ReleaseIsImmutable("Published releases cannot be deleted.")


class Release(models.Model):
    """A published release, r<number>: its files are its ReleaseFile rows (each server caches them: store.py)."""

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
        # Setting it to NULL would change a published release, which the database refuses: keep (deactivate) the
        # editor's account instead.
        on_delete=models.PROTECT,
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


class ReleaseFile(models.Model):
    """One file of a published release (data.json, manifest.json, an export, changelog.json): its bytes, for good."""

    release = models.ForeignKey(
        Release, on_delete=models.PROTECT, related_name="stored_files", help_text=_("The release the file belongs to.")
    )
    name = models.CharField(max_length=100, help_text=_("The file's name in the release, e.g. jurisdictions.csv."))
    content = models.BinaryField(help_text=_("The file's bytes, exactly as served."))
    sha256 = models.CharField(max_length=64, help_text=_("SHA-256 of the bytes, as the release's manifest lists it."))
    size = models.PositiveBigIntegerField(help_text=_("The file's size in bytes."))
    content_type = models.CharField(max_length=100, help_text=_("The media type it is served with."))

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["release", "name"]
        verbose_name = _("release file")
        verbose_name_plural = _("release files")
        constraints = [models.UniqueConstraint(fields=["release", "name"], name="release_file_name_unique")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ReleaseIsImmutable(f"{self.name} belongs to a published release and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ReleaseIsImmutable(f"{self.name} belongs to a published release and cannot be deleted.")

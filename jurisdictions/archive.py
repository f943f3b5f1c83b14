"""What the site keeps beside a source: the document behind it (a PDF or an HTML snapshot, with its SHA-256) and
the last check of its address (`manage.py check_source_links`). Imported by jurisdictions/models.py."""

from django.db import models
from django.db.models import Q

from jurisdictions.models import Source


class DocumentType(models.TextChoices):
    """What a source's archived document may be, as sniffed from its bytes (never from the upload's name or type)."""

    PDF = "application/pdf", "PDF"
    HTML = "text/html", "HTML snapshot"


class SourceDocument(models.Model):
    """The document behind a source (a PDF or an HTML snapshot), kept in the database so every server serves it."""

    source = models.OneToOneField(
        Source,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="document_copy",
        help_text="The source this is a copy of.",
    )
    content = models.BinaryField(help_text="The file's bytes, exactly as uploaded.")
    sha256 = models.CharField(
        max_length=64, help_text="SHA-256 of the bytes, in hexadecimal: readers check a copy with it."
    )
    media_type = models.CharField(
        max_length=40, choices=DocumentType.choices, help_text="The type found in the bytes themselves."
    )
    size = models.PositiveIntegerField(help_text="Size in bytes.")
    filename = models.CharField(max_length=200, blank=True, help_text="The uploaded file's name, for reference.")
    retrieved_on = models.DateField(help_text="The day this copy was taken from the source's address.")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="source_document_not_empty"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="source_document_sha256_hex"),
        ]

    def __str__(self):
        return f"{self.get_media_type_display()} copy of {self.source}"


class LinkCheck(models.Model):
    """The last check of a source's address: whether it answered, for editors (never shown to the public)."""

    source = models.OneToOneField(
        Source,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="link_check",
        help_text="The source whose address was checked.",
    )
    checked_at = models.DateTimeField(help_text="When the address was last checked (UTC).")
    alive = models.BooleanField(help_text="Whether the address answered with a page (a status below 400).")
    status_code = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The HTTP status it answered with; empty when it did not answer."
    )
    error = models.CharField(max_length=300, blank=True, help_text="Why it did not answer (timeout, refused ...).")

    def __str__(self):
        return f"{self.source}: {'alive' if self.alive else 'dead'}"

    @property
    def outcome(self) -> str:
        """What editors read: "404", "timed out" ..."""
        return str(self.status_code) if self.status_code is not None else self.error

"""States, jurisdictions (counties and equivalents), their dated activation history, and sources."""

import datetime
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common import reading
from common.dates import PROGRAM_START, us_today
from jurisdictions import asof

# The edit history's reason on every record the one load of the shipped dataset created (tracker/dataset/load.py):
# any other history record of a row is an editor's or an import's work, which no later dataset change overwrites.
DATASET_LOAD_REASON = "Loaded from the shipped dataset"


def program_date_problem(value: datetime.date | None, *, allow_future: bool, what: str) -> str | None:
    """The message for a date outside the program's span (or in the future), else None."""
    if value is None:
        return None
    if value < PROGRAM_START:
        return f"{what} {value.isoformat()} is before the program's span (it starts {PROGRAM_START.isoformat()})."
    if not allow_future and value > us_today():
        return f"{what} {value.isoformat()} is in the future: only a scheduled change may be dated ahead."
    return None


class Source(models.Model):
    """A citation that facts point to: nothing is published without one."""

    key = models.SlugField(
        max_length=100,
        blank=True,
        help_text="Short stable id used by data files (e.g. 'asad-baer-bositis-2025'). Optional.",
    )
    title = models.CharField(
        max_length=300,
        blank=True,
        help_text="Title of the document or page. Leave blank when only the address is known.",
    )
    publisher = models.CharField(max_length=200, blank=True, help_text="Author, publisher or site that published it.")
    url = models.URLField(max_length=500, blank=True, help_text="Where the source can be read.")
    archived_url = models.URLField(
        max_length=500, blank=True, help_text="An archived copy (e.g. a web archive snapshot), if any."
    )
    published_on = models.DateField(
        null=True, blank=True, help_text="Publication date, if known. Leave blank when unknown."
    )
    note = models.TextField(blank=True, help_text="What this source says, and its limits.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "url"]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="source_key_unique"),
            models.UniqueConstraint(fields=["url"], condition=~Q(url=""), name="source_url_unique"),
            models.CheckConstraint(condition=~Q(title="") | ~Q(url=""), name="source_has_title_or_url"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """What a citation shows first: the title, else the publisher's name, else (neither known) the address's
        site, never an invented name."""
        return self.title or self.publisher or self.host or self.url

    @property
    def host(self) -> str:
        host = urlsplit(self.url).hostname or ""
        return host.removeprefix("www.")

    def clean(self):
        if not self.title.strip() and not self.url.strip():
            raise ValidationError("A source needs a title or an address (URL), or both.")


class State(models.Model):
    """One of the 50 states or the District of Columbia."""

    postal = models.CharField(
        max_length=2, primary_key=True, help_text="Two-letter postal code, e.g. TX. The public id."
    )
    fips = models.CharField(max_length=2, unique=True, help_text="Two-digit state FIPS code, e.g. 48.")
    name = models.CharField(max_length=60, unique=True, help_text="Full name, e.g. Texas.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(postal__regex=r"^[A-Z]{2}$"), name="state_postal_format"),
            models.CheckConstraint(condition=Q(fips__regex=r"^[0-9]{2}$"), name="state_fips_format"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("jurisdictions:state_detail", args=[self.postal])


class Status(models.TextChoices):
    NOT_ACTIVATED = "not_activated", _("Not activated")
    SCHEDULED = "scheduled", _("Scheduled")
    ACTIVATED = "activated", _("Activated")


class Confidence(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    DISPUTED = "disputed", "Disputed"


class Kind(models.TextChoices):
    COUNTY = "county", _("County")
    PARISH = "parish", _("Parish")
    BOROUGH = "borough", _("Borough")
    CITY_AND_BOROUGH = "city_and_borough", _("City and borough")
    CENSUS_AREA = "census_area", _("Census area")
    CITY = "city", _("Independent city")
    MUNICIPALITY = "municipality", _("Municipality")
    DISTRICT = "district", _("Federal district")


class JurisdictionQuerySet(models.QuerySet):
    def matching(self, query: str):
        """Units the one name matcher finds for `query` (jurisdictions/search.py), as the public pages do."""
        return self.filter(fips__in=reading.current().matcher.search(query).fips)

    def with_status(self, as_of: datetime.date | None = None):
        """Annotate `status`, `status_since` and `activated_on` as they stood on `as_of` (default: today, US).

        The SQL form of the as-of rule (jurisdictions/asof.py), kept for the admin's filters and columns only;
        `tests/test_asof.py` holds it equal to the Python rule on every unit for many days. A successor map unit
        reads the history of the historical unit it borrows from (`status_from`).
        """
        as_of = as_of or us_today()
        history_unit = Coalesce(OuterRef("status_from_id"), OuterRef("fips"))
        known = StatusChange.objects.filter(jurisdiction_id=history_unit, effective_on__lte=as_of)
        latest = known.order_by("-effective_on", "-pk")
        first_activation = (
            known.filter(status=Status.ACTIVATED)
            .values("jurisdiction_id")
            .annotate(first=Min("effective_on"))
            .values("first")
        )
        return self.annotate(
            status=Coalesce(Subquery(latest.values("status")[:1]), Value(Status.NOT_ACTIVATED)),
            status_since=Subquery(latest.values("effective_on")[:1]),
            activated_on=Subquery(first_activation[:1]),
        )

    def disputed(self):
        """Units whose own history holds a change with a disputed date."""
        return self.filter(
            Exists(StatusChange.objects.filter(jurisdiction=OuterRef("pk"), confidence=Confidence.DISPUTED))
        )


class Jurisdiction(models.Model):
    """A county or county-equivalent, identified by its 5-digit FIPS code."""

    fips = models.CharField(
        max_length=5, primary_key=True, help_text="Five-digit county FIPS code, e.g. 48201. The public id."
    )
    state = models.ForeignKey(
        State, on_delete=models.PROTECT, related_name="jurisdictions", help_text="The state it lies in."
    )
    name = models.CharField(max_length=100, help_text="Name as the Census spells it, e.g. 'Harris County'.")
    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.COUNTY, help_text="What sort of unit this is."
    )
    in_dataset = models.BooleanField(
        default=True,
        help_text="Part of the 2008-2013 activation data. Counted in every total; "
        "false for today's units that did not exist then.",
    )
    on_current_map = models.BooleanField(
        default=True, help_text="Has a shape on today's county map (Census 2017 boundaries)."
    )
    replaced_by = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="replaces",
        help_text="For a retired or renamed unit: the unit(s) that took its place.",
    )
    status_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_lent_to",
        help_text="For a map unit created after 2008: the historical unit whose history gives it a status.",
    )
    change_note = models.TextField(
        blank=True, help_text="What changed about this unit since 2008 (renamed, merged, split), with when."
    )
    change_note_es = models.TextField(
        "change note (Spanish)",
        blank=True,
        help_text="Spanish version of the change note, shown on /es/ pages; leave blank to show the English "
        "text, marked as English. Quotations of the sources go between \u201c and \u201d.",
    )

    history = HistoricalRecords(m2m_fields=[replaced_by])

    objects = JurisdictionQuerySet.as_manager()

    class Meta:
        ordering = ["state__name", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(fips__regex=r"^[0-9]{5}$"), name="jurisdiction_fips_format"),
            models.CheckConstraint(
                condition=Q(in_dataset=True) | Q(on_current_map=True),
                name="jurisdiction_in_data_or_on_map",
            ),
            models.CheckConstraint(
                condition=Q(status_from__isnull=True) | Q(in_dataset=False),
                name="jurisdiction_borrows_status_only_if_not_in_data",
            ),
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self):
        return f"{self.name}, {self.state_id} ({self.fips})"

    def get_absolute_url(self):
        return reverse("jurisdictions:jurisdiction_detail", args=[self.fips])

    def clean(self):
        if self.state_id and self.fips and hasattr(self, "state"):
            if not self.fips.startswith(self.state.fips):
                raise ValidationError(
                    {"fips": f"FIPS {self.fips} does not start with {self.state.name}'s code {self.state.fips}."}
                )

    @property
    def history_unit(self) -> "Jurisdiction":
        """The unit whose dated history this one shows: itself, or the historical unit it borrows from."""
        return self.status_from if self.status_from_id else self

    def attach_timeline(self, changes: tuple) -> None:
        """Give this instance its dated history, oldest first (the read-model snapshot does, for every unit)."""
        self._timeline = changes

    @property
    def timeline(self) -> tuple["StatusChange", ...]:
        """Dated status changes (own, or borrowed via status_from), oldest first."""
        if getattr(self, "_timeline", None) is None:
            self._timeline = tuple(asof.ordered(self.history_unit.status_changes.all()))
        return self._timeline

    def standing_on(self, on: datetime.date | None = None) -> asof.UnitStatus:
        """Status, since when, first activation and dispute on `on` (default: today, US), by the as-of rule."""
        return asof.unit_status_on(self.timeline, on or us_today())

    def status_on(self, on: datetime.date | None = None) -> str:
        return self.standing_on(on).status

    @property
    def successor_codes(self) -> list[str]:
        """FIPS codes of the units that replaced this one, in code order (the snapshot sets them from one query)."""
        if getattr(self, "_successor_codes", None) is None:
            self._successor_codes = sorted(unit.fips for unit in self.replaced_by.all())
        return self._successor_codes

    @successor_codes.setter
    def successor_codes(self, codes: list[str]) -> None:
        self._successor_codes = sorted(codes)


class StatusChangeQuerySet(models.QuerySet):
    def activations(self):
        return self.filter(status=Status.ACTIVATED)

    def disputed(self):
        return self.filter(confidence=Confidence.DISPUTED)


class StatusChange(models.Model):
    """A dated change of a jurisdiction's status, with its source and how sure we are of the date."""

    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        related_name="status_changes",
        help_text="The jurisdiction whose status changed.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, help_text="The status from this date on.")
    effective_on = models.DateField(help_text="The date the status took effect.")
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="status_changes",
        help_text="Where this fact comes from. Required.",
    )
    confidence = models.CharField(
        max_length=10,
        choices=Confidence.choices,
        default=Confidence.CONFIRMED,
        help_text="Disputed when sources disagree on the date; then give the competing date.",
    )
    alternative_date = models.DateField(
        null=True, blank=True, help_text="For a disputed date: the competing date another reading gives."
    )
    note = models.TextField(blank=True, help_text="Why the date is disputed, or anything a reader should know.")
    note_es = models.TextField(
        "note (Spanish)",
        blank=True,
        help_text="Spanish version of the note, shown on /es/ pages; leave blank to show the English "
        "text, marked as English. Quotations of the sources go between \u201c and \u201d.",
    )

    history = HistoricalRecords()

    objects = StatusChangeQuerySet.as_manager()

    class Meta:
        ordering = ["jurisdiction", "effective_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "effective_on", "status"], name="status_change_unique_per_day"
            ),
            models.CheckConstraint(
                condition=(
                    Q(confidence=Confidence.CONFIRMED, alternative_date__isnull=True)
                    | Q(confidence=Confidence.DISPUTED, alternative_date__isnull=False)
                ),
                name="status_change_disputed_iff_alternative_date",
            ),
            models.CheckConstraint(condition=Q(effective_on__gte=PROGRAM_START), name="status_change_within_program"),
            models.CheckConstraint(
                condition=Q(alternative_date__isnull=True) | ~Q(alternative_date=F("effective_on")),
                name="status_change_alternative_differs",
            ),
        ]
        indexes = [models.Index(fields=["jurisdiction", "effective_on"])]

    def __str__(self):
        return f"{self.jurisdiction_id} {self.get_status_display().lower()} on {self.effective_on}"

    @property
    def is_disputed(self) -> bool:
        return self.confidence == Confidence.DISPUTED

    def clean(self):
        errors = {}
        message = program_date_problem(self.effective_on, allow_future=self.status == Status.SCHEDULED, what="The date")
        if message:
            errors["effective_on"] = message
        if self.confidence == Confidence.DISPUTED and not self.alternative_date:
            errors["alternative_date"] = "A disputed date needs the competing date another source gives."
        if self.confidence == Confidence.CONFIRMED and self.alternative_date:
            errors["alternative_date"] = "Only a disputed date has an alternative: clear it or mark it disputed."
        if self.alternative_date and self.alternative_date == self.effective_on:
            errors["alternative_date"] = "The alternative date must differ from the date itself."
        if errors:
            raise ValidationError(errors)


class ImportState(models.TextChoices):
    PREVIEWED = "previewed", "Previewed (nothing written yet)"
    APPLIED = "applied", "Applied"
    UNDONE = "undone", "Undone"


class ImportBatch(models.Model):
    """One upload of a published list of activated jurisdictions: previewed, applied, and possibly undone."""

    file_name = models.CharField(max_length=255, help_text="Name of the uploaded file.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the uploaded bytes, to recognise the same file.")
    size = models.PositiveIntegerField(help_text="Size of the uploaded file in bytes.")
    content = models.BinaryField(help_text="The uploaded bytes, re-read when the import is confirmed.")
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="import_batches",
        help_text="The published list every change in this import cites.",
    )
    state = models.CharField(
        "import status",
        max_length=10,
        choices=ImportState.choices,
        default=ImportState.PREVIEWED,
        help_text="Where the import stands.",
    )
    plan = models.JSONField(default=list, help_text="The previewed rows: what each line of the file would do.")
    counts = models.JSONField(default=dict, help_text="How many rows are new, changed, unchanged, duplicates.")
    changes = models.JSONField(
        default=dict, help_text="What applying it wrote (created ids, previous values), so it can be undone."
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When the file was uploaded.")
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, related_name="+", help_text="Who uploaded it."
    )
    applied_at = models.DateTimeField(null=True, blank=True, help_text="When it was applied.")
    applied_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="Who applied it."
    )
    undone_at = models.DateTimeField(null=True, blank=True, help_text="When it was undone.")
    undone_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="Who undid it."
    )
    protects_edits = models.BooleanField(
        default=False,
        help_text="A review of the shipped dataset (manage.py load_dataset --review): a unit whose activation an "
        "editor or an import changed since the dataset load is listed as a conflict and never overwritten.",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "import of activated jurisdictions"
        verbose_name_plural = "imports of activated jurisdictions"

    def __str__(self):
        return f"Import #{self.pk}: {self.file_name}"


# What the site keeps beside a source (its document, the last check of its address), in a module of their own.
from jurisdictions.archive import DocumentType, LinkCheck, SourceDocument  # noqa: E402, F401

"""State memoranda of agreement (MOAs) with ICE, their dated status history, and program events."""

import datetime

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords

from common.dates import local_date, us_today
from jurisdictions import asof
from jurisdictions.models import PROGRAM_START, Source, State, program_date_problem


class Precision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month only"


class AgreementStatus(models.TextChoices):
    IN_FORCE = "in_force", gettext_lazy("In force")
    SUPERSEDED = "superseded", gettext_lazy("Replaced by a revised agreement")
    SUSPENDED = "suspended", gettext_lazy("Suspended by the state")
    TERMINATED = "terminated", gettext_lazy("Terminated by the state")
    RESCINDED = "rescinded", gettext_lazy("Rescinded by ICE")
    DECLINED = "declined", gettext_lazy("State declined to sign")


# Statuses after which ICE's 2011-08-05 letter has nothing left to rescind.
NOT_RESCINDABLE = {AgreementStatus.SUPERSEDED, AgreementStatus.DECLINED, AgreementStatus.RESCINDED}


def format_partial_date(value: datetime.date | None, precision: str) -> str:
    """Show a date only as precisely as it is known: '2009-11' for a month, never a padded day."""
    if value is None:
        return ""
    if precision == Precision.MONTH:
        return value.strftime("%Y-%m")
    return value.isoformat()


def describe_partial_date(value: datetime.date | None, precision: str) -> str:
    """Human form: '23 January 2009', 'November 2009 (day not known)', or 'unknown'."""
    if value is None:
        return _("unknown")
    if precision == Precision.MONTH:
        return _("%(month)s (day not known)") % {"month": local_date(value, "month")}
    return local_date(value)


class AgreementQuerySet(models.QuerySet):
    def with_status(self, on: datetime.date | None = None):
        """Annotate `status` and `status_since` as they stood on `on` (default: today, US); null before any record.

        The SQL form of the as-of rule (jurisdictions/asof.py) for the admin; tests/test_asof.py holds them equal.
        """
        on = on or us_today()
        latest = AgreementStatusChange.objects.filter(agreement=OuterRef("pk"), effective_on__lte=on).order_by(
            "-effective_on", "-pk"
        )
        return self.annotate(
            status=Subquery(latest.values("status")[:1]),
            status_since=Subquery(latest.values("effective_on")[:1]),
        )


class Agreement(models.Model):
    """A memorandum of agreement between ICE and a state body for Secure Communities."""

    state = models.ForeignKey(
        State, on_delete=models.PROTECT, related_name="agreements", help_text="The state whose body is a party."
    )
    state_party = models.CharField(
        max_length=200, help_text="The state body that signed (or was asked to sign), e.g. 'Illinois State Police'."
    )
    federal_party = models.CharField(
        max_length=200,
        default="U.S. Immigration and Customs Enforcement (DHS)",
        help_text="The federal party.",
    )
    signed_on = models.DateField(
        null=True,
        blank=True,
        help_text="Signing date. Leave blank when no source gives it: unknown is a valid answer. "
        "For a month-only date enter the 1st and set precision to 'month'.",
    )
    signed_precision = models.CharField(
        max_length=5,
        choices=Precision.choices,
        blank=True,
        help_text="How precisely the signing date is known. Blank when the date is unknown.",
    )
    notes = models.TextField(blank=True, help_text="What the sources say about this agreement, and their limits.")
    notes_es = models.TextField(
        "notes (Spanish)",
        blank=True,
        help_text="Spanish version of the notes, shown on /es/ pages; leave blank to show the English "
        "text, marked as English. Quotations of the sources go between \u201c and \u201d.",
    )
    sources = models.ManyToManyField(
        Source, related_name="agreements", blank=True, help_text="Documents and reports about this agreement."
    )

    history = HistoricalRecords(m2m_fields=[sources])

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["state__name", "signed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(signed_on__isnull=True, signed_precision="")
                    | Q(signed_on__isnull=False) & ~Q(signed_precision="")
                ),
                name="agreement_precision_iff_signed_on",
            ),
            models.CheckConstraint(
                condition=Q(signed_precision="") | ~Q(signed_precision=Precision.MONTH) | Q(signed_on__day=1),
                name="agreement_month_precision_is_first_of_month",
            ),
        ]

    def __str__(self):
        return f"{self.state_id}: {self.state_party}"

    def get_absolute_url(self):
        return reverse("jurisdictions:state_detail", args=[self.state_id]) + f"#agreement-{self.pk}"

    def clean(self):
        errors = {}
        problem = program_date_problem(self.signed_on, allow_future=False, what="The signing date")
        if problem:
            errors["signed_on"] = problem
        if self.signed_on and not self.signed_precision:
            errors["signed_precision"] = "Say how precisely the signing date is known (day or month only)."
        if not self.signed_on and self.signed_precision:
            errors["signed_precision"] = "The signing date is unknown: leave its precision blank."
        if self.signed_on and self.signed_precision == Precision.MONTH and self.signed_on.day != 1:
            errors["signed_on"] = "For a month-only date enter the 1st of the month."
        if errors:
            raise ValidationError(errors)

    @property
    def signed_display(self) -> str:
        return describe_partial_date(self.signed_on, self.signed_precision)

    @property
    def was_refused(self) -> bool:
        """The state declined to sign: a refusal, recorded as an agreement so that its history has a home."""
        return any(change.status == AgreementStatus.DECLINED for change in self.timeline)

    @property
    def signing(self) -> str:
        """The one phrase every page uses for whether and when it was signed (never "unknown" for a refusal)."""
        if self.was_refused:
            return _("Never signed: the state refused")
        if self.signed_on:
            return _("Signed %(date)s") % {"date": self.signed_display}
        return _("Signed; date not yet sourced")

    @property
    def signed_iso(self) -> str:
        return format_partial_date(self.signed_on, self.signed_precision)

    @property
    def timeline(self) -> list["AgreementStatusChange"]:
        """Dated changes, oldest first (uses prefetched rows when present)."""
        return asof.ordered(self.status_changes.all())

    def status_on(self, on: datetime.date | None = None) -> str | None:
        """Status on `on` (default: today, US) by the as-of rule; None before any dated record."""
        return asof.agreement_status_on(self.timeline, on or us_today())

    def status_display_on(self, on=None) -> str:
        status = self.status_on(on)
        return AgreementStatus(status).label if status else _("No dated record yet")

    @property
    def is_rescinded(self) -> bool:
        return self.status_on() == AgreementStatus.RESCINDED


class AgreementStatusChange(models.Model):
    """A dated change in an agreement's standing, with its source and, if any, the event it belongs to."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="status_changes", help_text="The agreement."
    )
    status = models.CharField(
        max_length=12, choices=AgreementStatus.choices, help_text="The agreement's standing from this date on."
    )
    effective_on = models.DateField(
        help_text="When it took effect. For a month-only date enter the 1st and set precision to 'month'."
    )
    precision = models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY, help_text="How precisely the date is known."
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="agreement_changes", help_text="Where this fact comes from."
    )
    event = models.ForeignKey(
        "Event",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreement_changes",
        help_text="The dated event this change is part of (e.g. ICE's rescission of all MOAs), if any.",
    )
    note = models.TextField(blank=True, help_text="Anything a reader should know about this change.")
    note_es = models.TextField(
        "note (Spanish)",
        blank=True,
        help_text="Spanish version of the note, shown on /es/ pages; leave blank to show the English "
        "text, marked as English. Quotations of the sources go between \u201c and \u201d.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "effective_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "effective_on", "status"], name="agreement_change_unique_per_day"
            ),
            models.CheckConstraint(
                condition=Q(effective_on__gte=PROGRAM_START), name="agreement_change_within_program"
            ),
            models.CheckConstraint(
                condition=~Q(precision=Precision.MONTH) | Q(effective_on__day=1),
                name="agreement_change_month_precision_is_first_of_month",
            ),
        ]

    def __str__(self):
        return f"{self.agreement}: {self.get_status_display().lower()} {self.effective_iso}"

    def clean(self):
        errors = {}
        problem = program_date_problem(self.effective_on, allow_future=False, what="The date")
        if problem:
            errors["effective_on"] = problem
        elif self.effective_on and self.precision == Precision.MONTH and self.effective_on.day != 1:
            errors["effective_on"] = "For a month-only date enter the 1st of the month."
        try:
            agreement = self.agreement
        except ObjectDoesNotExist:
            agreement = None
        signed = getattr(agreement, "signed_on", None)
        ends = {AgreementStatus.SUSPENDED, AgreementStatus.TERMINATED, AgreementStatus.RESCINDED}
        if "effective_on" not in errors and signed and self.effective_on and self.status in ends:
            # A month-only signing date is only known to the month: compare to its first day.
            if self.effective_on < signed:
                label = AgreementStatus(self.status).label.lower()
                errors["effective_on"] = (
                    f"An agreement cannot be {label} before it was signed "
                    f"({agreement.signed_iso}); this change is dated {self.effective_on.isoformat()}."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def effective_iso(self) -> str:
        return format_partial_date(self.effective_on, self.precision)

    @property
    def effective_display(self) -> str:
        return describe_partial_date(self.effective_on, self.precision)


class EventKind(models.TextChoices):
    MOA_SIGNED = "moa_signed", gettext_lazy("MOA signed")
    GOVERNOR_WITHDRAWAL = "governor_withdrawal", gettext_lazy("Governor withdraws or refuses")
    MOA_RESCINDED = "moa_rescinded", gettext_lazy("ICE rescinds MOAs")
    FULL_ACTIVATION = "full_activation", gettext_lazy("Every jurisdiction activated")
    PROGRAM_TERMINATED = "program_terminated", gettext_lazy("Program ended")
    PROGRAM_REINSTATED = "program_reinstated", gettext_lazy("Program reinstated")
    OTHER = "other", gettext_lazy("Other")


class EventQuerySet(models.QuerySet):
    def program_wide(self):
        return self.filter(state__isnull=True)

    def for_state(self, postal):
        return self.filter(state=postal)

    def key_events(self):
        """Events worth marking on the national timeline."""
        return self.exclude(kind=EventKind.OTHER)

    def on_or_before(self, on):
        return self.filter(occurred_on__lte=on)


class Event(models.Model):
    """A dated, sourced event: nationwide (no state) or in one state."""

    occurred_on = models.DateField(
        help_text="When it happened. For a month-only date enter the 1st and set precision to 'month'."
    )
    precision = models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY, help_text="How precisely the date is known."
    )
    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text="The state concerned; blank for a nationwide event.",
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices, help_text="What sort of event.")
    summary = models.TextField(help_text="What happened, in a sentence or two, as the sources say it.")
    summary_es = models.TextField(
        "summary (Spanish)",
        blank=True,
        help_text="Spanish version of the summary, shown on /es/ pages; leave blank to show the English "
        "text, marked as English. Quotations of the sources go between \u201c and \u201d.",
    )
    sources = models.ManyToManyField(Source, related_name="events", help_text="Where this comes from.")

    history = HistoricalRecords(m2m_fields=[sources])

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(occurred_on__gte=PROGRAM_START), name="event_within_program"),
            models.CheckConstraint(
                condition=~Q(precision=Precision.MONTH) | Q(occurred_on__day=1),
                name="event_month_precision_is_first_of_month",
            ),
        ]

    def __str__(self):
        where = self.state_id or "US"
        return f"{self.occurred_on} {where}: {self.get_kind_display()}"

    def clean(self):
        problem = program_date_problem(self.occurred_on, allow_future=False, what="The date")
        if problem:
            raise ValidationError({"occurred_on": problem})
        if self.precision == Precision.MONTH and self.occurred_on and self.occurred_on.day != 1:
            raise ValidationError({"occurred_on": "For a month-only date enter the 1st of the month."})

    @property
    def occurred_iso(self) -> str:
        """YYYY-MM-DD, or YYYY-MM when only the month is known."""
        return format_partial_date(self.occurred_on, self.precision)

    @property
    def occurred_display(self) -> str:
        """'5 August 2011', or 'July 2010 (day not known)'."""
        return describe_partial_date(self.occurred_on, self.precision)

"""The public report form, and the admin's forms for resolving reports."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.admin_versions import GuardedModelForm
from corrections.models import MAX_DESCRIPTION, CorrectionReport, ReportStatus
from corrections.subjects import MAX_PAGE_LENGTH, parse_page

_field = CorrectionReport._meta.get_field

# The honeypot's name: a field a person never sees (hidden by a CSS class) and form-filling robots fill in.
HONEYPOT = "website"


class _TextField(forms.CharField):
    """Text whose line breaks count once, as the browser's maxlength counts them (it sends each as CR LF)."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


class ReportForm(forms.Form):
    """What a reader sends: the page it is about, what is wrong, a source link and a contact address."""

    page = forms.CharField(
        label=_("The page it is about"),
        max_length=MAX_PAGE_LENGTH,
        error_messages={"required": _("Say which page it is about.")},
    )
    description = _TextField(
        label=_("What is wrong"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea,
        error_messages={"required": _("Say what is wrong: the fact, and what it should be.")},
    )
    source_url = forms.URLField(
        label=_("A link to the source"),
        max_length=_field("source_url").max_length,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Give the source's full web address, e.g. https://www.ice.gov/…")},
    )
    contact_email = forms.EmailField(
        label=_("Your email address"),
        max_length=_field("contact_email").max_length,
        required=False,
        error_messages={"invalid": _("This is not an email address (or leave it empty).")},
    )
    website = forms.CharField(required=False, max_length=500)

    def clean_page(self):
        return parse_page(self.cleaned_data["page"])

    @property
    def is_robot(self) -> bool:
        """The honeypot was filled in: a person cannot see it, so a program sent this."""
        return bool((self.data.get(HONEYPOT) or "").strip())


class ResolveForm(GuardedModelForm):
    """The editors' change form: the decision, its public note, the source and the edited record.

    Deciding (new to accepted or rejected) records who decided and when; reopening (back to new) clears both.
    The model's constraints are checked in full, including those on fields shown read-only (resolved_at).
    """

    editor = None  # set per request by the admin (CorrectionReportAdmin.get_form)

    class Meta:
        model = CorrectionReport
        fields = ["status", "resolution_note", "resolution_note_es", "source", "record_page"]
        widgets = {
            "resolution_note": forms.Textarea(attrs={"rows": 3, "cols": 60}),
            "resolution_note_es": forms.Textarea(attrs={"rows": 3, "cols": 60}),
        }

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        report = self.instance
        if status == ReportStatus.NEW:
            report.resolved_at, report.resolved_by = None, None
        elif status and (status != report.status or report.resolved_at is None):
            # construct_instance has not run yet: report.status is still the stored one, so this is a decision.
            report.resolved_at, report.resolved_by = timezone.now(), self.editor
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        # Django checks only the constraints whose fields are all on the form; the resolution date is not.
        try:
            self.instance.validate_constraints()
        except ValidationError as error:
            self._update_errors(error)


class RejectForm(forms.Form):
    """The note of a bulk rejection (the admin action)."""

    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        max_length=_field("resolution_note").max_length,
        help_text="Why these reports are rejected (e.g. “Spam.” or “The date shown is the one the source gives.”). "
        "Kept for editors; rejected reports are not shown publicly.",
    )

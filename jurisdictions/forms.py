"""Admin forms for jurisdictions, their status history, sources and imports."""

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminDateWidget, AdminURLFieldWidget, AutocompleteSelect

from common import documents
from common.admin_versions import GuardedModelForm
from jurisdictions.importer import MAX_BYTES
from jurisdictions.models import ImportBatch, Jurisdiction, Source, SourceDocument, StatusChange

SOURCE_REQUIRED = "Every status change needs a source: pick one, or create it with the + button beside the field."


class StatusChangeForm(GuardedModelForm):
    class Meta:
        model = StatusChange
        fields = [
            "jurisdiction",
            "status",
            "effective_on",
            "source",
            "confidence",
            "alternative_date",
            "note",
            "note_es",
        ]
        error_messages = {"source": {"required": SOURCE_REQUIRED}}
        widgets = {
            "note": forms.Textarea(attrs={"rows": 2, "cols": 40}),
            "note_es": forms.Textarea(attrs={"rows": 2, "cols": 40}),
        }


class JurisdictionForm(GuardedModelForm):
    class Meta:
        model = Jurisdiction
        fields = "__all__"


class SourceForm(GuardedModelForm):
    class Meta:
        model = Source
        fields = "__all__"

    url = forms.URLField(
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=AdminURLFieldWidget,
        help_text=Source._meta.get_field("url").help_text,
    )
    archived_url = forms.URLField(
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=AdminURLFieldWidget,
        help_text=Source._meta.get_field("archived_url").help_text,
    )


class SourceDocumentForm(forms.ModelForm):
    """An editor attaches the document behind a source: its type is sniffed from the bytes, its size limited."""

    upload = forms.FileField(
        required=False,
        help_text="A PDF or an HTML snapshot of the page (its type is read from the file itself). A new file "
        "replaces the kept one.",
    )

    class Meta:
        model = SourceDocument
        fields = ["retrieved_on"]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload is None:
            if self.instance._state.adding and self.has_changed():
                raise forms.ValidationError("Choose the file to keep.")
            return cleaned
        limit = settings.SOURCE_DOCUMENT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(f"The file is {upload.size:,} bytes; the largest kept is {limit:,} bytes.")
        data = upload.read(limit + 1)
        if len(data) > limit:
            raise forms.ValidationError(f"The file is over {limit:,} bytes, the largest kept.")
        media_type = documents.sniff(data)
        if media_type is None:
            raise forms.ValidationError("This file is neither a PDF nor an HTML page (read from its content).")
        self.instance.content = data
        self.instance.sha256 = documents.sha256(data)
        self.instance.media_type = media_type
        self.instance.size = len(data)
        self.instance.filename = (upload.name or "")[:200]
        return cleaned


class ImportUploadForm(forms.Form):
    """A published list and the one source every change it makes will cite."""

    file = forms.FileField(
        help_text=f"A CSV with a state, a jurisdiction name and/or FIPS code, and an activation date per row "
        f"(other columns are ignored). At most {MAX_BYTES // 1024:,} KB.",
    )
    source = forms.ModelChoiceField(
        queryset=Source.objects.all(),
        required=False,
        help_text="The published list this file comes from, if it is already a source…",
    )
    source_title = forms.CharField(
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        max_length=300,
        required=False,
        label="…or a new source: title",
        help_text="E.g. 'ICE: Activated jurisdictions'.",
    )
    source_url = forms.URLField(
        widget=forms.URLInput(attrs={"class": "vURLField"}),
        max_length=500,
        required=False,
        assume_scheme="https",
        label="Address (URL)",
    )
    source_publisher = forms.CharField(max_length=200, required=False, label="Publisher", initial="ICE")
    source_published_on = forms.DateField(required=False, label="Published on", widget=AdminDateWidget)

    def __init__(self, *args, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        if admin_site is not None:
            field = self.fields["source"]
            field.widget = AutocompleteSelect(ImportBatch._meta.get_field("source"), admin_site)
            # Re-setting the queryset hands the new widget its choices.
            field.queryset = field.queryset

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source") and (cleaned.get("source_title") or cleaned.get("source_url")):
            raise forms.ValidationError("Pick an existing source or describe a new one, not both.")
        if not cleaned.get("source") and not (cleaned.get("source_title") or cleaned.get("source_url")):
            raise forms.ValidationError(
                "Every import needs a source: pick the published list, or give the new one's title and address."
            )
        return cleaned

    def new_source(self) -> Source | None:
        """The new source described (unsaved), or the existing one with the same address."""
        data = self.cleaned_data
        if data.get("source"):
            return None
        if data["source_url"]:
            existing = Source.objects.filter(url=data["source_url"]).first()
            if existing:
                return existing
        return Source(
            title=data["source_title"],
            url=data["source_url"],
            publisher=data["source_publisher"],
            published_on=data["source_published_on"],
        )
